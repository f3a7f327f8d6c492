"""The notebooks' concluding sentences: each branch, from small inputs whose answer is known."""

from types import SimpleNamespace

import numpy as np

from course_utils import conclusions

# ---------------------------------------------------------------- notebook 01


def test_random_vs_grid_says_the_grid_wastes_trials_when_random_wins_more_with_one_that_matters():
    text = conclusions.random_vs_grid({0.0: 0.8, 1.0: 0.55}, n_per_axis=4, repeats=10)
    assert "with 16 trials" in text
    assert "beats the grid in 80% of 10 repeats" in text
    assert "when both matter equally, in 55%" in text
    assert "a grid wastes its trials on repeated values" in text
    assert "kept up" not in text


def test_random_vs_grid_says_the_grid_kept_up_otherwise():
    text = conclusions.random_vs_grid({0.0: 0.5, 1.0: 0.5}, n_per_axis=5, repeats=400)
    assert "Here the grid kept up" in text
    assert "wastes" not in text


TIERS = {"alpha": 1, "beta1": 2, "layers": 3, "beta2": 4, "eps": 4}


def test_importance_vs_lecture_when_the_lecture_holds():
    shares = {"alpha": 0.5, "beta1": 0.2, "layers": 0.01, "beta2": 0.02, "eps": 0.0}
    text = conclusions.importance_vs_lecture(shares, 0.05, TIERS, 0.8)
    assert text.startswith("Conclusion: on the digits, alpha explains 50% of the variation")
    assert "the most of all, as the lecture says" in text
    assert "Above the noise floor (5%): alpha, beta1. " in text
    assert "beta2 and eps are lost in the noise" in text
    assert text.endswith(
        "Rank correlation with the notes' tiers: 0.80: the lecture's ranking holds here."
    )


def test_importance_vs_lecture_when_another_hyperparameter_comes_first():
    shares = {"alpha": 0.2, "beta1": 0.3, "layers": 0.0, "beta2": 0.0, "eps": 0.0}
    text = conclusions.importance_vs_lecture(shares, 0.05, TIERS, 0.5)
    assert "on the digits, beta1 explains 30%" in text
    assert "more than alpha does" in text
    assert "the most of all" not in text
    assert "Above the noise floor (5%): beta1, alpha. " in text


def test_importance_vs_lecture_names_the_last_tier_above_the_floor_and_the_surprises():
    # beta2 (tier 4) and layers (tier 3) above the floor, beta1 (tier 2) below it
    shares = {"alpha": 0.4, "beta1": 0.01, "layers": 0.1, "beta2": 0.2, "eps": 0.0}
    text = conclusions.importance_vs_lecture(shares, 0.05, TIERS, -0.25)
    assert "Of the last tier, beta2 rose above it." in text
    assert "lost in the noise" not in text
    assert (
        "Rank correlation with the notes' tiers: -0.25; where we differ (beta2, layers, beta1)"
        in text
    )
    assert "the lecture's ranking holds here" not in text


def test_coarse_to_fine_with_a_raised_mean_and_a_real_gain():
    text = conclusions.coarse_to_fine(
        ["alpha", "beta1"], [0.5, 0.7, 0.8], [0.9, 0.95, 0.92], m_val=100, n_first_round=12
    )
    assert text.startswith("Conclusion: coarse-to-fine over alpha and beta1 raised the mean trial")
    assert "50.0% in the first round, 80.0% in the last" in text
    assert "gained 5 of 100 validation images (90.0% to 95.0%): a real gain." in text


def test_coarse_to_fine_with_a_gain_within_the_noise_and_a_mean_that_did_not_rise():
    text = conclusions.coarse_to_fine(
        ["alpha"], [0.7, 0.6], [0.90, 0.94], m_val=100, n_first_round=12
    )
    assert "over alpha did not raise the mean trial" in text
    assert "gained 4 of 100 validation images" in text
    assert "within the noise of one training run." in text


def test_coarse_to_fine_when_the_best_trial_did_not_improve():
    text = conclusions.coarse_to_fine(
        ["alpha"], [0.7, 0.8], [0.9, 0.85], m_val=100, n_first_round=7
    )
    assert "The best trial did not improve on the first round's 90.0%: with 7 random trials" in text
    assert "gained" not in text


