"""Reference values for the drift specs, computed with numpy / scipy as Evidently computes them.

Reads a JSON list of cases on stdin, writes a JSON list of results on stdout (non-finite numbers as
the strings "inf", "-inf", "nan"). A case is {"kind": "numeric" | "categorical", "reference": [...],
"current": [...]} with missing values as null, and for numeric cases "integral": true to hold the
values as int64 (as numpy does a list of ints, and pandas a CSV column of integers). The answer also
says whether this numpy floors the Sturges width of integer arrays at 1 (numpy 2 does, 1.x does not).

Evidently's rules followed here (evidently/legacy/calculations/stattests): missing values dropped;
numeric bins np.histogram_bin_edges(concat, bins="sturges"); PSI on proportions whose zeros become
0.0001 (or the smallest non-zero proportion / 1e6 when that is <= 0.0001); Jensen-Shannon on the raw
proportions; chi-square of the current counts against the reference counts scaled to the current
size; Wasserstein / max(np.std(reference), 0.001); the default test per column (`_get_default_stattest`).
"""
import json
import math
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def fill_zeroes(p):
    p = p.copy()
    smallest = p[p != 0].min()
    np.place(p, p == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return p


def psi(r, c):
    r, c = fill_zeroes(r), fill_zeroes(c)
    return float(np.sum((r - c) * np.log(r / c)))


def category_counts(ref, cur):
    keys = list(dict.fromkeys(list(ref) + list(cur)))
    rc = np.array([sum(1 for v in ref if v == k) for k in keys], dtype=float)
    cc = np.array([sum(1 for v in cur if v == k) for k in keys], dtype=float)
    return keys, rc, cc


def chi2(rc, cc, n_ref, n_cur):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = stats.chisquare(cc, rc * (n_cur / n_ref))
    return {"statistic": float(r.statistic), "p_value": float(r.pvalue)}


def z_test(ref, cur):
    keys = sorted(set(ref) | set(cur))
    if len(set(ref)) == 1 and len(set(cur)) == 1 and set(ref) == set(cur):
        return 1.0
    n1, n2 = len(ref), len(cur)
    p1 = float(sum(0 if v == keys[0] else 1 for v in ref)) / n1
    p2 = float(sum(0 if v == keys[0] else 1 for v in cur)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - stats.norm.cdf(np.abs(z))))


def decide(kind, ref, cur, result):
    """Evidently's default test for the column and its decision (score, drifted)."""
    distinct = len(set(ref) | set(cur))
    if len(ref) <= 1000:
        if kind == "numeric" and distinct > 5:
            p = result["ks"]["p_value"]
            return "ks", p, p <= 0.05
        keys, rc, cc = category_counts(ref, cur)
        if distinct > 2:
            p = chi2(rc, cc, len(ref), len(cur))["p_value"]
            return "chi2", p, p < 0.05
        p = z_test(ref, cur)
        return "z", p, p < 0.05
    if kind == "numeric" and distinct > 5:
        w = result["wasserstein"]
        return "wasserstein", w, w >= 0.1
    keys, rc, cc = category_counts(ref, cur)
    js = float(distance.jensenshannon(rc / len(ref), cc / len(cur)))
    return "js", js, js >= 0.1


def numeric(case):
    dtype = np.int64 if case.get("integral") else np.float64
    ref = np.array([v for v in case["reference"] if v is not None], dtype=dtype)
    cur = np.array([v for v in case["current"] if v is not None], dtype=dtype)
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    rc = np.histogram(ref, edges)[0]
    cc = np.histogram(cur, edges)[0]
    ks = stats.ks_2samp(ref, cur)
    result = {
        "psi": psi(rc / len(ref), cc / len(cur)),
        "js": float(distance.jensenshannon(rc / len(ref), cc / len(cur))),
        "ks": {"statistic": float(ks.statistic), "p_value": float(ks.pvalue)},
        "wasserstein": float(stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001)),
    }
    test, score, drifted = decide("numeric", ref.tolist(), cur.tolist(), result)
    result["drifted"] = bool(drifted)
    return {"result": result, "edges": edges.tolist(), "reference_counts": rc.tolist(),
            "current_counts": cc.tolist(), "decision": {"test": test, "score": score}}


def categorical(case):
    ref = [v for v in case["reference"] if v is not None]
    cur = [v for v in case["current"] if v is not None]
    keys, rc, cc = category_counts(ref, cur)
    result = {
        "psi": psi(rc / len(ref), cc / len(cur)),
        "js": float(distance.jensenshannon(rc / len(ref), cc / len(cur))),
        "chi2": chi2(rc, cc, len(ref), len(cur)),
    }
    test, score, drifted = decide("categorical", ref, cur, result)
    result["drifted"] = bool(drifted)
    return {"result": result, "decision": {"test": test, "score": score}}


def finite(x):
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [finite(v) for v in x]
    return x


cases = json.load(sys.stdin)
# numpy 2 floors the Sturges width at 1 for integer arrays; numpy 1.x does not
floor = len(np.histogram_bin_edges(np.array([0, 1] * 512), bins="sturges")) == 2
out = {
    "numpy": np.__version__,
    "scipy": __import__("scipy").__version__,
    "integer_width_floor": floor,
    "results": [numeric(c) if c["kind"] == "numeric" else categorical(c) for c in cases],
}
json.dump(finite(out), sys.stdout)
