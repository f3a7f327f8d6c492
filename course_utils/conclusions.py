"""The sentences a notebook concludes with, computed from its own results (notebooks 01-07).

Each function takes a notebook's results as plain arguments (numbers, lists, dicts, an
``nn.History``) and returns the text the notebook prints: the conclusion is decided by the
numbers of this run, never written in advance. The measurements themselves (training, search,
figures) stay in the notebooks; only the wording is here, where tests can reach every branch.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "NOISE_IMAGES",
    "random_vs_grid",
    "importance_vs_lecture",
    "coarse_to_fine",
    "linear_vs_log",
    "choice_by_validation",
    "caviar_vs_panda",
    "scaling_out",
    "panda_or_caviar",
    "with_and_without_batchnorm",
    "one_example_alone",
    "example_alone_or_in_batch",
    "running_vs_batch_statistics",
    "softmax_on_digits",
    "capstone_coarse_to_fine",
    "tuned_vs_untuned",
]

#: A difference of fewer images than this, on the digits' 360 validation or test images, is
#: within the noise of one training run: near 96% accuracy, the count of images right has a
#: binomial standard deviation of sqrt(360 * 0.96 * 0.04), about 4 images (notebooks 01, 03).
NOISE_IMAGES = 5


# ---------------------------------------------------------------- notebook 01


def random_vs_grid(wins, n_per_axis, repeats):
    """Notebook 01: does random search beat a grid more often when fewer hyperparameters matter?

    wins: dict w -> the share of ``repeats`` repeats random search won (a tie counts half), for
    the second hyperparameter's weight w, with at least w = 0.0 (only the first matters) and
    w = 1.0 (both matter equally); the grid has ``n_per_axis**2`` trials.
    """
    return (
        f"Conclusion: with {n_per_axis**2} trials and only one hyperparameter that matters, random "
        f"search beats the grid in {wins[0.0]:.0%} of {repeats} repeats; when both matter equally, "
        f"in {wins[1.0]:.0%}. "
        + (
            "The fewer hyperparameters matter, the more a grid wastes its trials on repeated "
            "values."
            if wins[0.0] > wins[1.0]
            else "Here the grid kept up even when one hyperparameter did not matter."
        )
    )


def importance_vs_lecture(shares, floor, notes_tiers, rho):
    """Notebook 01: does the measured importance agree with the lecture's tiers?

    shares: dict name -> share of the results' variance the hyperparameter explains; floor: the
    noise floor of the shares; notes_tiers: dict name -> the lecture's tier (1 first, 4 almost
    never); rho: Spearman's rank correlation of the measured ranking with the tiers.
    """
    ranking = sorted(shares, key=shares.get, reverse=True)
    matter = [name for name in ranking if shares[name] > floor]
    last_tier = [name for name in shares if notes_tiers[name] == 4]
    alpha_first = ranking[0] == "alpha"
    last_in_noise = all(shares[name] <= floor for name in last_tier)
    surprises = [name for name in matter if notes_tiers[name] >= 3] + [
        name for name in shares if notes_tiers[name] == 2 and shares[name] <= floor
    ]
    return (
        f"Conclusion: on the digits, {ranking[0]} explains {shares[ranking[0]]:.0%} of the "
        f"variation in validation accuracy, "
        + ("the most of all, as the lecture says. " if alpha_first else "more than alpha does. ")
        + f"Above the noise floor ({floor:.0%}): {', '.join(matter)}. "
        + (
            "Adam's beta2 and eps are lost in the noise, as the lecture expects. "
            if last_in_noise
            else f"Of the last tier, {', '.join(n for n in last_tier if shares[n] > floor)} rose "
            "above it. "
        )
        + f"Rank correlation with the notes' tiers: {rho:.2f}"
        + (
            f"; where we differ ({', '.join(surprises)}), Bergstra and Bengio's warning holds: "
            "which hyperparameters matter after alpha depends on the data, the ranges searched "
            "and the training budget."
            if surprises
            else ": the lecture's ranking holds here."
        )
    )


def coarse_to_fine(names, mean_by_round, best_by_round, m_val, n_first_round):
    """Notebook 01: did coarse-to-fine raise the mean trial, and did the best trial gain?

    names: the hyperparameters searched; mean_by_round, best_by_round: the mean and the best
    validation accuracy of each round; m_val: the number of validation images; n_first_round:
    the number of trials of the first round.
    """
    gained = round((max(best_by_round) - best_by_round[0]) * m_val)  # validation images
    return (
        f"Conclusion: coarse-to-fine over {' and '.join(names)} "
        + ("raised" if mean_by_round[-1] > mean_by_round[0] else "did not raise")
        + f" the mean trial: {mean_by_round[0]:.1%} in the first round, {mean_by_round[-1]:.1%} "
        "in the last. "
        + (
            f"The best trial gained {gained} of {m_val} validation images "
            f"({best_by_round[0]:.1%} to {max(best_by_round):.1%}): "
            + (
                "a real gain."
                if gained >= NOISE_IMAGES
                else "within the noise of one training run."
            )
            if gained > 0
            else f"The best trial did not improve on the first round's {best_by_round[0]:.1%}: "
            f"with {n_first_round} random trials, the first round had already landed in the "
            "good region, and the narrower rounds confirm it."
        )
    )


# ---------------------------------------------------------------- notebook 02


def linear_vs_log(never_small):
    """Notebook 02: which scale lets a search of alpha try the small values?

    never_small: dict with "linear" and "log" -> the share of the searches on that scale that
    never tried an alpha below 0.01.
    """
    return (
        f"Conclusion: sampled linearly, {never_small['linear']:.1%} of the searches never try an "
        f"alpha below 0.01; on a log scale {never_small['log']:.1%} do. "
        + (
            "The log scale is the one that explores every decade."
            if never_small["log"] < never_small["linear"]
            else "Here the linear scale explored small alphas as well as the log scale did."
        )
    )


# ---------------------------------------------------------------- notebook 03


def _images(accuracy, m):
    """An accuracy on m examples as the number of them right."""
    return int(round(float(accuracy) * m))


def _apart(a, b, m, what):
    """How far accuracy a is from b, on m examples, in points and in images, and whether that
    is noise: '+0.6 points, +2 of 360 validation images, for caviar: within the noise ...'."""
    n = _images(a, m) - _images(b, m)
    noise = (
        "within the noise of one training run"
        if abs(n) < NOISE_IMAGES
        else "more than the noise of one training run"
    )
    return f"{100 * (a - b):+.1f} points, {n:+d} of {m} {what} images", noise


def choice_by_validation(results, best, by_test, names, m_test):
    """Notebook 03: the caviar model chosen by validation, and whether the test set agrees.

    results: one dict per model with "config", "val_accuracy" (one value per epoch) and
    "test_accuracy"; best: the index chosen by validation; by_test: the index the test set
    would choose (the first of the best on a tie); names: the hyperparameters to show; m_test:
    the number of test images. Accuracies are compared as counts of test images right.
    """
    chosen = results[best]
    lines = [
        f"chosen by validation: model {best} ("
        + ", ".join(f"{name} {chosen['config'][name]:.3g}" for name in names)
        + f"): validation {chosen['val_accuracy'][-1]:.1%}, test {chosen['test_accuracy']:.1%}"
    ]
    right = [_images(result["test_accuracy"], m_test) for result in results]
    lost = max(right) - right[best]  # test images the choice by validation left on the table
    if lost == 0:
        tied = [k for k, n in enumerate(right) if n == right[best] and k != best]
        if tied:
            lines.append(
                f"Its test accuracy ties for the best of the {len(results)} models ("
                + ", ".join(f"model {k}" for k in tied)
                + f" also {chosen['test_accuracy']:.1%}): here the choice was safe."
            )
        else:
            lines.append(
                "The model with the best test accuracy is the same one: here the choice was safe."
            )
    else:
        gap = results[by_test]["test_accuracy"] - chosen["test_accuracy"]
        lines.append(
            f"Chosen by test accuracy it would be model {by_test}, reporting "
            f"{results[by_test]['test_accuracy']:.1%}: {100 * gap:.1f} points more ({lost} of "
            f"{m_test} test images, "
            + (
                "within the noise of one training run"
                if lost < NOISE_IMAGES
                else "more than the noise of one training run"
            )
            + "), and optimistic, since the test set then did the choosing."
        )
    return "\n".join(lines)


def _frozen_from(alphas, share=1e-3):
    """The first epoch (1-based) whose alpha is below share times the first, or None.

    At a thousandth of its start, the learning rate barely moves the weights: the run froze.
    """
    alphas = np.asarray(alphas, dtype=float)
    below = np.flatnonzero(alphas < share * alphas[0])
    return int(below[0]) + 1 if below.size else None


def _stopped_improving(val_accuracy, m_val):
    """The epoch (1-based) after which no later epoch beat the best validation accuracy so far
    by NOISE_IMAGES images or more: from there on, the run gained only noise."""
    right = np.round(np.asarray(val_accuracy, dtype=float) * m_val)
    best_so_far = np.maximum.accumulate(right)
    return int(np.argmax(best_so_far[-1] - best_so_far < NOISE_IMAGES)) + 1


def _count(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _panda_run(name, history, m_val):
    """One sentence: when a scripted panda's alpha froze and when its accuracy stopped rising."""
    alphas = history.alpha
    epochs = len(alphas)
    frozen = _frozen_from(alphas)
    stopped = _stopped_improving(history.val_accuracy, m_val)
    text = f"The {name} panda: " + (
        f"alpha below a thousandth of its start from epoch {frozen} on; "
        if frozen
        else "alpha never below a thousandth of its start; "
    )
    if stopped == epochs:
        return text + (
            f"its validation accuracy was still improving at the end: epoch {epochs}, the last, "
            f"beat its best before by {NOISE_IMAGES} of {m_val} images or more."
        )
    after = "the epoch" if epochs - stopped == 1 else f"the {epochs - stopped} epochs"
    return text + (
        f"its validation accuracy stopped improving at epoch {stopped}: {after} after it added "
        f"fewer than {NOISE_IMAGES} of {m_val} images to its best."
    )