# ---------------------------------------------------------------- notebook 02


def test_linear_vs_log_when_the_log_scale_tries_small_alphas_more_often():
    text = conclusions.linear_vs_log({"linear": 0.8, "log": 0.003})
    assert "sampled linearly, 80.0% of the searches" in text
    assert "on a log scale 0.3% do" in text
    assert "The log scale is the one that explores every decade." in text


def test_linear_vs_log_when_it_does_not():
    text = conclusions.linear_vs_log({"linear": 0.1, "log": 0.1})
    assert "Here the linear scale explored small alphas as well" in text
    assert "explores every decade" not in text


# ---------------------------------------------------------------- notebook 03


def _model(alpha, val, test):
    return {
        "config": {"alpha": alpha, "beta1": 0.9},
        "val_accuracy": [0.5, val],
        "test_accuracy": test,
    }


def test_choice_by_validation_when_the_test_set_agrees():
    results = [_model(0.01, 0.9, 0.8), _model(0.1234, 0.95, 0.9)]
    text = conclusions.choice_by_validation(results, 1, 1, ["alpha", "beta1"], m_test=40)
    first, second = text.split("\n")
    assert (
        first
        == "chosen by validation: model 1 (alpha 0.123, beta1 0.9): validation 95.0%, test 90.0%"
    )
    assert "the same one: here the choice was safe" in second
    assert "ties" not in second


def test_choice_by_validation_says_a_tie_for_the_best_test_accuracy_is_a_tie():
    # the test set's argmax is model 0, but model 1 (chosen) has the same 35 of 40 right
    results = [_model(0.01, 0.9, 0.875), _model(0.1, 0.95, 0.875), _model(0.3, 0.7, 0.8)]
    text = conclusions.choice_by_validation(results, 1, 0, ["alpha"], m_test=40)
    second = text.split("\n")[1]
    assert second == (
        "Its test accuracy ties for the best of the 3 models (model 0 also 87.5%): "
        "here the choice was safe."
    )
    assert "would be model" not in text and "optimistic" not in text


def test_choice_by_validation_when_the_test_set_would_choose_another_within_the_noise():
    # 136 against 140 of 160 test images: 4 images, fewer than NOISE_IMAGES
    results = [_model(0.01, 0.9, 0.8), _model(0.1, 0.95, 0.85), _model(0.3, 0.7, 0.875)]
    text = conclusions.choice_by_validation(results, 1, 2, ["alpha"], m_test=160)
    assert "model 1 (alpha 0.1)" in text
    assert (
        "it would be model 2, reporting 87.5%: 2.5 points more (4 of 160 test images, within the "
        "noise of one training run), and optimistic" in text
    )
    assert "safe" not in text


def test_choice_by_validation_when_the_test_set_would_choose_another_beyond_the_noise():
    # 170 against 175 of 200 test images: NOISE_IMAGES exactly is more than noise
    results = [_model(0.01, 0.9, 0.8), _model(0.1, 0.95, 0.85), _model(0.3, 0.7, 0.875)]
    text = conclusions.choice_by_validation(results, 1, 2, ["alpha"], m_test=200)
    assert "2.5 points more (5 of 200 test images, more than the noise of one training run)" in text


def _history(val_accuracy, alpha):
    return SimpleNamespace(val_accuracy=list(val_accuracy), alpha=list(alpha))


# 100 validation images: the patient panda's best is 85 from epoch 3 (epoch 2's 80 is exactly
# NOISE_IMAGES below it: not yet within the noise); the hasty one improves to its last epoch
PATIENT_VAL = [0.5, 0.8, 0.85, 0.85]
HASTY_VAL = [0.4, 0.5, 0.55, 0.75]
STEADY = [1e-3, 1e-3, 5e-4, 2.5e-4]  # never below a thousandth of its start


