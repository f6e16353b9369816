"""scipy's distribution functions on a grid, for the spec of their ports (distributions.spec.ts).

stdin: {"kstwo": [[n, d], ...], "smirnov": [[n, x], ...], "ks": [[n1, n2, d], ...], "chdtrc": [[df, x], ...]}
stdout: the same keys with scipy's values (kstwo.sf, special.smirnov, ks_2samp's p-value and statistic
for a given D via its own exact / asymptotic code path, special.chdtrc); non-finite as strings.
"""
import json
import math
import sys
import warnings

import numpy as np
from scipy import special, stats
from scipy.stats import _stats_py


def ks_p(n1, n2, d):
    """ks_2samp's two-sided p for statistic d (method 'auto'), without building samples."""
    g = math.gcd(n1, n2)
    if max(n1, n2) <= 10000:
        ok, d2, p = _stats_py._attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
        if ok:
            return [float(d2), float(np.clip(p, 0, 1))]
        d = d2
    m, n = sorted([float(n1), float(n2)], reverse=True)
    return [float(d), float(np.clip(stats.kstwo.sf(d, np.round(m * n / (m + n))), 0, 1))]


def finite(x):
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, list):
        return [finite(v) for v in x]
    return x


q = json.load(sys.stdin)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    out = {
        "kstwo": [float(stats.kstwo.sf(d, n)) for n, d in q["kstwo"]],
        "smirnov": [float(special.smirnov(n, x)) for n, x in q["smirnov"]],
        "ks": [ks_p(n1, n2, d) for n1, n2, d in q["ks"]],
        "chdtrc": [float(special.chdtrc(df, x)) for df, x in q["chdtrc"]],
    }
json.dump({k: finite(v) for k, v in out.items()}, sys.stdout)