def caviar_vs_panda(
    caviar_final,
    panda_history,
    hasty_history,
    *,
    caviar_test,
    panda_test,
    m_val,
    m_test,
    budget,
    n_models,
    epochs,
    halvings,
    in_caviar_time,
    many_seconds,
    panda_seconds,
    own_epoch,
    own_history,
):
    """Notebook 03: caviar against the patient and the hasty panda, on the same compute.

    caviar_final, caviar_test: the validation and test accuracy of caviar's chosen model;
    panda_history, panda_test: the patient panda's ``nn.History`` and test accuracy;
    hasty_history: the hasty panda's; m_val, m_test: the number of validation and test images;
    budget: epochs of compute each strategy got; n_models, epochs: caviar's K models and their
    epochs each; halvings: how often the hasty panda halved alpha; in_caviar_time: how many
    panda epochs fit in caviar's wall-clock time; many_seconds, panda_seconds: the measured
    times; own_epoch, own_history: the learner's own panda (own_epoch 0: not run yet).
    """
    panda_val = np.array(panda_history.val_accuracy)
    panda_final = panda_val[-1]
    val_apart, val_noise = _apart(caviar_final, panda_final, m_val, "validation")
    test_apart, test_noise = _apart(caviar_test, panda_test, m_test, "test")
    lines = [
        f"Validation accuracy with {budget} epochs of compute: caviar's best {caviar_final:.1%}, "
        f"the patient panda {panda_final:.1%} ({val_apart}, for caviar: {val_noise}), the "
        f"hasty one {hasty_history.val_accuracy[-1]:.1%}.",
        f"Time here: caviar {many_seconds:.2f} s for its {n_models} models at once, the panda "
        f"{panda_seconds:.2f} s for its {budget} epochs one after the other. In caviar's time the "
        f"panda got through about {in_caviar_time} epochs ({panda_val[in_caviar_time - 1]:.1%}); "
        f"with one machine per model caviar would take the time of {epochs} epochs "
        f"({panda_val[epochs - 1]:.1%} for the panda).",
        f"Test accuracy, one look each: caviar's chosen model {caviar_test:.1%}, "
        f"the panda {panda_test:.1%} ({test_apart}, for caviar: {test_noise}).",
    ]
    alphas = np.array(hasty_history.alpha)
    patient_alphas = np.array(panda_history.alpha)
    lines.append(
        f"The hasty rule halved alpha {_count(halvings, 'time')}, down to {alphas[-1]:.2g}: it "
        "reacts to every noisy rise of the validation loss, where a person would look at the "
        "trend. The patient rule halved it "
        f"{_count(int(np.count_nonzero(np.diff(patient_alphas))), 'time')}, down to "
        f"{patient_alphas[-1]:.2g}."
    )
    lines.append(_panda_run("hasty", hasty_history, m_val))
    lines.append(_panda_run("patient", panda_history, m_val))
    hasty_frozen, patient_frozen = _frozen_from(alphas), _frozen_from(patient_alphas)
    if patient_frozen is None:
        lines.append(
            f"Patience kept alpha above a thousandth of its start for all {budget} epochs."
            if hasty_frozen
            else "Neither rule lowered alpha below a thousandth of its start."
        )
    elif hasty_frozen and patient_frozen > hasty_frozen:
        lines.append(
            "Patience postponed the freeze by "
            f"{_count(patient_frozen - hasty_frozen, 'epoch')} but did not prevent it: a rule "
            "that only ever halves alpha, with no floor, freezes the model in the end."
        )
    elif hasty_frozen:
        lines.append(
            f"Patience did not postpone the freeze here: the patient panda froze from epoch "
            f"{patient_frozen}, the hasty one from epoch {hasty_frozen}."
        )
    else:
        lines.append("Only the patient panda froze.")
    if own_epoch:
        lines.append(
            f"Your own panda, at epoch {own_epoch} of the app: validation accuracy "
            f"{own_history.val_accuracy[-1]:.1%} after {own_epoch} epochs of compute."
        )
    else:
        lines.append(
            "Babysit the app of section 1, then run this cell again to compare your own run."
        )
    return "\n".join(lines)