def _caviar_vs_panda(patient_alpha, hasty_alpha, own_epoch=0, own_history=None):
    return conclusions.caviar_vs_panda(
        0.9,
        _history(PATIENT_VAL, patient_alpha),
        _history(HASTY_VAL, hasty_alpha),
        caviar_test=0.85,
        panda_test=0.83,
        m_val=100,
        m_test=100,
        budget=4,
        n_models=2,
        epochs=2,
        halvings=3,
        in_caviar_time=3,
        many_seconds=1.234,
        panda_seconds=5.0,
        own_epoch=own_epoch,
        own_history=own_history,
    )


def test_caviar_vs_panda_reports_the_same_compute_in_points_and_images():
    lines = _caviar_vs_panda(STEADY, [1.0, 0.01, 0.0005, 0.0001]).split("\n")
    assert len(lines) == 8
    assert (
        "caviar's best 90.0%, the patient panda 85.0% (+5.0 points, +5 of 100 validation "
        in (lines[0])
    )
    assert "images, for caviar: more than the noise of one training run)" in lines[0]
    assert "the hasty one 75.0%" in lines[0]
    assert "caviar 1.23 s for its 2 models at once, the panda 5.00 s for its 4 epochs" in lines[1]
    assert "about 3 epochs (85.0%)" in lines[1]  # the panda's accuracy after epoch 3
    assert "the time of 2 epochs (80.0% for the panda)" in lines[1]
    assert lines[2] == (
        "Test accuracy, one look each: caviar's chosen model 85.0%, the panda 83.0% (+2.0 points, "
        "+2 of 100 test images, for caviar: within the noise of one training run)."
    )
    assert "halved alpha 3 times, down to 0.0001" in lines[3]
    assert lines[3].endswith("The patient rule halved it 2 times, down to 0.00025.")
    assert lines[7].startswith("Babysit the app of section 1")


def test_caviar_vs_panda_when_only_the_hasty_panda_froze():
    lines = _caviar_vs_panda(STEADY, [1.0, 0.01, 0.0005, 0.0001]).split("\n")
    # hasty: alpha 0.0005 < 1e-3 * 1.0 from the third epoch; still improving at its last
    assert lines[4] == (
        "The hasty panda: alpha below a thousandth of its start from epoch 3 on; its validation "
        "accuracy was still improving at the end: epoch 4, the last, beat its best before by 5 "
        "of 100 images or more."
    )
    assert lines[5] == (
        "The patient panda: alpha never below a thousandth of its start; its validation accuracy "
        "stopped improving at epoch 3: the epoch after it added fewer than 5 of 100 images to "
        "its best."
    )
    assert lines[6] == "Patience kept alpha above a thousandth of its start for all 4 epochs."


def test_caviar_vs_panda_when_both_froze_and_patience_only_postponed_it():
    lines = _caviar_vs_panda([1e-3, 1e-3, 1e-3, 1e-7], [1.0, 0.01, 0.0005, 0.0001]).split("\n")
    assert lines[5].startswith(
        "The patient panda: alpha below a thousandth of its start from epoch 4 on; its"
    )
    assert lines[6].startswith(
        "Patience postponed the freeze by 1 epoch but did not prevent it: a rule that only ever "
        "halves alpha, with no floor, freezes the model in the end."
    )


def test_caviar_vs_panda_when_patience_froze_no_later_or_alone():
    lines = _caviar_vs_panda([1.0, 1e-4, 1e-4, 1e-4], [1.0, 0.01, 0.0005, 0.0001]).split("\n")
    assert lines[6] == (
        "Patience did not postpone the freeze here: the patient panda froze from epoch 2, the "
        "hasty one from epoch 3."
    )
    lines = _caviar_vs_panda([1.0, 0.5, 5e-4, 5e-4], [1.0, 0.01, 0.0005, 0.0001]).split("\n")
    assert lines[6].startswith("Patience did not postpone the freeze here")  # same epoch
    lines = _caviar_vs_panda([1.0, 1e-4, 1e-4, 1e-4], STEADY).split("\n")
    assert lines[4].startswith("The hasty panda: alpha never below a thousandth of its start")
    assert lines[6] == "Only the patient panda froze."


def test_caviar_vs_panda_when_neither_froze_and_with_the_learners_own_run():
    text = _caviar_vs_panda(STEADY, STEADY, 2, _history([0.3, 0.625], [1e-3, 1e-3]))
    lines = text.split("\n")
    assert lines[6] == "Neither rule lowered alpha below a thousandth of its start."
    assert "from epoch" not in text
    assert lines[7].startswith("Your own panda, at epoch 2 of the app: validation accuracy 62.5%")
    assert lines[7].endswith("after 2 epochs of compute.")


