#!/usr/bin/env python3
"""XGBoost's time and test AUC on the 800k x 28 benchmark set, regenerated in memory exactly as
../../../../shared/bench/make_big.py makes it (same generator and seed), for runs where the CSVs are
already cached. Prints the same line as make_big.py."""
import time
import numpy as np
import xgboost as xgb
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

X, y = make_classification(n_samples=1_000_000, n_features=28, n_informative=14, n_redundant=6,
                           flip_y=0.05, class_sep=0.8, random_state=7)
X = X.astype(np.float32)
ntr = 800_000
t = time.time()
d = xgb.DMatrix(X[:ntr], label=y[:ntr], nthread=2)
b = xgb.train(dict(tree_method="hist", max_bin=255, max_depth=6, eta=0.1, nthread=2,
                   objective="binary:logistic", seed=0), d, 200)
secs = time.time() - t
p = b.predict(xgb.DMatrix(X[ntr:], nthread=2))
print(f"xgboost {xgb.__version__}: train {secs:.2f} s, test AUC {roc_auc_score(y[ntr:], p):.6f}")
