"""The one table of graded exercises: `EXERCISES`.

Each row names the learner's function (lesson file + name), its oracle (always
from `reference`, never from `solutions`), its points, its public and hidden
cases and how to compare. Case builders and oracle adapters live in
`autograder.cases`, one module per week. Each row's ``forbidden`` starts from
its lesson's entry in `FORBIDDEN` (`autograder.forbidden_table`, the integrity
rule's table), to which the row's own names are added.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from autograder.cases import models as wm
from autograder.cases import week1 as w1
from autograder.cases import week1_explore as we
from autograder.cases import week1_xray as wx
from autograder.cases import week2 as w2
from autograder.cases import week3 as w3
from autograder.cases import week3_unet2d3d as w3u
from autograder.cases import week3_volumes as w3v
from autograder.cases.mistakes_week1 import MISTAKES as _MISTAKES1
from autograder.cases.mistakes_week2 import MISTAKES as _MISTAKES2
from autograder.cases.mistakes_week3 import MISTAKES as _MISTAKES3
from autograder.compare import Compare
from autograder.forbidden_table import FORBIDDEN
from autograder.spec import Exercise

__all__ = ["EXERCISES", "FORBIDDEN", "lessons", "select"]

# The rows keep their compact, aligned layout (ruff format leaves them alone).
# fmt: off
# week 1: from-scratch kernels ------------------------------------------------------
# Forwards grade `out` only (pick=0: the learner's cache never leaves the worker).
# Backwards run the gradient check FIRST, so a backward that disagrees with the
# learner's own forward is reported as such ("the backward is wrong"); the round
# trip against the reference then checks the values (and the tie conventions).
_ACT, _CONV = "week1/activations.py", "week1/convolution.py"
_POOL, _BN = "week1/pooling.py", "week1/batchnorm.py"
_F32 = Compare(rtol=1e-4, atol=1e-5, dtype="exact")  # float32 in -> float32 out
_BACKWARD = "gradcheck+roundtrip"

WEEK1: tuple[Exercise, ...] = (
    # week1/activations.py
    Exercise(module=_ACT, name="relu_forward", points=1, oracle=w1.relu_forward_oracle,
             public=w1.relu_public, hidden=w1.relu_hidden, pick=0, compare=_F32,
             hint="Build a new array of x's dtype (np.maximum works element by "
                  "element); never change x in place."),
    Exercise(module=_ACT, name="relu_backward", points=1,
             oracle=w1.relu_backward_oracle, public=w1.relu_public,
             hidden=w1.relu_hidden, kind=_BACKWARD, compare=_F32,
             hint="dx = dout where x > 0 and 0 elsewhere, also where x == 0."),
    Exercise(module=_ACT, name="sigmoid", points=1, oracle=w1.sigmoid_oracle,
             public=w1.sigmoid_public, hidden=w1.sigmoid_hidden, compare=_F32,
             hint="Never exponentiate a positive number: exp(-|x|) lies in (0, 1]; use "
                  "the x >= 0 form or the x < 0 form of Notes per element, and keep "
                  "x's dtype."),
    # week1/convolution.py
    Exercise(module=_CONV, name="conv_forward_naive", points=2,
             oracle=w1.conv_forward_oracle, public=w1.conv_public,
             hidden=w1.conv_hidden, pick=0, compare=_F32,
             hint="Per axis the output size is 1 + (size + 2 * padding - kernel) // "
                  "stride; each output pixel is its filter's bias plus the sum of "
                  "window times filter over the zero-padded copy (Notes)."),
    Exercise(module=_CONV, name="conv_backward_naive", points=3,
             oracle=w1.conv_backward_oracle, public=w1.conv_public,
             hidden=w1.conv_hidden, kind=_BACKWARD, compare=_F32,
             names=("dx", "dw", "db"),
             hint="db sums dout over the batch and both spatial axes; every dout[n, f, "
                  "i, j] sends dout times its window to dw[f] and dout times w[f] to "
                  "that window of dx_pad (overlaps add up); cut the padding off."),
    # week1/pooling.py
    Exercise(module=_POOL, name="max_pool_forward", points=2,
             oracle=w1.max_pool_forward_oracle, public=w1.max_pool_public,
             hidden=w1.max_pool_hidden, pick=0, compare=_F32,
             hint="stride defaults to the kernel; pad with -inf, not zeros, so a "
                  "padded cell never wins (even when every real value is negative)."),
    Exercise(module=_POOL, name="max_pool_backward", points=3,
             oracle=w1.max_pool_backward_oracle, public=w1.max_pool_public,
             hidden=w1.max_pool_hidden, kind=_BACKWARD, compare=_F32,
             hint="Only the FIRST maximum of each window, in row-major order (what "
                  "np.argmax finds), gets dout[n, c, i, j]; overlapping windows add "
                  "up."),
    # week1/batchnorm.py
    Exercise(module=_BN, name="batchnorm_forward", points=2,
             oracle=w1.batchnorm_forward_oracle, public=w1.batchnorm_public,
             hidden=w1.batchnorm_hidden, pick=0, compare=_F32,
             hint="Per channel over axes (0, 2, 3): training uses x.mean and the "
                  "biased x.var; evaluation uses running_mean and running_var."),
    Exercise(module=_BN, name="batchnorm_backward", points=3,
             oracle=w1.batchnorm_backward_oracle, public=w1.batchnorm_public,
             hidden=w1.batchnorm_hidden, kind=_BACKWARD, compare=_F32,
             names=("dx", "dgamma", "dbeta"),
             hint="Training mode: the batch mean and variance depend on every x of the "
                  "channel, so subtract both paths of Notes before scaling by 1 / "
                  "sqrt(var + eps); evaluation mode only scales."),
)

# week 1: chest X-ray data and losses ----------------------------------------------
# Random answers (a patient split, resampled rows) are graded by property checks
# (`verify`), each with a repeated case that must give the same answer (same seed).
_LEAK, _IMB = "week1/data_leakage.py", "week1/class_imbalance.py"
_LOSS, _AUG = "week1/weighted_loss.py", "week1/augmentation.py"
_VOTE, _STD = "week1/consensus.py", "week1/standardization.py"

WEEK1_XRAY: tuple[Exercise, ...] = (
    # week1/data_leakage.py
    Exercise(module=_LEAK, name="check_for_leakage", points=1, oracle=wx.leakage_oracle,
             public=wx.leakage_public, hidden=wx.leakage_hidden,
             hint="Leakage means at least one patient id in both tables (a non-empty "
                  "set intersection); return a Python bool, not the shared ids."),
    Exercise(module=_LEAK, name="split_by_patient", points=3, oracle=None,
             public=wx.split_public, hidden=wx.split_hidden, verify=wx.split_verify,
             all_or_nothing=True,
             hint="Assign whole patients, rarest finding first, to a split that still "
                  "lacks it (Notes step 3); shuffle once, with a generator made from "
                  "seed."),
    # week1/class_imbalance.py
    Exercise(module=_IMB, name="compute_class_freqs", points=1, oracle=wx.freqs_oracle,
             public=wx.freqs_public, hidden=wx.freqs_hidden,
             names=("positive_frequencies", "negative_frequencies"),
             hint="Average down the rows (axis=0): one frequency per finding."),
    Exercise(module=_IMB, name="balance_by_resampling", points=2, oracle=None,
             public=wx.balance_public, hidden=wx.balance_hidden,
             verify=wx.balance_verify, all_or_nothing=True,
             hint='"over": every row once plus minority rows drawn with replacement; '
                  '"under": every minority row plus as many majority rows without.'),
    # week1/weighted_loss.py
    Exercise(module=_LOSS, name="binary_cross_entropy", points=1, oracle=wx.bce_oracle,
             public=wx.bce_public, hidden=wx.bce_hidden,
             hint="epsilon goes inside the logs; mean over the images (axis 0), then "
                  "sum over the findings."),
    Exercise(module=_LOSS, name="get_weighted_loss", points=2,
             oracle=wx.weighted_loss_oracle, public=wx.weighted_loss_public,
             hidden=wx.weighted_loss_hidden,
             hint="Each finding uses its own pair of weights: the mean over the "
                  "images, then the sum over the findings (Returns); epsilon inside "
                  "both logs."),
    Exercise(module=_LOSS, name="weighted_loss_grad", points=2,
             oracle=wx.weighted_grad_oracle, public=wx.weighted_grad_public,
             hidden=wx.weighted_grad_hidden,
             hint="Differentiate the loss entry by entry: the mean over the N images "
                  "divides every entry by N, and epsilon stays in both denominators "
                  "(Returns)."),
    # week1/augmentation.py
    Exercise(module=_AUG, name="shift_image", points=1, oracle=wx.shift_image_oracle,
             public=wx.shift_public, hidden=wx.shift_hidden,
             hint="Zeros where the image moved away (no wrap-around as np.roll does); "
                  "a shift of the image's size or more leaves only zeros."),
    Exercise(module=_AUG, name="adjust_contrast", points=1,
             oracle=wx.adjust_contrast_oracle, public=wx.contrast_public,
             hidden=wx.contrast_hidden,
             hint="One mean per image, over the last two axes only (not over the "
                  "batch), kept as size-1 axes so it broadcasts back."),
    # week1/consensus.py
    Exercise(module=_VOTE, name="majority_vote", points=1,
             oracle=wx.majority_vote_oracle, public=wx.vote_public,
             hidden=wx.vote_hidden, compare=Compare(dtype="ignore"),
             hint="Count the 1 and the 0 votes down axis 1; a tie counts as 1."),
    # week1/standardization.py
    Exercise(module=_STD, name="fit_standardization", points=1,
             oracle=wx.fit_standardization_oracle, public=wx.standardize_fit_public,
             hidden=wx.standardize_fit_hidden, compare=Compare(rtol=1e-5, atol=1e-7),
             names=("mean", "std"),
             hint="Per channel over axes (0, 2, 3); np.std with ddof=0."),
    Exercise(module=_STD, name="apply_standardization", points=1,
             oracle=wx.apply_standardization_oracle, public=wx.standardize_apply_public,
             hidden=wx.standardize_apply_hidden, compare=Compare(rtol=1e-5, atol=1e-6),
             hint="Broadcast the (C,) statistics as (1, C, 1, 1); divide a channel "
                  "with std 0 by 1."),
    # week1/data_exploration.py
    Exercise(module="week1/data_exploration.py", name="label_counts", points=1,
             oracle=we.label_counts_oracle, public=we.label_counts_public,
             hidden=we.label_counts_hidden,
             hint="Column sums (axis=0) as a dict {name: int(count)}, every name "
                  "present, also with count 0."),
    Exercise(module="week1/data_exploration.py", name="images_per_patient", points=1,
             oracle=we.patients_oracle, public=we.patients_public,
             hidden=we.patients_hidden, names=("unique_ids", "counts"),
             hint="np.unique sorts the distinct ids and can count them too; return "
                  "(ids, counts)."),
    Exercise(module="week1/data_exploration.py", name="pixel_histogram", points=1,
             oracle=we.histogram_oracle, public=we.histogram_public,
             hidden=we.histogram_hidden, names=("counts", "edges"),
             hint="np.histogram does the binning; flatten the images first and pass "
                  "range on, even when it is None."),
    # week1/transfer_learning.py
    Exercise(module="week1/transfer_learning.py", name="freeze_backbone_names",
             points=1, oracle=we.freeze_names_oracle,
             public=we.freeze_names_public, hidden=we.freeze_names_hidden,
             hint="Keep, in input order, the names that begin with the head name and a "
                  'dot; "features.classifier.weight" is not the head.'),
    Exercise(module="week1/transfer_learning.py", name="count_parameters", points=1,
             oracle=we.count_parameters_oracle, public=we.count_parameters_public,
             hidden=we.count_parameters_hidden, names=("n_trainable", "n_total"),
             hint="A shape holds the product of its entries (1 for the shape ()); "
                  "return (trainable, total) as Python ints."),
)

# week 2 ---------------------------------------------------------------------------
_DM, _CM = "week2/diagnostic_metrics.py", "week2/confusion_matrix.py"
_ROC, _TH, _BS = "week2/roc_auc.py", "week2/thresholds.py", "week2/bootstrap.py"
_PR, _CAL = "week2/precision_recall.py", "week2/calibration.py"
_COUNT = ("A score equal to th is a positive prediction; count the patients where both "
          "conditions hold (a boolean array sums as 0/1).")
_RATE = ("Count with NumPy (np.sum) and divide plainly: NumPy integer 0 / 0 gives "
         "nan, the expected answer when the denominator is empty.")

WEEK2: tuple[Exercise, ...] = (
    # week2/diagnostic_metrics.py: the course's own functions (y, pred, th=0.5)
    Exercise(module=_DM, name="true_positives", points=1,
             oracle=w2.count_oracle((1, 1)),
             public=w2.binary_public, hidden=w2.binary_hidden, hint=_COUNT),
    Exercise(module=_DM, name="true_negatives", points=1,
             oracle=w2.count_oracle((0, 0)),
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint=_COUNT + " TN: y == 0 and predicted negative (pred < th)."),
    Exercise(module=_DM, name="false_positives", points=1,
             oracle=w2.count_oracle((0, 1)),
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint=_COUNT + " FP: y == 0 but predicted positive."),
    Exercise(module=_DM, name="false_negatives", points=1,
             oracle=w2.count_oracle((1, 0)),
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint=_COUNT + " FN: y == 1 but predicted negative (pred < th)."),
    Exercise(module=_DM, name="get_accuracy", points=1, oracle=w2.accuracy_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="(TP + TN) / (TP + TN + FP + FN); pass th on to the counts."),
    Exercise(module=_DM, name="get_prevalence", points=1, oracle=w2.prevalence_oracle,
             public=w2.prevalence_public, hidden=w2.prevalence_hidden,
             hint="The fraction of labels equal to 1: np.mean of the 0/1 labels."),
    Exercise(module=_DM, name="get_sensitivity", points=1,
             oracle=w2.sensitivity_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TP / (TP + FN): out of the diseased patients. " + _RATE),
    Exercise(module=_DM, name="get_specificity", points=1,
             oracle=w2.specificity_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TN / (TN + FP): out of the healthy patients. " + _RATE),
    Exercise(module=_DM, name="get_ppv", points=1, oracle=w2.ppv_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TP / (TP + FP): out of those predicted positive. " + _RATE),
    Exercise(module=_DM, name="get_npv", points=1, oracle=w2.npv_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TN / (TN + FN): out of those predicted negative. " + _RATE),
    # week2/confusion_matrix.py
    Exercise(module=_CM, name="confusion_matrix", points=1,
             oracle=w2.confusion_oracle,
             public=w2.decision_public, hidden=w2.decision_hidden,
             hint="Rows are the truth, columns the decision: [[TN, FP], [FN, TP]], "
                  "an integer array; labels may be bools or floats 0./1."),
    Exercise(module=_CM, name="ppv_from_prevalence", points=1, oracle=w2.bayes_oracle,
             public=w2.bayes_public, hidden=w2.bayes_hidden,
             hint="Bayes' rule (Returns): true positives over all positives, both per "
                  "patient screened; a false positive is a healthy patient (1 - "
                  "prevalence) who tests positive (1 - specificity)."),
    # week2/roc_auc.py
    Exercise(module=_ROC, name="roc_curve", points=3, oracle=w2.roc_curve_oracle,
             public=w2.curve_public, hidden=w2.curve_hidden,
             names=("fpr", "tpr", "thresholds"),
             hint="Thresholds: inf, then the distinct scores in decreasing order; at "
                  "each, y_score >= th is positive; fpr = FP / negatives, tpr = TP / "
                  "positives."),
    Exercise(module=_ROC, name="auc_trapezoid", points=1, oracle=w2.auc_oracle,
             public=w2.trapezoid_public, hidden=w2.trapezoid_hidden,
             hint="Sum width times mean height over the segments: the width is the "
                  "step in fpr, the height the mean of the two tpr values at its "
                  "ends."),
    Exercise(module=_ROC, name="auc_mann_whitney", points=2, oracle=w2.roc_auc_oracle,
             public=w2.curve_public, hidden=w2.ranking_hidden,
             hint="Average over all (diseased, healthy) pairs: 1 if the diseased "
                  "score is higher, 1/2 for a tie, 0 otherwise; NaN if a class is "
                  "missing."),
    # week2/thresholds.py
    Exercise(module=_TH, name="threshold_youden", points=1, oracle=w2.youden_oracle,
             public=w2.threshold_public, hidden=w2.threshold_hidden,
             hint="Maximise J = tpr - fpr over the full ROC curve; np.argmax returns "
                  "the first best point (the highest threshold), which is the tie "
                  "rule."),
    Exercise(module=_TH, name="threshold_closest_to_corner", points=1,
             oracle=w2.closest_oracle,
             public=w2.threshold_public, hidden=w2.threshold_hidden,
             hint="Minimise the squared distance to the corner (fpr, tpr) = (0, 1), no "
                  "square root needed; np.argmin returns the first best point (the "
                  "highest threshold)."),
    # week2/bootstrap.py
    Exercise(module=_BS, name="bootstrap_auc_ci", points=3, oracle=w2.bootstrap_oracle,
             public=w2.bootstrap_public, hidden=w2.bootstrap_hidden,
             compare=Compare(rtol=1e-9, atol=1e-12), names=("estimate", "low", "high"),
             hint="Follow the Notes' steps exactly: ONE generator made from seed, "
                  "before the loop; in each round the positives' draw, then the "
                  "negatives'; the percentiles at 100 * alpha / 2 and 100 * (1 - alpha "
                  "/ 2)."),
    # week2/precision_recall.py
    Exercise(module=_PR, name="precision_recall_curve", points=2,
             oracle=w2.pr_curve_oracle,
             public=w2.curve_public, hidden=w2.pr_curve_hidden,
             names=("precision", "recall", "thresholds"),
             hint="Thresholds: the distinct scores in increasing order; precision = TP "
                  "/ flagged, recall = TP / positives; then append the end point, "
                  "precision 1 and recall 0."),
    Exercise(module=_PR, name="f1_score", points=1, oracle=w2.f1_oracle,
             public=w2.decision_public, hidden=w2.decision_hidden,
             hint="2 TP / (2 TP + FP + FN) with NumPy integer counts (0 / 0 is nan)."),
    # week2/calibration.py
    Exercise(module=_CAL, name="calibration_curve", points=2,
             oracle=w2.calibration_oracle,
             public=w2.calibration_public, hidden=w2.calibration_hidden,
             names=("prob_true", "prob_pred"),
             hint="Bins as in Notes: a probability on an inner edge goes to the LOWER "
                  "bin (np.searchsorted on the inner edges does that); leave out the "
                  "empty bins."),
    Exercise(module=_CAL, name="brier_score", points=1, oracle=w2.brier_oracle,
             public=w2.probability_public, hidden=w2.probability_hidden,
             hint="The mean of the squared differences between probability and label; "
                  "convert the labels to float first (bools cannot be subtracted)."),
    Exercise(module=_CAL, name="platt_fit", points=3, oracle=w2.platt_oracle,
             public=w2.platt_public, hidden=w2.platt_hidden,
             compare=Compare(rtol=1e-6, atol=1e-7), names=("a", "b"),
             hint="Use Platt's smoothed targets from Notes, not 0/1, and start from "
                  "the Notes' (a, b); each Newton step subtracts the solution of H "
                  "step = g."),
)

# week 3: brain MRI segmentation -------------------------------------------------------
# get_sub_volume draws its corner with the course's global np.random, which the grader
# cannot seed in the learner's worker: it is graded by a property check (`verify`).
_SV, _STD, _DICE = "week3/sub_volumes.py", "week3/standardization.py", "week3/dice.py"
_SOFT, _SS = "week3/soft_dice.py", "week3/sens_spec.py"
_AUG, _TILE, _REG = ("week3/augmentation3d.py", "week3/tiled_prediction.py",
                     "week3/registration.py")
_DICE_HINT = ("Twice the overlap over the total size of both masks (Returns); every "
              "sum over `axis` only; epsilon once in the numerator and once in the "
              "denominator.")

WEEK3: tuple[Exercise, ...] = (
    Exercise(module=_SV, name="get_sub_volume", points=2, oracle=None,
             public=w3.sub_volume_public, hidden=w3.sub_volume_hidden,
             verify=w3.verify_sub_volume, all_or_nothing=True,
             hint="Follow Notes step by step: the corner from np.random.randint for x, "
                  "then y, then z (upper bound exclusive); accept when the background "
                  "fraction is below the threshold; channels and classes first, class "
                  "0 dropped; None after max_tries."),
    Exercise(module=_STD, name="standardize", points=1, oracle=w3.standardize_oracle,
             public=w3.standardize_public, hidden=w3.standardize_hidden,
             compare=Compare(rtol=1e-5, atol=1e-5, dtype="exact"),
             hint="Per channel and z-slice: centre, then divide by the std of the "
                  "centred slice only if it is not 0 (a constant slice becomes zeros); "
                  "the output is float64 whatever the input dtype."),
    Exercise(module=_DICE, name="single_class_dice_coefficient", points=1,
             oracle=w3.single_dice_oracle,
             public=w3.single_dice_public, hidden=w3.single_dice_hidden,
             compare=Compare(rtol=1e-5, atol=1e-7), hint=_DICE_HINT),
    Exercise(module=_DICE, name="dice_coefficient", points=1, oracle=w3.dice_oracle,
             public=w3.dice_public, hidden=w3.dice_hidden,
             compare=Compare(rtol=1e-5, atol=1e-7),
             hint=_DICE_HINT + " Then the mean over the classes."),
    Exercise(module=_SOFT, name="soft_dice_loss", points=1, oracle=w3.soft_dice_oracle,
             public=w3.soft_dice_public, hidden=w3.soft_dice_hidden,
             compare=Compare(rtol=1e-5, atol=1e-7),
             hint="Like the Dice coefficient, but the denominator sums the SQUARES of "
                  "y_true and y_pred; the loss is 1 minus the mean over the classes."),
    Exercise(module=_SOFT, name="soft_dice_loss_grad", points=2,
             oracle=w3.soft_dice_grad_oracle,
             public=w3.soft_dice_grad_public, hidden=w3.soft_dice_grad_hidden,
             compare=Compare(rtol=1e-5, atol=1e-7),
             hint="The formula is under Returns: N and D summed over `axis` with "
                  "keepdims so they broadcast back; n is the number of ratios averaged "
                  "(the classes), not of voxels."),
    Exercise(module=_SS, name="compute_class_sens_spec", points=1,
             oracle=w3.class_sens_spec_oracle,
             public=w3.sens_spec_public, hidden=w3.sens_spec_hidden,
             names=("sensitivity", "specificity"),
             hint="pred comes first; count on pred[class_num] and label[class_num]; "
                  "sensitivity = TP / (TP + FN), specificity = TN / (TN + FP)."),
    Exercise(module=_AUG, name="apply_augmentation", points=1,
             oracle=w3v.augmentation_oracle,
             public=w3v.augmentation_public, hidden=w3v.augmentation_hidden,
             compare=Compare(rtol=1e-6, atol=1e-6), names=("image_out", "label_out"),
             hint="Spatial axis a is image axis 1 + a and label axis s + a, s being "
                  "the label's first spatial axis (Notes); flip first, then rotate the "
                  "(x, y) axes of both; scale the image only."),
    Exercise(module=_TILE, name="tile_starts", points=1, oracle=w3v.tile_starts_oracle,
             public=w3v.tile_starts_public, hidden=w3v.tile_starts_hidden,
             hint="Starts 0, stride, 2 * stride, ... while the tile fits, then size "
                  "- patch at the end unless it is already the last start; return a "
                  "list."),
    Exercise(module=_TILE, name="stitch_tiles", points=2, oracle=w3v.stitch_oracle,
             public=w3v.stitch_public, hidden=w3v.stitch_hidden,
             compare=Compare(rtol=1e-5, atol=1e-6),
             hint="Sum the tiles into a (K, X, Y, Z) total and count the tiles "
                  "covering each voxel, then divide; an uncovered voxel divides by 1, "
                  "so it stays 0."),
    Exercise(module=_REG, name="rigid_matrix_2d", points=1, oracle=w3v.rigid_oracle,
             public=w3v.rigid_public, hidden=w3v.rigid_hidden,
             compare=Compare(rtol=1e-9, atol=1e-9),
             hint="Rotation R in the top-left 2 x 2 block, the translation center - R "
                  "center + shift in the last column, bottom row (0, 0, 1); see "
                  "Returns."),
    Exercise(module=_REG, name="phase_correlation", points=2, oracle=w3v.phase_oracle,
             public=w3v.phase_public, hidden=w3v.phase_hidden,
             hint="Normalise the cross-power spectrum to magnitude 1 (leave 0 where it "
                  "is 0), transform back, take the real part's argmax; an index k > n "
                  "// 2 stands for the shift k - n."),
    Exercise(module=_REG, name="warp_label", points=2, oracle=w3v.warp_oracle,
             public=w3v.warp_public, hidden=w3v.warp_hidden,
             hint="Pull: output voxel p reads the label at q = M p; inside the grid (0 "
                  "<= q <= n - 1 on every axis) take the nearest voxel, halves rounded "
                  "up, else 0."),
    # week3/unet_2d_vs_3d.py
    Exercise(module="week3/unet_2d_vs_3d.py", name="volume_to_slices", points=1,
             oracle=w3u.to_slices_oracle, public=w3u.slices_public,
             hidden=w3u.slices_hidden, compare=Compare(rtol=0, atol=0, dtype="exact"),
             names=("image_slices", "label_slices"),
             hint="z is the LAST axis of (C, X, Y, Z): move it to the front, for the "
                  "image and for the label; return both as a tuple."),
    Exercise(module="week3/unet_2d_vs_3d.py", name="slices_to_volume", points=1,
             oracle=w3u.to_volume_oracle, public=w3u.volume_public,
             hidden=w3u.volume_hidden, compare=Compare(rtol=0, atol=0, dtype="exact"),
             hint="The inverse of volume_to_slices: (Z, K, X, Y) -> (K, X, Y, Z), the "
                  "first axis moves to the end."),
    Exercise(module="week3/unet_2d_vs_3d.py", name="count_parameters_conv", points=1,
             oracle=w3u.conv_count_oracle, public=w3u.conv_count_public,
             hidden=w3u.conv_count_hidden, compare=Compare(rtol=0, atol=0),
             all_or_nothing=True,
             hint="C_out * C_in * kernel ** ndim, plus C_out when bias is True."),
    Exercise(module="week3/unet_2d_vs_3d.py", name="count_parameters_unet", points=2,
             oracle=w3u.unet_count_oracle, public=w3u.unet_count_public,
             hidden=w3u.unet_count_hidden, compare=Compare(rtol=0, atol=0),
             hint="List the convs of Notes level by level, with their in and out "
                  "channels; no bias with batch norm but 2 parameters per output "
                  "channel for the norm; the 1 x 1 head has a bias."),
)

# models: DenseNet and U-Net blocks ---------------------------------------------------
# The learner wires reference kernels (batch norm, ReLU, conv, pooling) into blocks;
# the oracles are the reference modules (reference.nn) loaded with the same weights.
# Forwards grade `out` (pick=0); backwards run the gradient check, then the round trip.
_DN, _UN = "week1/densenet_blocks.py", "week3/unet_blocks.py"
_SPLIT = ("x FEEDS the concatenation AND the path, so its two gradients add: the first "
          "C channels of dout plus the path's dx; ")

MODELS: tuple[Exercise, ...] = (
    # week1/densenet_blocks.py
    Exercise(module=_DN, name="dense_layer_forward", points=2,
             oracle=wm.dense_layer_forward_oracle, public=wm.dense_layer_public,
             hidden=wm.dense_layer_hidden, pick=0, compare=_F32,
             hint="BN-ReLU-1x1 conv-BN-ReLU-3x3 conv (padding 1, no bias), then "
                  "concatenate along the channels: x FIRST, then the new maps."),
    Exercise(module=_DN, name="dense_layer_backward", points=3,
             oracle=wm.dense_layer_backward_oracle, public=wm.dense_layer_public,
             hidden=wm.dense_layer_hidden, kind=_BACKWARD, compare=_F32,
             hint=_SPLIT + "the other channels go back through conv2, relu2, bn2, "
                  "conv1, relu1, bn1 in that order."),
    Exercise(module=_DN, name="transition_forward", points=2,
             oracle=wm.transition_forward_oracle, public=wm.transition_public,
             hidden=wm.transition_hidden, pick=0, compare=_F32,
             hint="BN, ReLU, 1x1 conv (no bias), then 2x2 average pooling with stride "
                  "2 (an odd last row or column is dropped)."),
    Exercise(module=_DN, name="transition_backward", points=2,
             oracle=wm.transition_backward_oracle, public=wm.transition_public,
             hidden=wm.transition_hidden, kind=_BACKWARD, compare=_F32,
             names=("dx", "dgamma", "dbeta", "dw"),
             hint="The forward's four steps in reverse, each with its own cache "
                  "(conv_backward's db is None); Returns gives the order of the "
                  "gradients."),
    Exercise(module=_DN, name="dense_block_forward", points=2,
             oracle=wm.dense_block_forward_oracle, public=wm.dense_block_public,
             hidden=wm.dense_block_hidden, pick=0, compare=_F32,
             hint="Each layer's output is the next one's input (Notes), so the "
                  "channels grow by G per layer; with no layers, out is x itself."),
    Exercise(module=_DN, name="gradcam_map", points=3, oracle=wm.gradcam_oracle,
             public=wm.gradcam_public, hidden=wm.gradcam_hidden, compare=_F32,
             hint="alpha = spatial MEAN of dactivations; ReLU of sum over channels of "
                  "alpha * activations; resize; divide by each map's max only where it "
                  "is > 0 (else zeros); keep the dtype."),
    # week3/unet_blocks.py
    Exercise(module=_UN, name="nearest_upsample_backward", points=2,
             oracle=wm.upsample_backward_oracle, public=wm.upsample_public,
             hidden=wm.upsample_hidden, compare=_F32,
             hint="Sum (do not average) each block: reshape (N, C, H*s, W*s) to "
                  "(N, C, H, s, W, s) and sum over the s axes; any number of spatial "
                  "axes."),
    Exercise(module=_UN, name="decoder_level_forward", points=2,
             oracle=wm.decoder_forward_oracle, public=wm.decoder_public,
             hidden=wm.decoder_hidden, pick=0, compare=_F32,
             hint="Join the upsampled x and the skip along the channels, upsampled "
                  "maps FIRST (w1 expects that order); then conv (padding 1) and ReLU, "
                  "twice, with the biases."),
    Exercise(module=_UN, name="decoder_level_backward", points=3,
             oracle=wm.decoder_backward_oracle, public=wm.decoder_public,
             hidden=wm.decoder_hidden, kind=_BACKWARD, compare=_F32,
             hint="Split djoined at C_x (x's channels): the first C_x are the "
                  "upsampled maps' gradient (sum each 2x2 block for dx), the rest is "
                  "dskip."),
)
# fmt: on

# Course order: grouped by week (a stable sort keeps each block's own order); the
# usual mistakes (`autograder.mistakes`) come from the cases' mistakes_week* tables.
_MISTAKES = {**_MISTAKES1, **_MISTAKES2, **_MISTAKES3}
EXERCISES: tuple[Exercise, ...] = tuple(
    replace(
        row,
        forbidden=(*FORBIDDEN.get(row.module, ()), *row.forbidden),
        mistakes=_MISTAKES.get(row.id, row.mistakes),
    )
    for row in sorted(
        (*WEEK1_XRAY, *WEEK1, *WEEK2, *WEEK3, *MODELS), key=lambda e: e.week
    )
)


def lessons() -> list[str]:
    """Lesson files in course order, such as ``"week2/diagnostic_metrics.py"``."""
    return list(dict.fromkeys(e.module for e in EXERCISES))


def _meanings(key: str, matches: list[Exercise]) -> list[str]:
    """Return the dotted ids a bare lesson or exercise name stands for.

    More than one means the name is ambiguous: ``standardization`` is a
    lesson of week 1 and of week 3.
    """
    lessons_ = {f"{e.week}.{e.lesson}" for e in matches if e.lesson == key}
    if len(lessons_) > 1:
        return sorted(lessons_)
    named = [e for e in matches if e.name == key]
    if len({e.module for e in named}) > 1:
        return [e.id for e in named]
    return []


def _suggestions(key: str) -> list[str]:
    """Return the selectors closest to a misspelt one."""
    words = {e.week for e in EXERCISES} | {e.lesson for e in EXERCISES}
    words |= {e.name for e in EXERCISES} | {f"{e.week}.{e.lesson}" for e in EXERCISES}
    words |= {e.id for e in EXERCISES}
    kept: list[str] = []
    for word in difflib.get_close_matches(key, sorted(words), n=6, cutoff=0.7):
        # "week2.diagnostic_metrics" adds nothing to "diagnostic_metrics"
        if not any(k.endswith("." + word) or word.endswith("." + k) for k in kept):
            kept.append(word)
    return kept[:3]


def select(selectors: list[str] | None) -> list[Exercise]:
    """Return the exercises matching any selector: week, lesson, name or dotted id.

    Raises
    ------
    ValueError
        If a selector matches nothing (with the closest names: "did you
        mean ...?"), or is a lesson or exercise name that several weeks use
        (with the dotted ids to choose from).
    """
    if not selectors:
        return list(EXERCISES)
    chosen = []
    for selector in selectors:
        key = selector.removesuffix(".py").replace("/", ".")
        matches = [
            e
            for e in EXERCISES
            if key in (e.week, e.lesson, e.name, e.id, f"{e.week}.{e.lesson}")
        ]
        if not matches:
            weeks = sorted({e.week for e in EXERCISES})
            close = _suggestions(key)
            options = ", ".join(close[:-1]) + " or " + close[-1] if close else ""
            mean = f"did you mean {options.removeprefix(' or ')}? " if close else ""
            raise ValueError(
                f"no exercise matches {selector!r}; {mean}try a week "
                f"({', '.join(weeks)}), a lesson or an exercise name from `ai4md list`"
            )
        meanings = _meanings(key, matches)
        if meanings:
            raise ValueError(
                f"{selector!r} is ambiguous: it names {', '.join(meanings)}; "
                "give one of these dotted ids"
            )
        chosen += [e for e in matches if e not in chosen]
    return [e for e in EXERCISES if e in chosen]