def _scaling_out(vectorised, pooled, seconds):
    here = [0.5, 0.75, 0.8]
    return conclusions.scaling_out(here, pooled, list(here), vectorised, seconds, cores=2)


def test_scaling_out_when_every_place_agrees_and_train_many_is_the_fastest():
    seconds = {"train_many, this process": 0.5, "process pool, 2 workers": 3.0}
    text = _scaling_out([0.5, 0.75, 0.8], [0.5, 0.75, 0.8], seconds)
    assert "process pool: the same 3 accuracies as in this process" in text
    assert "Dask: the same 3 accuracies as in this process" in text
    assert "train_many: the same 3 accuracies as the models trained one by one" in text
    assert f"\n{'process pool, 2 workers':52}   3.00 s\n" in text
    assert "(2 cores) the fastest was: train_many, this process. Vectorising small models" in text


def test_scaling_out_when_places_disagree_and_a_pool_is_the_fastest():
    seconds = {"train_many, this process": 5.0, "process pool, 2 workers": 3.0}
    text = _scaling_out([0.5, 0.7, 0.825], [0.5, 0.75, 0.9], seconds)
    assert "process pool: NOT the same 3 accuracies" in text
    assert "Dask: the same 3" in text
    assert "for 1 of 3 models; the others differ by at most 5.0%" in text
    assert "the fastest was: process pool, 2 workers. Spreading the trials" in text


def _panda_or_caviar(caviar_final, panda_final, caviar_test, panda_test, m_val=200, m_test=200):
    return conclusions.panda_or_caviar(
        caviar_final,
        panda_final,
        caviar_test=caviar_test,
        panda_test=panda_test,
        m_val=m_val,
        m_test=m_test,
        budget=160,
        n_models=32,
        many_seconds=0.5,
        panda_seconds=2.0,
    )


def test_panda_or_caviar_when_caviar_wins_and_the_test_set_is_within_the_noise():
    # validation: 190 against 185 of 200 (NOISE_IMAGES exactly); test: 180 against 179
    text = _panda_or_caviar(0.95, 0.925, 0.9, 0.895)
    assert text.startswith(
        "Here caviar's best beat the patient panda by 2.5 points (5 of 200 validation images)"
    )
    assert "in 0.50 s instead of 2.00 s" in text
    assert "the best of 32" in text
    assert (
        "says +0.5 points, +1 of 200 test images, for caviar (90.0% against the panda's 89.5%)"
        in (text)
    )
    assert "Fewer than 5 of 200 images apart on the test set, within the noise" in text
    assert "found the better model" not in text


def test_panda_or_caviar_when_the_panda_wins_and_the_test_set_is_beyond_the_noise():
    # validation: 360 against 370 of 400; test: 349 against 355 of 400
    text = _panda_or_caviar(0.9, 0.925, 0.8725, 0.8875, m_val=400, m_test=400)
    assert text.startswith(
        "Here the patient panda beat caviar's best by 2.5 points (10 of 400 validation images)"
    )
    assert "in 2.00 s against caviar's 0.50 s" in text
    assert (
        "says -1.5 points, -6 of 400 test images, for caviar (87.2% against the panda's 88.8%)"
        in (text)
    )
    assert (
        "6 of 400 images apart on the test set, more than the noise of one training run: here "
        "the patient panda found the better model." in text
    )
    assert "Fewer than" not in text


def test_panda_or_caviar_says_a_validation_difference_within_the_noise_is_noise():
    # validation: 90 against 86 of 100 (4 images); test: 95 against 90 of 100 (5 images)
    text = _panda_or_caviar(0.9, 0.86, 0.95, 0.9, m_val=100, m_test=100)
    assert text.startswith(
        "Here caviar's best and the patient panda ended 4 of 100 validation images apart (90.0% "
        "against 86.0%), within the noise of one training run, with the same 160 epochs of "
        "compute: caviar in 0.50 s, the panda in 2.00 s."
    )
    assert "beat" not in text.split("\n")[0]
    assert "here caviar found the better model." in text


