"""Reference values for the experiment statistics, computed with scipy and statsmodels.

Reads {"cases": [...], "power": [...], "families": [...]} as JSON on stdin and writes the references
as JSON on stdout (NaN and infinities as null). A case is one experiment: variants with their raw values (and
covariate), the control, weights, metric type, alpha, correction and the sequential tuning parameter.
"""
import json
import math
import sys
import warnings

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

warnings.simplefilter("ignore")


def t_quantile(p, df):
    """scipy's t.ppf refined by Newton steps on t.cdf: scipy 1.10's ppf is off by up to ~2e-9
    (relative) at non-integer df, while its cdf is good to the last digits."""
    q = stats.t.ppf(p, df)
    for _ in range(3):
        q -= (stats.t.cdf(q, df) - p) / stats.t.pdf(q, df)
    return q


def relative(mt, vt, mc, vc, alpha):
    """Delta method for mt / mc - 1 with each mean's variance."""
    if mc == 0:
        return [math.nan] * 3
    lift = mt / mc - 1
    se = math.sqrt(vt / mc**2 + mt**2 * vc / mc**4)
    z = stats.norm.ppf(1 - alpha / 2)
    return [lift, lift - z * se, lift + z * se]


def sequential(d, se2, n, tuning, alpha):
    """GrowthBook's always-valid p-value and half-width (Waudby-Smith et al. eq. 155, 9, 161)."""
    rho = math.sqrt((-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning)
    k = n * rho**2 + 1
    t2 = d**2 * n / se2
    log_e = rho**2 * t2 / (2 * k) - 0.5 * math.log(k)
    p = 1.0 if log_e <= 0 else min(math.exp(-log_e), 1.0)
    s2 = se2 * n
    half = math.sqrt(s2) * math.sqrt(2 * k * math.log(math.sqrt(k) / alpha) / (n * rho) ** 2)
    return p, d - half, d + half


def welch(a, b, alpha):
    t = stats.ttest_ind(a, b, equal_var=False)
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    _, _, df = cm.ttest_ind(usevar="unequal")
    sm_low, sm_high = cm.tconfint_diff(alpha=alpha, usevar="unequal")
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = math.sqrt(va + vb)
    d = np.mean(a) - np.mean(b)
    q = t_quantile(1 - alpha / 2, df)
    return {
        "difference": d,
        "statistic": t.statistic,
        "df": df,
        "p_value": t.pvalue,
        "ci_low": d - q * se,
        "ci_high": d + q * se,
        "ci_low_statsmodels": sm_low,
        "ci_high_statsmodels": sm_high,
        "se2": va + vb,
        "rel": relative(np.mean(a), va, np.mean(b), vb, alpha),
    }


def ztest(a, b, alpha):
    xa, xb = int(np.sum(a)), int(np.sum(b))
    na, nb = len(a), len(b)
    z, p = proportions_ztest([xa, xb], [na, nb])
    low, high = confint_proportions_2indep(xa, na, xb, nb, method="wald", compare="diff", alpha=alpha)
    pa, pb = xa / na, xb / nb
    va, vb = pa * (1 - pa) / na, pb * (1 - pb) / nb
    return {
        "difference": pa - pb,
        "statistic": z,
        "df": None,
        "p_value": p,
        "ci_low": low,
        "ci_high": high,
        "se2": va + vb,
        "rel": relative(pa, va, pb, vb, alpha),
    }


def adjust(pvalues, correction):
    if correction == "none" or len(pvalues) == 0:
        return list(pvalues)
    method = {"holm": "holm", "bh": "fdr_bh"}[correction]
    return multipletests(pvalues, method=method)[1].tolist()


def case(c):
    alpha = c["alpha"]
    values = [np.asarray(v["values"], dtype=float) for v in c["variants"]]
    names = [v["name"] for v in c["variants"]]
    counts = np.array([len(v) for v in values], dtype=float)
    chi2, srm_p = stats.chisquare(counts, counts.sum() * np.asarray(c["weights"]))
    out = {
        "variants": [{"n": len(v), "mean": np.mean(v), "variance": np.var(v, ddof=1)} for v in values],
        "srm": {"chi2": chi2, "p_value": srm_p},
        "comparisons": [],
    }
    ci = names.index(c["control"])
    cuped = "pre" in c["variants"][0]
    if cuped:
        pre = [np.asarray(v["pre"], dtype=float) for v in c["variants"]]
        y, x = np.concatenate(values), np.concatenate(pre)
        theta = np.cov(y, x)[0, 1] / np.var(x, ddof=1)
        adjusted = [v - theta * (p - x.mean()) for v, p in zip(values, pre)]
    test = ztest if c["metricType"] == "proportion" else welch
    for i, name in enumerate(names):
        if i == ci:
            continue
        r = test(values[i], values[ci], alpha)
        seq = sequential(r["difference"], r["se2"], len(values[i]) + len(values[ci]), c["tuning"], alpha)
        row = {k: v for k, v in r.items() if k not in ("rel", "se2")}
        row.update(variant=name, control=c["control"], relative_lift=r["rel"][0], relative_ci_low=r["rel"][1],
                   relative_ci_high=r["rel"][2], sequential={"p_value": seq[0], "ci_low": seq[1], "ci_high": seq[2]})
        if cuped:
            w = welch(adjusted[i], adjusted[ci], alpha)
            row["cuped"] = {"theta": theta, **{k: w[k] for k in ("difference", "ci_low", "ci_high", "p_value")}}
        out["comparisons"].append(row)
    adj = adjust([r["p_value"] for r in out["comparisons"]], c["correction"])
    for r, q in zip(out["comparisons"], adj):
        r["p_value_adjusted"] = q
    if cuped:
        adj = adjust([r["cuped"]["p_value"] for r in out["comparisons"]], c["correction"])
        for r, q in zip(out["comparisons"], adj):
            r["cuped"]["p_value_adjusted"] = q
    return out


def power(p):
    h = proportion_effectsize(p["target"], p["baseline"])
    solver = NormalIndPower()
    n = solver.solve_power(effect_size=h, alpha=p["alpha"], power=p["power"], ratio=1, alternative="two-sided")
    at = solver.power(h, p["n"], p["alpha"], ratio=1, alternative="two-sided")
    return {"effect_size": h, "exact": float(n), "per_variant": math.ceil(n), "power_at_n": float(at)}


def family(f):
    return {"holm": multipletests(f, method="holm")[1].tolist(), "bh": multipletests(f, method="fdr_bh")[1].tolist()}


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    return x


def main():
    data = json.load(sys.stdin)
    out = {
        "cases": [case(c) for c in data.get("cases", [])],
        "power": [power(p) for p in data.get("power", [])],
        "families": [family(f) for f in data.get("families", [])],
    }
    json.dump(clean(out), sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
