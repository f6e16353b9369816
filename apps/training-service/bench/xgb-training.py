#!/usr/bin/env python3
"""XGBoost reference for `npm run bench:training`: trains on the train / validation matrices that
training.bench.ts exported (export-matrices.ts: raw float32, NaN = missing) with the parameters given
as JSON, early stopping on validation logloss, and prints one JSON line: seconds (DMatrix construction
and training; reading the files is not timed) and the CPU seconds of all threads in them, rounds
trained and kept, and the test AUC (sklearn) of the kept rounds. Benchmark-only (Debian's python3 with xgboost); the product never runs Python.
    xgb-training.py <dir> '<params json>' <num_boost_round> <early_stopping_rounds>"""
import json, os, sys, time
import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score

root, params, rounds, patience = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
meta = json.load(open(os.path.join(root, "meta.json")))
F = meta["features"]

def load(name):
    x = np.fromfile(os.path.join(root, f"{name}.x.f32"), dtype="<f4").reshape(-1, F)
    y = np.fromfile(os.path.join(root, f"{name}.y.f32"), dtype="<f4")
    return x, y

Xtr, ytr = load("train")
Xva, yva = load("validation")
Xte, yte = load("test")

t0, c0 = time.time(), time.process_time()
dtrain = xgb.DMatrix(Xtr, label=ytr, missing=np.nan, nthread=params.get("nthread", 2))
dvalid = xgb.DMatrix(Xva, label=yva, missing=np.nan, nthread=params.get("nthread", 2))
t1 = time.time()
booster = xgb.train(params, dtrain, num_boost_round=rounds, evals=[(dvalid, "validation")],
                    early_stopping_rounds=patience, verbose_eval=False)
t2, c2 = time.time(), time.process_time()
kept = booster.best_iteration + 1
p = booster.predict(xgb.DMatrix(Xte, missing=np.nan, nthread=params.get("nthread", 2)), iteration_range=(0, kept))
print(json.dumps({
    "version": xgb.__version__,
    "seconds": t2 - t0,
    "dmatrixSeconds": t1 - t0,
    "trainSeconds": t2 - t1,
    "cpuSeconds": c2 - c0,
    "roundsTrained": booster.num_boosted_rounds(),
    "roundsKept": kept,
    "bestValidationLogloss": float(booster.best_score),
    "testAuc": float(roc_auc_score(yte, p)),
}))