def test_panda_or_caviar_on_a_tie():
    text = _panda_or_caviar(0.9, 0.9, 0.9, 0.9)
    assert text.startswith("Here both reached 90.0% with the same 160 epochs of compute.")
    assert "beat" not in text.split("\n")[0]


def test_one_noise_threshold_decides_notebooks_01_and_03(monkeypatch):
    monkeypatch.setattr(conclusions, "NOISE_IMAGES", 6)
    text = conclusions.coarse_to_fine(["alpha"], [0.5, 0.8], [0.9, 0.95], 100, 12)
    assert "gained 5 of 100 validation images (90.0% to 95.0%): within the noise" in text
    text = _panda_or_caviar(0.95, 0.925, 0.9, 0.875)  # 5 images apart on validation and test
    assert text.startswith("Here caviar's best and the patient panda ended 5 of 200 validation")
    assert "Fewer than 6 of 200 images apart on the test set" in text
    results = [_model(0.01, 0.9, 0.875), _model(0.1, 0.95, 0.85)]
    text = conclusions.choice_by_validation(results, 1, 0, ["alpha"], m_test=200)
    assert "(5 of 200 test images, within the noise of one training run)" in text


# ---------------------------------------------------------------- notebook 04

ALPHAS = [0.01, 0.1, 1.0]


def _sweep(with_bn, without_bn):
    """steps and final of notebook 04's experiment from {alpha: (steps or None, final)} each."""
    runs = {True: with_bn, False: without_bn}
    steps = {(bn, a): runs[bn][a][0] for bn in runs for a in ALPHAS}
    final = {(bn, a): runs[bn][a][1] for bn in runs for a in ALPHAS}
    return steps, final


def test_with_and_without_batchnorm_when_neither_is_consistently_faster_but_one_diverges():
    steps, final = _sweep(
        {0.01: (None, 0.8), 0.1: (72, 0.95), 1.0: (14, 0.94)},
        {0.01: (None, 0.82), 0.1: (67, 0.95), 1.0: (11, 0.10)},
    )
    first, second, third = conclusions.with_and_without_batchnorm(steps, final, 0.9, ALPHAS).split(
        "\n"
    )
    assert first == (
        "Conclusion: with batch norm the network reached 90% at 2 of 3 learning rates and ended "
        "above it at 2; without, it reached 90% at 2 of 3 learning rates and ended above it at 1."
    )
    # 72 / 67 = 1.07 and 14 / 11 = 1.27: slower at both
    assert "batch norm needed more steps at all 2 learning rates: 1.1 to 1.3 times" in second
    assert third == (
        "At alpha = 1 only the run with batch norm ended above 90% (94% against 10%; the "
        "other reached it at step 11, then fell)."
    )


def test_with_and_without_batchnorm_names_the_gain_when_speed_is_mixed():
    steps, final = _sweep(
        {0.01: (200, 0.91), 0.1: (27, 0.97), 1.0: (14, 0.94)},
        {0.01: (190, 0.91), 0.1: (34, 0.97), 1.0: (None, 0.10)},
    )
    _, second, third = conclusions.with_and_without_batchnorm(steps, final, 0.9, ALPHAS).split("\n")
    assert "neither was consistently faster: batch norm took 0.79 to 1.1 times" in second
    assert "(2 learning rates, measured after every step)" in second
    assert third.endswith(
        "(94% against 10%): in these runs (one seed each), batch norm's gain is a larger "
        "learning rate that still trains, not speed."
    )


def test_with_and_without_batchnorm_when_batchnorm_is_faster_everywhere():
    steps, final = _sweep(
        {0.01: (100, 0.95), 0.1: (20, 0.95), 1.0: (5, 0.95)},
        {0.01: (300, 0.95), 0.1: (50, 0.95), 1.0: (None, 0.5)},
    )
    text = conclusions.with_and_without_batchnorm(steps, final, 0.9, ALPHAS)
    assert "batch norm needed fewer steps at all 2 learning rates: 0.33 to 0.4 times" in text
    assert "only the run with batch norm ended above 90% (95% against 50%)." in text
    assert "gain is" not in text  # it was faster too: no claim that speed is not the gain


