// Model quality metrics: AUC, logloss, calibration, ranking metrics and more
