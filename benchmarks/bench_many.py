"""Training K models at once (nn.train_many) against one by one (nn.train), side by side.

    python benchmarks/bench_many.py                 # 7 rounds of K = 32 models, 10 epochs
    python benchmarks/bench_many.py --rounds 11 --epochs 5 --n-jobs 2

Budget (DESIGN.md): training K = 32 small models at once is at least 4x faster than training
them one by one with the same single-model code: time ratio one-by-one / train_many at least
4. The models are the course's: 64 -> 64 -> 32 -> 10 with batch norm, a softmax head, Adam,
mini-batch 64, float32, on the digits data (1077 training examples: 17 steps per epoch), each
with its own random hyperparameters on the right scales (alpha log-uniform in [1e-4, 1e-1],
beta1 with 1 - beta1 log-uniform in [0.9, 0.99], decay_rate uniform in [0, 1]). Both sides do
the same work: K Network objects built from their seeds, trained, every history recorded.

Three contestants take turns within each round (the order rotates); the verdict is on the
median over the rounds of the per-round ratio; the first round is a warm-up, not counted:

- one by one: ``nn.train`` K times, in this process;
- train_many, n_jobs=1: the K models stacked on a model axis, in this process (one core);
- train_many, n_jobs=N (default 2): the K models split into N groups, each trained stacked
  in its own process. This one is held to the budget: one process reaches ~3x (numpy's work
  per step is then arithmetic, not overhead); the cores of the machine do the rest.

numpy's BLAS is limited to one thread (threadpoolctl) in this process and in the workers, so
that "one process" means one core; --threads default leaves it as it starts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time

import numpy as np

from course_utils import data, nn, scales

SIZES = [64, 64, 32, 10]
BATCH_SIZE = 64
RATIO_BUDGET = 4.0


def hyperparameters(K, seed):
    """K random configurations, each hyperparameter sampled on its own scale."""
    rng = np.random.default_rng(seed)
    return {
        "alpha": scales.Log(1e-4, 1e-1).sample(K, rng).tolist(),
        "beta1": scales.OneMinusLog(0.9, 0.99).sample(K, rng).tolist(),
        "decay_rate": scales.Linear(0.0, 1.0).sample(K, rng).tolist(),
    }


def one_by_one(split, epochs, hp):
    """Seconds to build and train the K networks one after the other with nn.train."""
    start = time.perf_counter()
    histories = []
    for k, (alpha, beta1, decay_rate) in enumerate(
        zip(hp["alpha"], hp["beta1"], hp["decay_rate"], strict=True)
    ):
        network = nn.Network(SIZES, batchnorm=True, seed=k, dtype=np.float32)
        optimizer = nn.Adam(alpha=alpha, beta1=beta1)
        histories.append(
            nn.train(
                network,
                split,
                epochs,
                BATCH_SIZE,
                optimizer=optimizer,
                alpha=alpha,
                decay_rate=decay_rate,
            )
        )
    return time.perf_counter() - start, histories


def at_once(split, epochs, hp, n_jobs):
    """Seconds to build and train the same K networks with one call of nn.train_many."""
    start = time.perf_counter()
    _, histories = nn.train_many(
        SIZES,
        split,
        epochs,
        **hp,
        optimizer="adam",
        batch_size=BATCH_SIZE,
        batchnorm=True,
        dtype=np.float32,
        n_jobs=n_jobs,
    )
    return time.perf_counter() - start, histories


@contextlib.contextmanager
def _blas_threads(one):
    if not one:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("  (threadpoolctl missing: numpy's BLAS not limited to one thread)")
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=10)  # the capstone's caviar trains 12
    parser.add_argument("--models", type=int, default=32, help="K, the number of models")
    parser.add_argument("--n-jobs", type=int, default=2, help="processes of the parallel run")
    parser.add_argument("--threads", choices=["one", "default"], default="one")
    args = parser.parse_args(argv)

    K, epochs = args.models, args.epochs
    split = data.digits(seed=0, dtype=np.float32)
    hp = hyperparameters(K, seed=0)
    print(
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}; "
        f"K = {K} models {SIZES}, batch norm, Adam, mini-batch {BATCH_SIZE}, float32, "
        f"{epochs} epochs on digits; BLAS threads: {args.threads}"
    )
    print(f"{args.rounds} rounds after one warm-up round; ratio = one-by-one / train_many")
    jobs = f"n_jobs={args.n_jobs}"
    print(
        f"{'round':>5} {'one-by-one s':>13} {'n_jobs=1 s':>11} {jobs + ' s':>11} "
        f"{'ratio 1':>8} {'ratio ' + str(args.n_jobs):>8}"
    )
    contestants = {
        "one": lambda: one_by_one(split, epochs, hp),
        "many1": lambda: at_once(split, epochs, hp, 1),
        "manyN": lambda: at_once(split, epochs, hp, args.n_jobs),
    }
    ratios = {"many1": [], "manyN": []}
    accuracies = {}
    with _blas_threads(args.threads == "one"):
        for r in range(args.rounds + 1):
            names = list(contestants)
            names = names[r % 3 :] + names[: r % 3]  # rotate who goes first
            seconds = {}
            for name in names:
                seconds[name], histories = contestants[name]()
                accuracies[name] = max(h.val_accuracy[-1] for h in histories)
            if r == 0:
                continue
            for name in ratios:
                ratios[name].append(seconds["one"] / seconds[name])
            print(
                f"{r:5d} {seconds['one']:13.3f} {seconds['many1']:11.3f} "
                f"{seconds['manyN']:11.3f} {ratios['many1'][-1]:8.2f} {ratios['manyN'][-1]:8.2f}"
            )
    median_1 = statistics.median(ratios["many1"])
    median_n = statistics.median(ratios["manyN"])
    print(
        f"best validation accuracy of the K models: one by one {accuracies['one']:.3f}, "
        f"train_many {accuracies['many1']:.3f} (n_jobs=1), {accuracies['manyN']:.3f} ({jobs})"
    )
    print(f"median ratio, train_many n_jobs=1 (one process): {median_1:.2f}  (for information)")
    verdict = "ok" if median_n >= RATIO_BUDGET else "OVER BUDGET"
    print(
        f"median ratio, train_many {jobs} ({args.n_jobs} processes): {median_n:.2f}  "
        f"{verdict} (budget >= {RATIO_BUDGET})"
    )
    return 0 if median_n >= RATIO_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