def test_with_and_without_batchnorm_when_only_the_run_without_holds():
    steps, final = _sweep(
        {0.01: (None, 0.5), 0.1: (40, 0.95), 1.0: (30, 0.2)},
        {0.01: (None, 0.5), 0.1: (40, 0.95), 1.0: (30, 0.93)},
    )
    text = conclusions.with_and_without_batchnorm(steps, final, 0.9, ALPHAS)
    assert "neither was consistently faster: batch norm took 1 to 1 times" in text
    assert text.endswith(
        "At alpha = 1 only the run without batch norm ended above 90% (93% against 20%; "
        "the other reached it at step 30, then fell)."
    )


def test_with_and_without_batchnorm_when_one_arm_never_reached_the_target():
    steps, final = _sweep(
        {0.01: (30, 0.96), 0.1: (None, 0.5), 1.0: (None, 0.5)},
        {0.01: (None, 0.9), 0.1: (None, 0.5), 1.0: (None, 0.5)},
    )
    text = conclusions.with_and_without_batchnorm(steps, final, 0.95, ALPHAS)
    first, second = text.split("\n")
    assert first.endswith("; without, it never reached 95%.")
    # no ratio without two arms that reached it
    assert (
        second == "At alpha = 0.01 only the run with batch norm ended above 95% (96% against 90%)."
    )


# ---------------------------------------------------------------- notebook 05


def test_one_example_alone_when_both_come_out_as_beta():
    beta = np.array([[0.5], [-1.0]])
    text = conclusions.one_example_alone([beta.copy(), beta.copy()], beta)
    assert (
        text
        == "beta = [ 0.5 -1. ]: both examples come out as beta; the layer has forgotten its input."
    )


def test_one_example_alone_when_the_outputs_differ():
    beta = np.array([[0.5], [-1.0]])
    text = conclusions.one_example_alone([beta, beta + 1], beta)
    assert text.endswith(": the outputs differ.")


def test_example_alone_or_in_batch_names_float32_rounding_below_1e_4():
    text = conclusions.example_alone_or_in_batch({"inference": 2.5e-7, "train": 3.14159})
    assert text.startswith(
        "In inference mode the example's scores change by 2.5e-07 (float32 rounding only);"
    )
    assert "in train mode by 3.14: there they depend on its batch." in text


def test_example_alone_or_in_batch_says_nothing_of_rounding_above_1e_4():
    text = conclusions.example_alone_or_in_batch({"inference": 0.01, "train": 3.0})
    assert "change by 0.01; in train mode by 3:" in text
    assert "rounding" not in text


def _statistics_results(running, by_m):
    return {"running statistics": running, **{f"batches of {m}": a for m, a in by_m.items()}}


def test_running_vs_batch_statistics_when_alone_every_example_gets_one_class_and_batches_lose():
    y_test = np.array([3, 3, 1, 0, 2, 2, 2, 2])  # m_test = 8; a quarter are 3s
    results = _statistics_results(0.9, {1: 0.25, 8: 0.7, 64: 0.8975})
    text = conclusions.running_vs_batch_statistics(results, np.array([3]), y_test)
    assert text.startswith("Conclusion: running statistics give 90.0%. ")
    assert "Alone (m = 1), all 8 examples are called a 3: 25.0%, the share of 3s" in text
    assert "in the test set (25.0%). " in text
    assert "Small batches still lose accuracy (m = 8); " in text  # 64 is within half a point
    assert "the whole test set as one batch gives 70.0%" in text


def test_running_vs_batch_statistics_with_several_classes_alone_and_batches_that_match():
    y_test = np.arange(100) % 10  # m_test = 100
    results = _statistics_results(0.9, {1: 0.3, 8: 0.9, 64: 0.9, 100: 0.91})
    text = conclusions.running_vs_batch_statistics(results, np.array([1, 4, 7]), y_test)
    assert "Alone (m = 1), 30.0% (3 different predictions). " in text
    assert "Batches of 8 and more already match it on this test set; " in text
    assert "the whole test set as one batch gives 91.0%" in text