def scaling_out(here, pooled, on_dask, vectorised, seconds, cores):
    """Notebook 03: do the places caviar ran agree, and which was the fastest?

    here, pooled, on_dask: the K validation accuracies of the trials run one by one in this
    process, on a process pool and on Dask; vectorised: the same K from ``nn.train_many``;
    seconds: dict place -> seconds it took, "train_many" places first in their names;
    cores: the machine's number of cores.
    """
    K = len(here)
    same = {"process pool": pooled == here, "Dask": on_dask == here}
    agree = sum(a == b for a, b in zip(vectorised, here, strict=True))
    lines = [
        f"{name}: {'the same' if ok else 'NOT the same'} {K} accuracies as in this process"
        for name, ok in same.items()
    ]
    if agree == K:
        lines.append(f"train_many: the same {K} accuracies as the models trained one by one")
    else:
        largest = max(abs(a - b) for a, b in zip(vectorised, here, strict=True))
        lines.append(
            f"train_many: the same accuracy as one by one for {agree} of {K} models; the others "
            f"differ by at most {largest:.1%} (the same float32 arithmetic in another order)"
        )
    lines += [f"{name:52} {s:6.2f} s" for name, s in seconds.items()]
    fastest = min(seconds, key=seconds.get)
    lines.append(
        f"\nOn this machine ({cores} cores) the fastest was: {fastest}. "
        + (
            "Vectorising small models beats spreading them over processes: a worker pays for its "
            "start and for every message, and a pool cannot add more cores than the machine has."
            if fastest.startswith("train_many")
            else "Spreading the trials over processes paid for the workers' start."
        )
    )
    return "\n".join(lines)


