// scipy.special.smirnov(n, x) = P(D⁺ₙ >= x), the one-sided one-sample Kolmogorov-Smirnov survival
// function, after scipy's xsf/cephes/kolmogorov.h (`_smirnov`, van Mulbregt 2018, arXiv:1802.06966):
// Birnbaum & Tingey's sum x · Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (1 − x − v/n)^(n−v) (x + v/n)^(v−1). Its terms are
// all positive; scipy sums them in double-double, here each term is formed in logarithms (relative
// error about 1e-10 at n = 10⁶). Only the branches kstwoSf reaches are kept: scipy's "upper sum" is used for
// n·x < 3 and x <= 0.5/√n, which kstwoSf never passes here (it calls smirnov for x >= 0.5 or n·x² > 2.2).
const MINLOG = -745.1332191019412; // log(2^-1075): exp() of anything below is 0
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;

export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  const nxfl = Math.floor(nx);
  const alpha = nx - nxfl;
  // x <= 1/n: P(D⁺ < x) = x (1 + x)^(n−1)
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return clip(1 - x * Math.pow(1 + x, n - 1));
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip(Math.pow(1 - x, n));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // scipy's approximation for very large n: p ≈ exp(−(6nx + 1)² / 18n)
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    return clip(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  // v = 0 .. ⌊n(1−x)⌋ (less a last term that is exactly 0 when n(1−x) is an integer)
  const nTerms = n - nxfl;
  let sum = Math.pow(1 - x, n) / x;
  // log C(n, v) accumulated with Neumaier's compensation: plain sums of 10⁵ logs drift by ~1e-9
  let logC = 0;
  let logCErr = 0;
  for (let v = 1; v < nTerms; v++) {
    const step = Math.log((n - v + 1) / v);
    const next = logC + step;
    logCErr += Math.abs(logC) >= Math.abs(step) ? logC - next + step : step - next + logC;
    logC = next;
    const base = (n - v) / n - x;
    const term = Math.exp(logC + (n - v) * Math.log(base) + (v - 1) * Math.log(x + v / n) + logCErr);
    sum += term;
    // scipy's early exit: the remaining terms cannot move the sum
    if (term !== 0) {
      if (4 * (nTerms - v) * term < Number.EPSILON * sum && v !== nTerms - 1) break;
    } else if (v > Math.floor(n / 2)) break;
  }
  return clip(x * sum);
}

function clip(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