# ---------------------------------------------------------------- notebook 06


def test_softmax_on_digits_counts_every_error_and_names_the_three_most_frequent():
    pairs = [(5, 8, 1), (3, 9, 3), (2, 4, 7), (2, 5, 6), (1, 2, 8)]
    text = conclusions.softmax_on_digits(0.9, 360, pairs)
    assert "classifies 90.0% of the 360 test digits; its 13 errors are led by " in text
    assert text.endswith(
        "led by 8 as 1 (5), 9 as 3 (3), 4 as 7 (2); the other 3 are spread over 2 pairs."
    )
    assert "2 as 8" not in text


def test_softmax_on_digits_never_lets_a_single_confusion_lead():
    pairs = [(3, 8, 1), (2, 4, 8), (1, 9, 1), (1, 2, 8), (1, 3, 5)]
    text = conclusions.softmax_on_digits(0.9, 360, pairs)
    assert text.endswith(
        "its 8 errors are led by 8 as 1 (3), 4 as 8 (2); the other 3 are each a different "
        "confusion."
    )
    singles = conclusions.softmax_on_digits(0.99, 360, [(1, 9, 1), (1, 2, 8)])
    assert singles.endswith("; its 2 errors are each a different confusion.")
    assert conclusions.softmax_on_digits(1.0, 360, []).endswith("test digits without an error.")


# ---------------------------------------------------------------- notebook 07


def test_capstone_coarse_to_fine_when_it_did_not_beat_the_random_search():
    text = conclusions.capstone_coarse_to_fine(0.975, [0.969, 0.972, 0.964], 360)
    assert text == (
        "Coarse to fine's best trial, 97.2%, did not beat the best random trial, 97.5% "
        "(-0.3 points, -1 of 360 validation images, within the noise of one training run): the "
        "random search had already found as good a config; coarse to fine narrowed the region "
        "that step 4 draws from."
    )


def test_capstone_coarse_to_fine_when_it_matched_or_beat_it():
    matched = conclusions.capstone_coarse_to_fine(0.975, [0.975], 360)
    assert "best trial, 97.5%, matched the best random trial" in matched
    beat = conclusions.capstone_coarse_to_fine(0.9, [0.95, 0.92], 360)
    assert "best trial, 95.0%, beat the best random trial, 90.0% (+5.0 points, +18 of 360" in beat
    assert beat.endswith("more than the noise of one training run).")
    assert "already found" not in beat


STEPS = {"untuned": 204, "tuned": 408}


def test_tuned_vs_untuned_when_tuning_paid_says_the_steps_it_took():
    text = conclusions.tuned_vs_untuned(100, 0.9, 0.95, 200, 12, STEPS)
    assert text.startswith(
        "Conclusion: 100 trials of tuning took the test accuracy from 90.0% to 95.0%"
    )
    assert "(20 to 10 of 200 digits wrong)" in text
    assert text.endswith(
        "Tuning paid: in the same 12 epochs (408 steps against 204: smaller mini-batches, more "
        "steps per epoch), the tuned model makes fewer mistakes."
    )
    fewer = conclusions.tuned_vs_untuned(100, 0.9, 0.95, 200, 12, {"untuned": 9, "tuned": 5})
    assert "(5 steps against 9: larger mini-batches, fewer steps per epoch)" in fewer
    same = conclusions.tuned_vs_untuned(100, 0.9, 0.95, 200, 12, {"untuned": 9, "tuned": 9})
    assert "in the same 12 epochs and 9 steps, the tuned" in same


def test_tuned_vs_untuned_within_the_noise():
    text = conclusions.tuned_vs_untuned(100, 0.9, 0.91, 200, 12, STEPS)
    assert "(20 to 18 of 200 digits wrong)" in text
    assert "the tuned model makes 2 mistakes fewer: within the noise" in text
    assert "Tuning paid" not in text


def test_tuned_vs_untuned_when_it_did_not():
    text = conclusions.tuned_vs_untuned(100, 0.95, 0.95, 200, 12, STEPS)
    assert "(10 to 10 of 200 digits wrong)" in text
    assert text.endswith("the tuned model was no better than the defaults on the test set.")
    assert "Tuning paid" not in text