def panda_or_caviar(
    caviar_final,
    panda_final,
    *,
    caviar_test,
    panda_test,
    m_val,
    m_test,
    budget,
    n_models,
    many_seconds,
    panda_seconds,
):
    """Notebook 03: when to be a panda and when caviar, from who won on validation and test.

    caviar_final, panda_final: the validation accuracy of caviar's best model and of the
    patient panda; caviar_test, panda_test: their test accuracy; m_val, m_test: the number of
    validation and test images; budget: epochs of compute each got; n_models: caviar's K;
    many_seconds, panda_seconds: the measured times. A difference of fewer than NOISE_IMAGES
    images is said to be noise, on validation as on test.
    """
    gain = 100 * (caviar_final - panda_final)
    images = _images(caviar_final, m_val) - _images(panda_final, m_val)
    test_images = _images(caviar_test, m_test) - _images(panda_test, m_test)
    if images == 0:
        verdict = f"Here both reached {caviar_final:.1%} with the same {budget} epochs of compute."
    elif abs(images) < NOISE_IMAGES:
        verdict = (
            f"Here caviar's best and the patient panda ended {abs(images)} of {m_val} validation "
            f"images apart ({caviar_final:.1%} against {panda_final:.1%}), within the noise of "
            f"one training run, with the same {budget} epochs of compute: caviar in "
            f"{many_seconds:.2f} s, the panda in {panda_seconds:.2f} s."
        )
    elif images > 0:
        verdict = (
            f"Here caviar's best beat the patient panda by {gain:.1f} points ({images} of {m_val} "
            f"validation images) with the same {budget} epochs of compute, in "
            f"{many_seconds:.2f} s instead of {panda_seconds:.2f} s."
        )
    else:
        verdict = (
            f"Here the patient panda beat caviar's best by {-gain:.1f} points ({-images} of "
            f"{m_val} validation images) with the same {budget} epochs of compute, in "
            f"{panda_seconds:.2f} s against caviar's {many_seconds:.2f} s."
        )
    test_apart, _ = _apart(caviar_test, panda_test, m_test, "test")
    lines = [
        verdict,
        f"Caviar's validation figure is the best of {n_models}, so it flatters caviar a little "
        f"(the same choice bias as choosing by test); the one look at the test set says "
        f"{test_apart}, for caviar ({caviar_test:.1%} against the panda's {panda_test:.1%}).",
    ]
    if abs(test_images) < NOISE_IMAGES:
        lines.append(
            f"Fewer than {NOISE_IMAGES} of {m_test} images apart on the test set, within the "
            "noise of one training run: on a problem this small both strategies find a good "
            "model, and what differs is the cost: caviar's wall-clock time and no attention, "
            "against the panda's one model of memory and an eye on every epoch."
        )
    else:
        lines.append(
            f"{abs(test_images)} of {m_test} images apart on the test set, more than the noise "
            "of one training run: here "
            + ("caviar" if test_images > 0 else "the patient panda")
            + " found the better model."
        )
    lines.append(
        f"Caviar needs the machines to train {n_models} models at once (here one vectorised "
        f"computation of {many_seconds:.2f} s); the panda needs one model's compute and your "
        "attention at every epoch. With compute to spare, be caviar; with one big model and "
        "little compute, be a panda, and let checkpoints make its mistakes cheap."
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- notebook 04


def with_and_without_batchnorm(steps, final, target, alphas):
    """Notebook 04: where each arm reached the target and ended above it, and how fast, alpha
    by alpha.

    steps: dict (batchnorm, alpha) -> the optimizer steps a run took to first reach ``target``
    validation accuracy (None: never), measured after every step; final: dict (batchnorm,
    alpha) -> its validation accuracy at the end; alphas: every learning rate tried.
    """
    reached = {bn: [a for a in alphas if steps[(bn, a)] is not None] for bn in (True, False)}
    held = {bn: [a for a in reached[bn] if final[(bn, a)] >= target] for bn in (True, False)}

    def outcome(bn, arm):
        if not reached[bn]:
            return f"{arm} never reached {target:.0%}"
        return (
            f"{arm} reached {target:.0%} at {len(reached[bn])} of {len(alphas)} learning rates "
            f"and ended above it at {len(held[bn])}"
        )

    lines = [
        f"Conclusion: {outcome(True, 'with batch norm the network')}; "
        f"{outcome(False, 'without, it')}."
    ]
    both = [a for a in reached[True] if a in reached[False]]
    ratios = [steps[(True, a)] / steps[(False, a)] for a in both]  # below 1: batch norm faster
    consistent = bool(ratios) and (max(ratios) < 1 or min(ratios) > 1)
    if ratios:
        span = (
            f"{ratios[0]:.2g} times"
            if len(ratios) == 1
            else f"{min(ratios):.2g} to {max(ratios):.2g} times"
        )
        where = _count(len(both), "learning rate")
        if consistent:
            verdict = "fewer" if max(ratios) < 1 else "more"
            lines.append(
                f"At the same learning rate batch norm needed {verdict} steps at all {where}: "
                f"{span} the steps without it (measured after every step; the paper's 14 "
                "times fewer was on a deep network)."
            )
        else:
            lines.append(
                f"At the same learning rate neither was consistently faster: batch norm took "
                f"{span} the steps without it ({where}, measured after every step), not the "
                "paper's 14 times fewer, which was on a deep network."
            )
    only_one = [a for a in alphas if (a in held[True]) != (a in held[False])]
    if only_one:
        a = max(only_one)
        bn = a in held[True]
        winner, loser = final[(bn, a)], final[(not bn, a)]
        fell = (
            f"; the other reached it at step {steps[(not bn, a)]}, then fell"
            if steps[(not bn, a)] is not None
            else ""
        )
        gain = (
            ": in these runs (one seed each), batch norm's gain is a larger learning rate that "
            "still trains, not speed"
            if bn and ratios and not consistent
            else ""
        )
        lines.append(
            f"At alpha = {a:g} only the run {'with' if bn else 'without'} batch norm ended above "
            f"{target:.0%} ({winner:.0%} against {loser:.0%}{fell}){gain}."
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- notebook 05


def one_example_alone(outputs, beta):
    """Notebook 05: does batch norm in train mode give every lone example the same output, beta?

    outputs: the Z_tilde, each (n_l, 1), of two examples sent through alone; beta: (n_l, 1).
    """
    same = np.allclose(outputs[0], outputs[1]) and np.allclose(outputs[0], beta)
    return f"beta = {beta.ravel()}: " + (
        "both examples come out as beta; the layer has forgotten its input."
        if same
        else "the outputs differ."
    )


def example_alone_or_in_batch(change):
    """Notebook 05: does an example's output depend on its batch, in each mode?

    change: dict mode ("inference", "train") -> the largest change of the example's scores
    between alone and inside a batch.
    """
    return (
        f"In inference mode the example's scores change by {change['inference']:.2g}"
        + (" (float32 rounding only)" if change["inference"] < 1e-4 else "")
        + f"; in train mode by {change['train']:.3g}: there they depend on its batch."
    )


def running_vs_batch_statistics(results, alone_classes, y_test):
    """Notebook 05: test accuracy with the running statistics against batch statistics.

    results: dict "running statistics", "batches of 1", "batches of 8", "batches of 64" and
    f"batches of {m_test}" -> test accuracy; alone_classes: the distinct classes predicted for
    the examples alone with batch statistics; y_test: (m_test,) the test labels.
    """
    m_test = y_test.size
    running, one = results["running statistics"], results["batches of 1"]
    worse = [m for m in (8, 64) if results[f"batches of {m}"] < running - 0.005]
    if alone_classes.size == 1:
        c = alone_classes[0]
        alone_text = (
            f"Alone (m = 1), all {m_test} examples are called a {c}: {one:.1%}, the share of "
            f"{c}s in the test set ({np.mean(y_test == c):.1%}). "
        )
    else:
        alone_text = f"Alone (m = 1), {one:.1%} ({alone_classes.size} different predictions). "
    return (
        f"Conclusion: running statistics give {running:.1%}. "
        + alone_text
        + (
            f"Small batches still lose accuracy ({', '.join(f'm = {m}' for m in worse)}); "
            if worse
            else "Batches of 8 and more already match it on this test set; "
        )
        + f"the whole test set as one batch gives {results[f'batches of {m_test}']:.1%}, but a "
        "deployed model sees one example at a time."
    )


# ---------------------------------------------------------------- notebook 06


def softmax_on_digits(test_accuracy, m_test, pairs):
    """Notebook 06: how well softmax regression classifies the digits, and what it confuses.

    test_accuracy: on the m_test test digits; pairs: every confusion as (count, true digit,
    predicted digit), most frequent first.
    """
    errors = int(sum(n for n, _, _ in pairs))
    head = (
        f"Conclusion: softmax regression, straight boundaries in 64 dimensions, classifies "
        f"{test_accuracy:.1%} of the {m_test} test digits"
    )
    if errors == 0:
        return head + " without an error."
    repeated = [pair for pair in pairs if pair[0] >= 2][:3]  # a pair seen once leads nothing
    if not repeated:
        return head + f"; its {_count(errors, 'error')} are each a different confusion."
    top = ", ".join(f"{i} as {j} ({n})" for n, i, j in repeated)
    rest = pairs[len(repeated) :]
    others = int(sum(n for n, _, _ in rest))
    if not rest:
        tail = ""
    elif others == len(rest):
        tail = f"; the other {others} are each a different confusion"
    else:
        tail = f"; the other {others} are spread over {len(rest)} pairs"
    return head + f"; its {errors} errors are led by {top}{tail}."


# ---------------------------------------------------------------- notebook 07


def capstone_coarse_to_fine(best_random, best_by_round, m_val):
    """Notebook 07: did coarse to fine find a better trial than the random search had?

    best_random: the best random trial's validation accuracy; best_by_round: the best of each
    coarse-to-fine round; m_val: the number of validation images.
    """
    best_fine = max(best_by_round)
    difference, noise = _apart(best_fine, best_random, m_val, "validation")
    gained = _images(best_fine, m_val) - _images(best_random, m_val)
    verdict = "beat" if gained > 0 else ("matched" if gained == 0 else "did not beat")
    return (
        f"Coarse to fine's best trial, {best_fine:.1%}, {verdict} the best random trial, "
        f"{best_random:.1%} ({difference}, {noise})"
        + (
            "."
            if gained >= NOISE_IMAGES
            else ": the random search had already found as good a config; coarse to fine "
            "narrowed the region that step 4 draws from."
        )
    )


def tuned_vs_untuned(trials, default_test, tuned_test, m_test, epochs, steps):
    """Notebook 07: did tuning pay, on the one look at the test set?

    trials: how many trials the tuning ran; default_test, tuned_test: the test accuracy of the
    untuned and the tuned model, on m_test digits; epochs: how long each was trained; steps:
    dict "untuned", "tuned" -> the optimizer steps each took in those epochs (the mini-batch
    size sets how many steps an epoch is).
    """
    errors_default = round((1 - default_test) * m_test)
    errors_tuned = round((1 - tuned_test) * m_test)
    fewer = errors_default - errors_tuned
    if steps["tuned"] == steps["untuned"]:
        budget = f"the same {epochs} epochs and {steps['tuned']} steps"
    else:
        budget = (
            f"the same {epochs} epochs ({steps['tuned']} steps against {steps['untuned']}: "
            + (
                "smaller mini-batches, more steps per epoch)"
                if steps["tuned"] > steps["untuned"]
                else "larger mini-batches, fewer steps per epoch)"
            )
        )
    if fewer >= NOISE_IMAGES:
        verdict = f"Tuning paid: in {budget}, the tuned model makes fewer mistakes."
    elif fewer > 0:
        verdict = (
            f"In {budget}, the tuned model makes {_count(fewer, 'mistake')} fewer: within the "
            "noise of one training run, not a gain this test set can show."
        )
    else:
        verdict = f"In {budget}, the tuned model was no better than the defaults on the test set."
    return (
        f"Conclusion: {trials} trials of tuning took the test accuracy from {default_test:.1%} "
        f"to {tuned_test:.1%} ({errors_default} to {errors_tuned} of {m_test} digits wrong). "
        + verdict
    )
