"""Week 2: evaluating diagnostic models.

Lessons, in teaching order:

``diagnostic_metrics``  counts of true/false positives/negatives at a threshold, then
                        accuracy, prevalence, sensitivity, specificity, PPV and NPV
``confusion_matrix``    the 2 x 2 table in one go; PPV from prevalence (Bayes' rule)
``roc_auc``             the ROC curve by a threshold sweep; AUC two ways
``thresholds``          choosing an operating point on the ROC curve
``bootstrap``           a confidence interval for the AUC
``precision_recall``    the precision-recall curve and the F1 score
``calibration``         reliability curves, the Brier score and Platt scaling
"""
