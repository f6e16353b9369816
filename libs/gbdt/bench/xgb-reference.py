#!/usr/bin/env python3
"""XGBoost 1.7.4 reference figures for the quality benchmark: trains with the issue's settings
(hist, max_bin 255, max_depth 6, eta 0.1, 200 rounds, lambda 1, min_child_weight 1, base_score 0.5,
nthread 2) on each shared dataset and prints one JSON object of test metrics. Benchmark-only (Debian's
python3 with xgboost); the product never runs Python."""
import json, sys, os
import numpy as np
import xgboost as xgb

root = sys.argv[1]

def load(path, ranking=False):
    d = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=np.float64, missing_values="", filling_values=np.nan)
    y = d[:, 0]
    if ranking:
        qid = d[:, 1]
        _, idx, counts = np.unique(qid, return_index=True, return_counts=True)
        groups = counts[np.argsort(idx)]
        return d[:, 2:].astype(np.float32), y, groups
    return d[:, 1:].astype(np.float32), y, None

def ndcg(y, s, groups, k):
    out, start = [], 0
    for g in groups:
        yy, ss = y[start:start + g], s[start:start + g]
        order = np.argsort(-ss, kind="stable")
        ideal = np.sort(yy)[::-1]
        disc = 1 / np.log2(np.arange(2, 2 + min(k, g)))
        dcg = np.sum((2 ** yy[order][:k] - 1) * disc)
        idcg = np.sum((2 ** ideal[:k] - 1) * disc)
        out.append(dcg / idcg if idcg > 0 else 1.0)
        start += g
    return float(np.mean(out))

def auc(y, p):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, p))

base = dict(tree_method="hist", max_bin=255, max_depth=6, eta=0.1, reg_lambda=1, min_child_weight=1, base_score=0.5, nthread=2, seed=0)
res = {"version": xgb.__version__}
which = sys.argv[2].split(",") if len(sys.argv) > 2 else ["binary", "multiclass", "lambdarank"]
if "binary" in which:
    d = os.path.join(root, "lgb_binary_classification")
    X, y, _ = load(os.path.join(d, "train.csv")); Xt, yt, _ = load(os.path.join(d, "test.csv"))
    b = xgb.train(dict(base, objective="binary:logistic"), xgb.DMatrix(X, label=y, nthread=2), 200)
    p = b.predict(xgb.DMatrix(Xt, nthread=2))
    res["binary"] = {"auc": auc(yt, p), "logloss": float(-np.mean(yt * np.log(p) + (1 - yt) * np.log(1 - p)))}
if "multiclass" in which:
    d = os.path.join(root, "lgb_multiclass_classification")
    X, y, _ = load(os.path.join(d, "train.csv")); Xt, yt, _ = load(os.path.join(d, "test.csv"))
    k = int(max(y.max(), yt.max())) + 1
    b = xgb.train(dict(base, objective="multi:softprob", num_class=k), xgb.DMatrix(X, label=y, nthread=2), 200)
    p = b.predict(xgb.DMatrix(Xt, nthread=2)).reshape(len(yt), k)
    res["multiclass"] = {"accuracy": float(np.mean(p.argmax(1) == yt)), "mlogloss": float(-np.mean(np.log(np.clip(p[np.arange(len(yt)), yt.astype(int)], 1e-16, 1))))}
if "lambdarank" in which:
    d = os.path.join(root, "lgb_lambdarank")
    X, y, g = load(os.path.join(d, "train.csv"), True); Xt, yt, gt = load(os.path.join(d, "test.csv"), True)
    dm = xgb.DMatrix(X, label=y, nthread=2); dm.set_group(g)
    b = xgb.train(dict(base, objective="rank:ndcg"), dm, 200)
    s = b.predict(xgb.DMatrix(Xt, nthread=2))
    res["lambdarank"] = {f"ndcg@{k}": ndcg(yt, s, gt, k) for k in (1, 3, 5)}
print(json.dumps(res))
