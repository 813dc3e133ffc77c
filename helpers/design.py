"""Simon two-stage phase-2 designs and binomial confidence intervals.

Everything here is a pure function of its arguments (no caching, no globals), so a notebook cell,
a widget callback and a test all get the same numbers.

Design conventions (Simon R. Optimal two-stage designs for phase II clinical trials. *Controlled
Clinical Trials* 1989;10:1-10):

* stage 1 treats ``n1`` patients; the trial stops for futility when the number of responses
  ``X1 <= r1``;
* otherwise ``n2 = n - n1`` more patients are treated, and the drug is declared *not promising*
  when the total ``X1 + X2 <= r`` (promising when ``X1 + X2 > r``);
* the null response rate is ``p0`` (drug not worth pursuing), the alternative ``p1``.

Search semantics follow R ``clinfun::ph2simon`` (Seshan; Fortran routine ``f2bdry``), read in full:

* total size ``n`` runs over ``2..nmax``, ``n1`` over ``1..n-1``, ``r1`` over ``0..n1-1`` and ``r``
  over ``r1..r1+n2``;
* a design is feasible when the *attained* type I error is **strictly** below ``alpha`` and the
  attained type II error strictly below ``beta`` (``strict=False`` allows equality);
* for each ``n`` the feasible design with the smallest expected size under ``p0`` (``EN0``) is kept;
  ``EN0`` must be strictly below ``n`` (single-stage designs are not two-stage designs); among
  designs with the same ``(n1, r1)`` clinfun keeps the largest feasible ``r``, and on exact ties of
  ``EN0`` the first in its loop order (smallest ``n1``);
* minimax = the kept design with the smallest ``n``; optimal = the kept design with the smallest
  ``EN0`` (smallest ``n`` on ties);
* admissible designs (Jung SH, Lee T, Kim K, George SL. *Stat Med* 2004;23:561-9) are the kept
  designs on the lower convex hull of ``(n, EN0)`` from the minimax to the optimal design, found as
  in ``clinfun::twostage.admissible``: from the minimax, repeatedly move to the point of smallest
  slope. A design is best for the loss ``w * n + (1 - w) * EN0`` over the interval of weights
  ``w`` it carries (``w_low``, ``w_high``), as ``lrstat::simon2stage`` reports them.

The search is vectorised with NumPy (one step per stage-1 size ``n1``, no loop over r1 or r),
using the identities

    alpha(r1, r) = P(X > r | n, p0) - sum_{x1 <= r1} b(x1; n1, p0) P(X2 > r - x1 | n2, p0)
    beta(r1, r)  = B(r1; n1, p1) + B(r; n, p1) - sum_{x1 <= r1} b(x1; n1, p1) B(r - x1; n2, p1)

so only ``x1 <= r1`` enters the sums (one cumulative sum gives every r1). Three exact prunings
keep it fast: ``r1`` and ``r`` are limited to values that can satisfy the type II error constraint
(``B(r1; n1, p1) < beta`` and ``B(r; n, p1) < beta`` are necessary); sizes ``n`` where even the
most powerful one-stage test (Neyman-Pearson, randomised, size ``alpha``) lacks the power are
skipped; and once the best ``EN0`` at a size ``n`` is ``<= n1``, larger ``n1`` cannot improve it
(every design has ``EN0 > n1``). The results equal a plain-loop transcription of clinfun's search
(``tests/_simon_reference.py``) design for design. The reported ``alpha``, ``power``, ``pet0`` and
``en0`` are exact binomial sums (equal to :func:`operating_characteristics` to 1e-12).

For teaching only: not for designing or analysing real trials without a statistician.
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "SimonDesign",
    "AdmissibleDesign",
    "SimonResult",
    "OperatingCharacteristics",
    "BinomialCI",
    "simon_two_stage",
    "operating_characteristics",
    "binomial_ci",
    "coverage",
    "simulate_trials",
    "CI_METHODS",
    "NMAX_LIMIT",
    "ZENT2010_METHODS",
]

#: The design as the Methods of Zent et al. (Cancer 2010;116:2201-7) state it: a Simon 2-stage
#: design, 37 evaluable patients, H0 response rate 20% against H1 40%, 90% power, "9%" type I
#: error. Inputs typed from the paper (not results); ``alpha_printed`` is what the paper prints.
ZENT2010_METHODS = {"p0": 0.20, "p1": 0.40, "power": 0.90, "alpha_printed": 0.09, "n": 37}

#: Largest ``nmax`` accepted (the same cap as clinfun::ph2simon).
NMAX_LIMIT = 1000
#: Differences of EN0 below this count as ties (clinfun's exact ties; our sums round differently).
_TIE = 1e-12
#: Interval methods of :func:`binomial_ci`.
CI_METHODS = ("exact", "wilson", "jeffreys", "wald")


# --------------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SimonDesign:
    """One Simon two-stage design with its exact operating characteristics.

    ``r1``, ``n1``: stop after stage 1 when responses <= ``r1`` among ``n1`` patients.
    ``r``, ``n``: declare the drug not promising when total responses <= ``r`` among ``n``.
    ``alpha``: attained type I error, P(declared promising | p0).
    ``power``: attained power, P(declared promising | p1).
    ``pet0``: probability of early termination under p0.
    ``en0``: expected number of patients under p0.
    """

    r1: int
    n1: int
    r: int
    n: int
    alpha: float
    power: float
    pet0: float
    en0: float

    @property
    def n2(self) -> int:
        """Number of patients in stage 2."""
        return self.n - self.n1

    def label(self) -> str:
        """Short text such as ``'3/17, 10/37'`` (r1/n1, r/n)."""
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"

    def rule(self) -> str:
        """The decision rule in words."""
        return (f"treat {self.n1}; stop if <= {self.r1} responses; otherwise treat {self.n2} more "
                f"(total {self.n}) and call the drug promising if > {self.r} responses in all")


@dataclass(frozen=True)
class AdmissibleDesign:
    """A design on the (n, EN0) lower convex hull with the weights for which it is best.

    ``kind`` is ``"minimax"``, ``"admissible"`` or ``"optimal"``; the design minimises
    ``w * n + (1 - w) * EN0`` for every ``w`` in ``[w_low, w_high]``.
    """

    design: SimonDesign
    kind: str
    w_low: float
    w_high: float


@dataclass(frozen=True)
class SimonResult:
    """Output of :func:`simon_two_stage`."""

    p0: float
    p1: float
    alpha_target: float
    beta_target: float
    nmax: int
    strict: bool
    optimal: SimonDesign
    minimax: SimonDesign
    #: designs strictly between the minimax and the optimal on the lower convex hull
    admissible: tuple[SimonDesign, ...]
    #: minimax, admissible designs and optimal, with their weight intervals
    hull: tuple[AdmissibleDesign, ...]
    #: for every n with a feasible design, the one with the smallest EN0 (clinfun's ``out``)
    by_n: pd.DataFrame = field(repr=False, compare=False)

    def table(self) -> pd.DataFrame:
        """Minimax, admissible and optimal designs as a table (one row each)."""
        rows = []
        for h in self.hull:
            d = h.design
            rows.append({"design": h.kind, "r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n,
                         "EN0": d.en0, "PET0": d.pet0, "alpha": d.alpha, "power": d.power,
                         "w_low": h.w_low, "w_high": h.w_high})
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class OperatingCharacteristics:
    """Operating characteristics of a design at true response rate(s) ``p``.

    ``prob_promising``: P(declare the drug promising); ``pet``: P(stop after stage 1);
    ``en``: expected number of patients treated. Floats for a scalar ``p``, arrays otherwise.
    """

    p: float | np.ndarray
    prob_promising: float | np.ndarray
    pet: float | np.ndarray
    en: float | np.ndarray


@dataclass(frozen=True)
class BinomialCI:
    """A two-sided binomial confidence interval (proportions in [0, 1])."""

    x: int
    n: int
    estimate: float
    low: float
    high: float
    level: float
    method: str

    def as_percent(self, digits: int = 0) -> str:
        """E.g. ``'18% (95% CI 5%-40%)'``."""
        f = f"{{:.{digits}f}}"
        lvl = f"{100 * self.level:g}"
        return (f"{f.format(100 * self.estimate)}% ({lvl}% CI {f.format(100 * self.low)}%-"
                f"{f.format(100 * self.high)}%)")


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
def _check_rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name}={value!r}: must be a finite number strictly between 0 and 1")
    v = float(value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name}={value!r}: a response rate must be strictly between 0 and 1")
    return v


def _check_error(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name}={value!r}: must be a number in (0, 0.5]")
    v = float(value)
    if not 0.0 < v <= 0.5:
        raise ValueError(f"{name}={value!r}: an error rate must be in (0, 0.5]")
    return v


def _check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}={value!r}: must be an integer")
    v = int(value)
    if v < low or (high is not None and v > high):
        allowed = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name}={value!r}: must be an integer {allowed}")
    return v


def _single_stage_n(p0: float, p1: float, alpha: float, beta: float) -> int:
    """Normal-approximation sample size of a one-stage design (used only to suggest nmax)."""
    za, zb = stats.norm.isf(alpha), stats.norm.isf(beta)
    n = ((za * math.sqrt(p0 * (1 - p0)) + zb * math.sqrt(p1 * (1 - p1))) / (p1 - p0)) ** 2
    return int(math.ceil(n))


# --------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------
def simon_two_stage(p0: float, p1: float, alpha: float, beta: float, nmax: int = 100,
                    *, strict: bool = True) -> SimonResult:
    """Simon's optimal, minimax and admissible two-stage designs (clinfun ``ph2simon`` semantics).

    Parameters
    ----------
    p0, p1 : response rates (proportions, 0 < p0 < p1 < 1) under H0 (not worth pursuing) and H1.
    alpha : target type I error, one-sided, in (0, 0.5].
    beta : target type II error (1 - power), in (0, 0.5].
    nmax : largest total number of patients searched (2..1000).
    strict : ``True`` (clinfun) requires attained alpha < target and beta < target; ``False``
        allows equality.

    Raises ``ValueError`` for invalid arguments, and when no design with ``n <= nmax`` meets the
    error rates (the message suggests a larger ``nmax``).
    """
    p0 = _check_rate("p0", p0)
    p1 = _check_rate("p1", p1)
    if p1 <= p0:
        raise ValueError(f"p1={p1!r} must be greater than p0={p0!r} (the design tests H0: p <= p0 "
                         f"against H1: p >= p1)")
    alpha = _check_error("alpha", alpha)
    beta = _check_error("beta", beta)
    nmax = _check_int("nmax", nmax, 2, NMAX_LIMIT)

    best = _search(p0, p1, alpha, beta, nmax, strict)
    if best is None:
        guess = max(2 * nmax, int(1.3 * _single_stage_n(p0, p1, alpha, beta)) + 10)
        guess = min(guess, NMAX_LIMIT)
        hint = (f"try nmax={guess}" if guess > nmax else
                f"nmax is already at its limit {NMAX_LIMIT}; relax alpha or beta or widen p1 - p0")
        raise ValueError(f"nmax={nmax}: no two-stage design with at most {nmax} patients has type I "
                         f"error {'<' if strict else '<='} {alpha} and type II error "
                         f"{'<' if strict else '<='} {beta} for p0={p0}, p1={p1}; {hint}")

    ns, r1s, n1s, rs, ens, a0, pw, pet0 = best
    en0 = n1s + (1.0 - pet0) * (ns - n1s)
    designs = [SimonDesign(int(a), int(b), int(c), int(d), float(e), float(f), float(g), float(h))
               for a, b, c, d, e, f, g, h in zip(r1s, n1s, rs, ns, a0, pw, pet0, en0)]
    by_n = pd.DataFrame({"r1": r1s, "n1": n1s, "r": rs, "n": ns, "EN0": en0, "PET0": pet0,
                         "alpha": a0, "power": pw})

    i_opt = int(np.flatnonzero(ens <= ens.min() + _TIE)[0])  # first on ties (clinfun print)
    minimax, optimal = designs[0], designs[i_opt]
    hull = _admissible(designs[: i_opt + 1], ens[: i_opt + 1])
    if optimal.n > nmax - 10:
        warnings.warn(f"nmax={nmax}: the optimal design uses n={optimal.n}, within 10 of nmax; a "
                      f"larger nmax (e.g. {min(nmax + 50, NMAX_LIMIT)}) could find a design with a "
                      f"smaller EN0", RuntimeWarning, stacklevel=2)
    return SimonResult(p0=p0, p1=p1, alpha_target=alpha, beta_target=beta, nmax=nmax,
                       strict=strict, optimal=optimal, minimax=minimax,
                       admissible=tuple(h.design for h in hull if h.kind == "admissible"),
                       hull=hull, by_n=by_n)


def _search(p0: float, p1: float, a: float, b: float, nmax: int, strict: bool,
            window: int = 6):
    """Per-n best designs as arrays (n, r1, n1, r, EN0), or None when nothing is feasible.

    For each n1 (one vectorised step), arrays over (n2, r1, j) hold the type II error at
    r = rmax(n) - offset - j, j = 0..window-1, where rmax(n) is the largest r with
    B(r; n, p1) < beta (necessary for feasibility). For each (n1, r1, n2) clinfun keeps the
    largest feasible r, which is the largest r with type II error < beta (``r_b``) provided the
    type I error there is < alpha; blocks of ``window`` values of r are scanned downwards until
    ``r_b`` is found (it exists: beta(r1, r1) = B(r1; n1, p1) < beta for every r1 searched) or
    until the type I error, which grows as r falls, already fails.

    Exact pruning on n1: every design with stage-1 size n1 has EN0 > n1, so once the best EN0
    found for a total n is <= n1, larger n1 cannot improve it.
    """
    lt = np.less if strict else np.less_equal
    nn = np.arange(nmax + 1)
    kk = np.arange(nmax + 1)
    # binomial tables b(k; m, p), P(X <= k), P(X > k) for m, k = 0..nmax and p = p0, p1;
    # the upper tail is summed from the top so that small tail probabilities stay accurate
    pmf = _binom_pmf_table(nn, kk, np.array([p0, p1]))      # (2, m, k), 0 where k > m
    cdf = np.minimum(np.cumsum(pmf, axis=2), 1.0)
    sf = np.cumsum(pmf[:, :, :0:-1], axis=2)[:, :, ::-1]     # P(X > k) for k = 0..nmax-1
    sf = np.concatenate([sf, np.zeros((2, nmax + 1, 1))], axis=2)
    ok = lt(cdf[1], b) & (kk[None, :] <= nn[:, None])
    # rmax[n]: largest r with B(r; n, p1) < beta, -1 if none (then nothing is feasible at n);
    # r1max[n1]: the same bound for the stage-1 boundary (beta >= B(r1; n1, p1))
    rmax = np.where(ok.any(1), ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
    r1max = rmax.copy()
    # Neyman-Pearson bound: a two-stage design with type I error a' < a and power pi at size n
    # cannot beat the randomised one-stage test of size a with n patients (most powerful for
    # p0 against p1), so sizes n where that test has power <= 1 - beta are skipped. The
    # 1e-9 slack only ever keeps more sizes in the search, never fewer.
    c = np.argmax(sf[0] <= a, axis=1)                          # smallest c with P0(X > c) <= a
    rows = np.arange(nmax + 1)
    p0c = pmf[0, rows, c]
    gamma = np.where(p0c > 0, (a - sf[0, rows, c]) / np.where(p0c > 0, p0c, 1.0), 0.0)
    ump_power = sf[1, rows, c] + np.clip(gamma, 0.0, 1.0) * pmf[1, rows, c]
    size_ok = ump_power > 1.0 - b - 1e-9
    rmax = np.where(size_ok, rmax, -1)
    K = int(rmax.max())
    if K < 0:
        return None
    W = window
    pad = 2 * K + 2 * W + 2                           # column c <-> k = c - pad
    # tab[0] = P(X > k | m, p0), tab[1] = P(X <= k | m, p1), rows m = 0..nmax, k = -pad..K
    tab = np.empty((2, nmax + 1, pad + K + 1))
    tab[0, :, :pad] = 1.0
    tab[1, :, :pad] = 0.0
    tab[0, :, pad:] = sf[0, :, : K + 1]
    tab[1, :, pad:] = cdf[1, :, : K + 1]
    sf0, cdf1 = tab[0], tab[1]
    cdf0 = cdf[0]
    # reversed windows: v[t, m, q, :] = tab[t, m, K - q - u] for u = 0..L-1 (falling k)
    L = K + W
    v = np.lib.stride_tricks.sliding_window_view(tab[:, :, ::-1], L, axis=2)
    uidx = np.arange(K + 1)[:, None] + np.arange(W)[None, :]   # u = x1 + j

    best_en = np.full(nmax + 1, np.inf)
    best = np.zeros((nmax + 1, 3), dtype=int)  # r1, n1, r
    for n1 in range(1, nmax):
        R1 = min(int(r1max[n1]), n1 - 1)
        if R1 < 0:
            continue
        n2 = np.arange(1, nmax - n1 + 1)
        n = n1 + n2
        keep = (best_en[n] > n1) & (rmax[n] >= 0)      # exact pruning (EN0 > n1; NP bound)
        if not keep.any():
            if np.all(best_en[n1 + 1:] <= n1):
                break
            continue
        n2, n = n2[keep], n[keep]
        m = n2.size
        x1 = np.arange(R1 + 1)
        w = pmf[:, n1, : R1 + 1][:, None, :, None]     # (2, 1, r1, 1)
        b1r1 = cdf1[n1, pad + x1][None, :, None]      # B(r1; n1, p1)
        ui = uidx[: R1 + 1]
        top = rmax[n]                                  # (m,), >= rmax[n1] >= R1
        r_b = np.full((m, R1 + 1), -1)
        a_b = np.zeros((m, R1 + 1))
        todo = np.ones((m, R1 + 1), dtype=bool)
        offset = 0
        while True:
            c = K - top + offset                       # reversed column of r = top - offset
            s = v[:, n2, c]                            # (2, m, L): tables at n2, k = r - u
            g = np.cumsum(w * s[:, :, ui], axis=2)     # (2, m, r1, j): sums over x1 <= r1
            cn = v[:, n, c][:, :, None, :W]            # tables at n, k = r
            alpha_ = cn[0] - g[0]
            beta_ = b1r1 + cn[1] - g[1]
            bok = lt(beta_, b)
            hit = bok.any(axis=2) & todo
            if hit.any():
                jb = np.argmax(bok, axis=2)            # first j = largest r with beta ok
                ab = np.take_along_axis(alpha_, jb[:, :, None], axis=2)[:, :, 0]
                r_b = np.where(hit, (top - offset)[:, None] - jb, r_b)
                a_b = np.where(hit, ab, a_b)
                todo &= ~hit
            # alpha grows as r falls: once it fails at the lowest r of the block, stop there
            todo &= lt(alpha_[:, :, -1], a)
            if not todo.any():
                break
            offset += W
        # clinfun searches r <= r1 + n2 only; beta is monotone in r, so the largest admissible r
        # is then the cap, where alpha is recomputed (terms x1 <= r1 kept by a mask)
        cap = n2[:, None] + x1[None, :]
        over = r_b > cap
        if over.any():
            ok_, oi = np.nonzero(over)
            rc = cap[ok_, oi]
            xm = x1[None, :]
            terms = np.where(xm <= oi[:, None],
                             pmf[0, n1, :R1 + 1][None, :]
                             * sf0[n2[ok_][:, None], pad + rc[:, None] - xm], 0.0)
            a_b[ok_, oi] = sf0[n[ok_], pad + rc] - terms.sum(axis=1)
            r_b[ok_, oi] = rc
        pet = cdf0[n1, :R1 + 1]
        en = n1 + (1.0 - pet)[None, :] * n2[:, None]   # (n2, r1)
        feas = (r_b >= 0) & lt(a_b, a) & (en < n[:, None])
        if not feas.any():
            continue
        en_f = np.where(feas, en, np.inf)
        # EN decreases strictly in r1, so the best r1 is the largest feasible one
        i_r1 = np.argmin(en_f, axis=1)
        rows = np.arange(m)
        en_b = en_f[rows, i_r1]
        # strict, with a tolerance: on exact ties of EN0 (common when p0 is a binary fraction
        # such as 0.5) clinfun keeps the smaller n1, whatever the rounding of our sums
        better = en_b < best_en[n] - _TIE
        if better.any():
            nb = n[better]
            best_en[nb] = en_b[better]
            best[nb, 0] = i_r1[better]
            best[nb, 1] = n1
            best[nb, 2] = r_b[rows, i_r1][better]
    found = np.isfinite(best_en)
    if not found.any():
        return None
    ns, r1s, n1s, rs = nn[found], best[found, 0], best[found, 1], best[found, 2]
    # exact operating characteristics of the kept designs from the same tables:
    # P(promising | p) = sum_{r1 < x1 <= r} b(x1; n1, p) P(X2 > r - x1 | n2, p) + P(X1 > r | n1, p)
    x1 = np.arange(K + 1)[None, :]
    use = (x1 > r1s[:, None]) & (x1 <= rs[:, None])
    kidx = pad + np.clip(rs[:, None] - x1, -pad, K)
    n2s = (ns - n1s)[:, None]
    sf1 = np.concatenate([np.ones((nmax + 1, pad)), sf[1, :, : K + 1]], axis=1)
    a0 = (np.where(use, pmf[0][n1s[:, None], x1] * sf0[n2s, kidx], 0.0).sum(axis=1)
          + sf0[n1s, pad + rs])
    pw = (np.where(use, pmf[1][n1s[:, None], x1] * sf1[n2s, kidx], 0.0).sum(axis=1)
          + sf1[n1s, pad + rs])
    pet0 = cdf0[n1s, r1s]
    return ns, r1s, n1s, rs, best_en[found], a0, pw, pet0


def _binom_pmf_table(n: np.ndarray, k: np.ndarray, p: np.ndarray) -> np.ndarray:
    """b(k; n, p) on a grid (p, n, k) from log-gamma functions (0 where k > n)."""
    from scipy.special import gammaln, xlog1py, xlogy
    nf, kf = n[None, :, None].astype(float), k[None, None, :].astype(float)
    pf = p[:, None, None]
    valid = kf <= nf
    nk = np.where(valid, nf - kf, 0.0)
    logp = (gammaln(nf + 1) - gammaln(kf + 1) - gammaln(nk + 1)
            + xlogy(kf, pf) + xlog1py(nk, -pf))           # 0 * log 0 = 0 at p = 0 or 1
    return np.where(valid, np.exp(logp), 0.0)


def _admissible(designs: list[SimonDesign], ens: np.ndarray) -> tuple[AdmissibleDesign, ...]:
    """Lower convex hull of (n, EN0) from the minimax (first) to the optimal (last) design."""
    ns = np.array([d.n for d in designs], dtype=float)
    en = np.asarray(ens, dtype=float)
    idx = [0]
    i = 0
    last = len(designs) - 1
    while i < last:
        slopes = (en[i + 1:] - en[i]) / (ns[i + 1:] - ns[i])
        i = i + 1 + int(np.flatnonzero(slopes <= slopes.min() + _TIE)[0])  # first on ties
        idx.append(i)
    pts = [designs[j] for j in idx]
    if len(pts) == 1:
        return (AdmissibleDesign(pts[0], "optimal", 0.0, 1.0),)
    # weight w at which consecutive hull points tie: w*n + (1-w)*EN0 equal
    ws = []
    for d0, d1 in zip(pts[:-1], pts[1:]):
        dn, de = d1.n - d0.n, d1.en0 - d0.en0
        ws.append(de / (de - dn))
    out = []
    for j, d in enumerate(pts):
        w_high = 1.0 if j == 0 else ws[j - 1]
        w_low = 0.0 if j == len(pts) - 1 else ws[j]
        kind = "minimax" if j == 0 else ("optimal" if j == len(pts) - 1 else "admissible")
        out.append(AdmissibleDesign(d, kind, float(w_low), float(w_high)))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Operating characteristics and simulation
# --------------------------------------------------------------------------------------------
def _design_tuple(design: SimonDesign | tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    if isinstance(design, SimonDesign):
        r1, n1, r, n = design.r1, design.n1, design.r, design.n
    elif isinstance(design, (str, bytes)):
        raise ValueError(f"design={design!r}: expected a SimonDesign or a tuple (r1, n1, r, n)")
    else:
        try:
            r1, n1, r, n = design  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValueError(f"design={design!r}: expected a SimonDesign or a tuple "
                             f"(r1, n1, r, n)") from None
    n = _check_int("n", n, 2)
    n1 = _check_int("n1", n1, 1, n - 1)
    r1 = _check_int("r1", r1, 0, n1 - 1)
    r = _check_int("r", r, r1, n - 1)
    return r1, n1, r, n


def operating_characteristics(design: SimonDesign | tuple[int, int, int, int],
                              p: float | np.ndarray) -> OperatingCharacteristics:
    """P(declare promising), P(early termination) and expected size at true response rate(s) p.

    ``design`` is a :class:`SimonDesign` or a tuple ``(r1, n1, r, n)``; ``p`` a proportion in
    [0, 1] or an array of them. Expected size in patients.
    """
    r1, n1, r, n = _design_tuple(design)
    scalar = np.ndim(p) == 0
    pa = np.asarray(p, dtype=float).ravel()
    if not np.all(np.isfinite(pa)) or np.any((pa < 0) | (pa > 1)):
        raise ValueError(f"p={p!r}: true response rates must be in [0, 1]")
    n2 = n - n1
    k = np.arange(n + 1)
    pmf = _binom_pmf_table(np.array([n1, n2]), k, pa)     # (p, [n1, n2], k)
    b1, b2 = pmf[:, 0, :], pmf[:, 1, :]
    pet = np.minimum(b1[:, : r1 + 1].sum(axis=1), 1.0)
    # P(X2 > j | n2) for j = 0..n (0 beyond n2), summed from the top for accuracy
    sf2 = np.concatenate([np.cumsum(b2[:, :0:-1], axis=1)[:, ::-1], np.zeros((pa.size, 1))], axis=1)
    # P(promising) = sum_{x1 > r1} b(x1; n1, p) P(X2 > r - x1 | n2, p); P(X2 > j) = 1 for j < 0
    x1 = np.arange(r1 + 1, n1 + 1)
    j = r - x1
    tail = np.where(j[None, :] < 0, 1.0, sf2[:, np.clip(j, 0, n)])
    promising = np.minimum(np.sum(b1[:, x1] * tail, axis=1), 1.0)
    en = n1 + (1.0 - pet) * n2
    if scalar:
        return OperatingCharacteristics(float(pa[0]), float(promising[0]), float(pet[0]),
                                        float(en[0]))
    shape = np.shape(p)
    return OperatingCharacteristics(np.asarray(p, dtype=float), promising.reshape(shape),
                                    pet.reshape(shape), en.reshape(shape))


def simulate_trials(design: SimonDesign | tuple[int, int, int, int], p: float, n_trials: int,
                    seed: int = 20100401) -> pd.DataFrame:
    """Replay ``n_trials`` trials of ``design`` with true response rate ``p`` (seeded).

    One row per trial: ``x1`` (stage-1 responses), ``stopped_early``, ``n_treated``,
    ``responses`` (all responses observed), ``promising`` (declared promising).
    """
    r1, n1, r, n = _design_tuple(design)
    p = float(p) if isinstance(p, numbers.Real) and not isinstance(p, bool) else p
    if not isinstance(p, float) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p={p!r}: the true response rate must be a number in [0, 1]")
    n_trials = _check_int("n_trials", n_trials, 1, 10_000_000)
    rng = np.random.default_rng(seed)
    x1 = rng.binomial(n1, p, size=n_trials)
    x2 = rng.binomial(n - n1, p, size=n_trials)
    stopped = x1 <= r1
    x2 = np.where(stopped, 0, x2)
    total = x1 + x2
    return pd.DataFrame({"x1": x1, "stopped_early": stopped,
                         "n_treated": np.where(stopped, n1, n), "responses": total,
                         "promising": ~stopped & (total > r)})


# --------------------------------------------------------------------------------------------
# Binomial confidence intervals and their exact coverage
# --------------------------------------------------------------------------------------------
def _ci_arrays(x: np.ndarray, n: int, level: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised interval limits for integer counts ``x`` out of ``n``."""
    tail = (1.0 - level) / 2.0
    x = x.astype(float)
    if method == "exact":  # Clopper-Pearson: beta quantiles
        low = np.where(x > 0, stats.beta.ppf(tail, np.maximum(x, 1e-300), n - x + 1), 0.0)
        high = np.where(x < n, stats.beta.ppf(1 - tail, x + 1, np.maximum(n - x, 1e-300)), 1.0)
    elif method == "jeffreys":  # beta(x + 1/2, n - x + 1/2) quantiles; 0 / 1 at the edges
        low = np.where(x > 0, stats.beta.ppf(tail, x + 0.5, n - x + 0.5), 0.0)
        high = np.where(x < n, stats.beta.ppf(1 - tail, x + 0.5, n - x + 0.5), 1.0)
    elif method == "wilson":  # score interval (Wilson 1927); agrees with scipy binomtest
        z = stats.norm.isf(tail)
        ph = x / n
        centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n))
        # the limits are exactly 0 at x = 0 and 1 at x = n; remove rounding residue there
        low = np.where(x > 0, np.clip(centre - half, 0, 1), 0.0)
        high = np.where(x < n, np.clip(centre + half, 0, 1), 1.0)
    elif method == "wald":  # p-hat +/- z * SE, truncated to [0, 1]
        z = stats.norm.isf(tail)
        ph = x / n
        half = z * np.sqrt(ph * (1 - ph) / n)
        low, high = np.clip(ph - half, 0, 1), np.clip(ph + half, 0, 1)
    else:
        raise ValueError(f"method={method!r}: must be one of {CI_METHODS}")
    return low, high


