"""The numpy network against PyTorch on the CPU, side by side in one run.

    python -m pip install -r requirements-bench.txt
    python benchmarks/bench_nn.py              # 7 rounds of 10 epochs, both thread settings
    python benchmarks/bench_nn.py --rounds 11 --epochs 5

Budget (DESIGN.md): the numpy network trains at least 3x faster than PyTorch, time ratio
numpy / PyTorch at most 0.3, for the same architecture and work: 64 -> 64 -> 32 -> 10, dense
layers without b followed by batch norm and ReLU, a softmax head with b, the cross-entropy,
mini-batch 64, Adam (alpha 0.01, beta1 0.9, beta2 0.999, eps 1e-8), float32 for both, on the
digits data (1077 training examples: 17 steps per epoch). Both do what ``nn.train`` does:
record every step's loss, sum the epoch's training loss and accuracy over its mini-batches,
and evaluate the validation set in inference mode after every epoch.

The two trainings alternate within each round (which goes first alternates too); the
verdict is on the median over the rounds of the per-round ratio. The first round is a
warm-up and is not counted. It is measured twice:

- 1 thread: ``torch.set_num_threads(1)``, and numpy's BLAS limited to one thread
  (threadpoolctl). At these sizes (64 x 64 matrices) threads mostly add overhead.
- default threads: both libraries as they start.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time

import numpy as np

from course_utils import data, nn

SIZES = [64, 64, 32, 10]
BATCH_SIZE, ALPHA = 64, 0.01
RATIO_BUDGET = 0.3


def train_numpy(split, epochs, seed):
    """Seconds to train the course's network (built outside the timing)."""
    network = nn.Network(SIZES, batchnorm=True, seed=seed, dtype=np.float32)
    start = time.perf_counter()
    nn.train(
        network, split, epochs, batch_size=BATCH_SIZE, optimizer="adam", alpha=ALPHA, seed=seed
    )
    return time.perf_counter() - start


def train_torch(split, epochs, seed):
    """Seconds to train the same network in PyTorch, doing the same work as nn.train."""
    import torch

    torch.manual_seed(seed)
    layers = []
    for n_prev, n in zip(SIZES[:-2], SIZES[1:-1], strict=True):
        # PyTorch's momentum=0.1 is our running_momentum=0.9 (running = 0.9 running + 0.1 batch)
        layers += [
            torch.nn.Linear(n_prev, n, bias=False),
            torch.nn.BatchNorm1d(n, eps=1e-5, momentum=0.1),
            torch.nn.ReLU(),
        ]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(SIZES[-2], SIZES[-1]))
    optimizer = torch.optim.Adam(model.parameters(), lr=ALPHA, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    # PyTorch puts examples in ROWS: the transpose of the course's X (n_x, m) is (m, n_x).
    X_train = torch.from_numpy(np.ascontiguousarray(split.X_train.T))
    X_val = torch.from_numpy(np.ascontiguousarray(split.X_val.T))
    y_train, y_val = torch.from_numpy(split.y_train), torch.from_numpy(split.y_val)
    m = X_train.shape[0]
    generator = torch.Generator().manual_seed(seed)
    step_loss, history = [], []

    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        for group in optimizer.param_groups:
            group["lr"] = nn.decayed_alpha(ALPHA, 0.0, epoch)
        model.train()
        order = torch.randperm(m, generator=generator)
        X_shuffled, y_shuffled = X_train[order], y_train[order]  # one gather per epoch
        loss_sum, correct = 0.0, 0
        for first in range(0, m, BATCH_SIZE):
            X, y = X_shuffled[first : first + BATCH_SIZE], y_shuffled[first : first + BATCH_SIZE]
            optimizer.zero_grad(set_to_none=True)
            Z = model(X)
            loss = loss_fn(Z, y)
            loss.backward()
            optimizer.step()
            step_loss.append(loss.item())
            loss_sum += step_loss[-1] * y.shape[0]
            correct += int((Z.argmax(dim=1) == y).sum())
        model.eval()
        with torch.no_grad():
            Z = model(X_val)
            val = loss_fn(Z, y_val).item(), (Z.argmax(dim=1) == y_val).float().mean().item()
        history.append((loss_sum / m, correct / m, *val))
    return time.perf_counter() - start


@contextlib.contextmanager
def _threads(one):
    """One thread for both libraries, or both as they start."""
    import torch

    default = torch.get_num_threads()
    limits = contextlib.nullcontext()
    if one:
        torch.set_num_threads(1)
        try:
            from threadpoolctl import threadpool_limits

            limits = threadpool_limits(limits=1)
        except ImportError:  # numpy's BLAS keeps its threads; said in the output
            print("  (threadpoolctl missing: numpy's BLAS not limited to one thread)")
    try:
        with limits:
            yield
    finally:
        torch.set_num_threads(default)


def bench(split, *, one_thread, rounds, epochs):
    import torch

    label = "1 thread" if one_thread else f"default threads (torch {torch.get_num_threads()})"
    print(f"\n{label}: {rounds} rounds of {epochs} epochs, after one warm-up round")
    print(f"{'round':>5} {'numpy s':>9} {'torch s':>9} {'ratio':>7}")
    ratios = []
    with _threads(one_thread):
        for r in range(rounds + 1):
            pair = [("numpy", train_numpy), ("torch", train_torch)]
            if r % 2:
                pair.reverse()  # alternate which goes first
            seconds = {name: fn(split, epochs, seed=r) for name, fn in pair}
            if r == 0:
                continue
            ratio = seconds["numpy"] / seconds["torch"]
            ratios.append(ratio)
            print(f"{r:5d} {seconds['numpy']:9.4f} {seconds['torch']:9.4f} {ratio:7.3f}")
    median = statistics.median(ratios)
    verdict = "ok" if median <= RATIO_BUDGET else "OVER BUDGET"
    print(f"median ratio numpy / torch: {median:.3f}  {verdict} (budget <= {RATIO_BUDGET})")
    return median


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", choices=["both", "one", "default"], default="both")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("PyTorch is missing: python -m pip install -r requirements-bench.txt")
        return 2
    print(
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"torch {torch.__version__}; {SIZES}, batch norm, mini-batch {BATCH_SIZE}, Adam, float32"
    )
    split = data.digits(seed=0, dtype=np.float32)
    settings = {"both": [True, False], "one": [True], "default": [False]}[args.threads]
    medians = [bench(split, one_thread=o, rounds=args.rounds, epochs=args.epochs) for o in settings]
    return 0 if all(m <= RATIO_BUDGET for m in medians) else 1


if __name__ == "__main__":
    sys.exit(main())