def _check_level(level: object) -> float:
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < float(level) < 1:
        raise ValueError(f"level={level!r}: the confidence level must be a number strictly "
                         f"between 0 and 1 (e.g. 0.95)")
    return float(level)


def binomial_ci(x: int, n: int, level: float = 0.95,
                method: Literal["exact", "wilson", "jeffreys", "wald"] = "exact") -> BinomialCI:
    """Two-sided confidence interval for a binomial proportion, ``x`` responders of ``n``.

    ``exact`` = Clopper-Pearson (scipy beta quantiles; the same limits as
    ``scipy.stats.binomtest(x, n).proportion_ci(method="exact")``); ``wilson`` = score interval;
    ``jeffreys`` = equal-tailed Beta(x + 1/2, n - x + 1/2) interval; ``wald`` = normal
    approximation (truncated to [0, 1]). Proportions, not percent.
    """
    n = _check_int("n", n, 1)
    x = _check_int("x", x, 0, n)
    level = _check_level(level)
    if method not in CI_METHODS:
        raise ValueError(f"method={method!r}: must be one of {CI_METHODS}")
    low, high = _ci_arrays(np.array([x]), n, level, method)
    return BinomialCI(x=x, n=n, estimate=x / n, low=float(low[0]), high=float(high[0]),
                      level=level, method=method)


def coverage(n: int, p: float | np.ndarray, method: str = "exact",
             level: float = 0.95) -> float | np.ndarray:
    """Exact coverage probability of an interval method at true rate(s) ``p``, by enumeration.

    Sums the binomial probabilities of the outcomes ``x = 0..n`` whose interval contains ``p``
    (no simulation). ``p`` is a proportion in [0, 1] or an array of them.
    """
    n = _check_int("n", n, 1)
    level = _check_level(level)
    if method not in CI_METHODS:
        raise ValueError(f"method={method!r}: must be one of {CI_METHODS}")
    scalar = np.ndim(p) == 0
    pa = np.atleast_1d(np.asarray(p, dtype=float))
    if not np.all(np.isfinite(pa)) or np.any((pa < 0) | (pa > 1)):
        raise ValueError(f"p={p!r}: true response rates must be in [0, 1]")
    x = np.arange(n + 1)
    low, high = _ci_arrays(x, n, level, method)
    inside = (low[:, None] <= pa[None, :]) & (pa[None, :] <= high[:, None])
    cov = np.sum(stats.binom.pmf(x[:, None], n, pa[None, :]) * inside, axis=0)
    return float(cov[0]) if scalar else cov
