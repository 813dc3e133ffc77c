"""Tests for helpers.design: Simon two-stage designs, operating characteristics, binomial CIs.

Reference values come from published sources, never from our own output:

* ``NOTES``: /work/shared/notes/criteria-reference.md section 12.3 (designs computed with scipy by the
  notes' author and checked against Simon 1989's tables); the 0.20/0.40/0.05/0.20 minimax design is
  also hard-coded in a public Julia test file (same notes, source S25).
* ``CLINFUN_REF``: the printed output of the examples on clinfun's ``ph2simon`` reference page
  (GitHub veseshan/clinfun, pkgdown reference for ph2simon, clinfun 1.1.x), including the
  admissible rows and their ``qLo``/``qHi`` weights.
* ``CLINFUN_VIGNETTE``: clinfun's vignette "Functions For Clinical Trial Design"
  (veseshan/clinfun articles/clinical-trial-functions.md): ``ph2simon(0.05, 0.2, 0.1, 0.1)``
  (the lenvatinib example, Tchekmedyian et al., J Clin Oncol 2019) and
  ``ph2simon(0.25, 0.45, 0.05, 0.1)`` with ``twostage.admissible``.
* Zent et al. 2010 (Cancer 116:2201): 4/22 responders, 95% CI 5%-40%.
"""
from __future__ import annotations

import math
import warnings
from math import comb

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers.design import (CI_METHODS, SimonDesign, binomial_ci, coverage,
                            operating_characteristics, simon_two_stage, simulate_trials)
from tests._simon_reference import ph2simon_reference

NOTES = "criteria-reference.md 12.3"
CLINFUN_REF = "clinfun ph2simon reference page"
CLINFUN_VIGNETTE = "clinfun vignette"

# (p0, p1, alpha, beta, nmax, kind, r1, n1, r, n, EN0, PET0, source)
PUBLISHED = [
    (0.05, 0.20, 0.05, 0.20, 100, "optimal", 0, 10, 3, 29, 17.62, 0.599, NOTES),
    (0.05, 0.20, 0.05, 0.20, 100, "minimax", 0, 13, 3, 27, 19.81, 0.513, NOTES),
    (0.05, 0.25, 0.05, 0.20, 100, "optimal", 0, 9, 2, 17, 11.96, 0.630, NOTES),
    (0.05, 0.25, 0.05, 0.20, 100, "minimax", 0, 12, 2, 16, 13.84, 0.540, NOTES),
    (0.10, 0.30, 0.05, 0.20, 100, "optimal", 1, 10, 5, 29, 15.01, 0.736, NOTES),
    (0.10, 0.30, 0.05, 0.20, 100, "minimax", 1, 15, 5, 25, 19.51, 0.549, NOTES),
    (0.20, 0.40, 0.05, 0.20, 100, "optimal", 3, 13, 12, 43, 20.58, 0.747, NOTES),
    (0.20, 0.40, 0.05, 0.20, 100, "minimax", 4, 18, 10, 33, 22.25, 0.716, NOTES),
    (0.20, 0.40, 0.10, 0.10, 100, "optimal", 3, 17, 10, 37, 26.02, 0.5489, CLINFUN_REF),
    (0.20, 0.40, 0.10, 0.10, 100, "minimax", 3, 19, 10, 36, 28.26, 0.4551, CLINFUN_REF),
    (0.20, 0.35, 0.05, 0.05, 100, "optimal", 11, 53, 26, 99, 69.88, 0.6330, CLINFUN_REF),
    (0.20, 0.35, 0.05, 0.05, 100, "minimax", 15, 68, 25, 95, 75.44, 0.7244, CLINFUN_REF),
    (0.20, 0.35, 0.05, 0.05, 150, "optimal", 11, 50, 28, 109, 67.07, 0.7107, CLINFUN_REF),
    (0.20, 0.35, 0.05, 0.05, 150, "minimax", 15, 68, 25, 95, 75.44, 0.7244, CLINFUN_REF),
    (0.05, 0.20, 0.10, 0.10, 100, "optimal", 0, 12, 3, 37, 23.491, 0.5403601, CLINFUN_VIGNETTE),
    (0.05, 0.20, 0.10, 0.10, 100, "minimax", 0, 18, 3, 32, 26.439, 0.3972143, CLINFUN_VIGNETTE),
    (0.25, 0.45, 0.05, 0.10, 100, "optimal", 6, 22, 19, 57, 32.52206, 0.6993697, CLINFUN_VIGNETTE),
    (0.25, 0.45, 0.05, 0.10, 100, "minimax", 6, 26, 17, 49, 37.14596, 0.5153932, CLINFUN_VIGNETTE),
]

# attained alpha and power printed in the notes (section 12.3)
ATTAINED = {
    (0.05, 0.20, 0.05, 0.20, "optimal"): (0.0468, 0.8011),
    (0.05, 0.20, 0.05, 0.20, "minimax"): (0.0416, 0.8011),
    (0.05, 0.25, 0.05, 0.20, "optimal"): (0.0466, 0.8122),
    (0.05, 0.25, 0.05, 0.20, "minimax"): (0.0427, 0.8013),
    (0.10, 0.30, 0.05, 0.20, "optimal"): (0.0471, 0.8051),
    (0.10, 0.30, 0.05, 0.20, "minimax"): (0.0328, 0.8017),
    (0.20, 0.40, 0.05, 0.20, "optimal"): (0.0496, 0.8002),
    (0.20, 0.40, 0.05, 0.20, "minimax"): (0.0458, 0.8011),
    (0.20, 0.40, 0.10, 0.10, "optimal"): (0.0948, 0.9033),
    (0.20, 0.40, 0.10, 0.10, "minimax"): (0.0861, 0.9024),
}

# full admissible listings: (p0, p1, alpha, beta, nmax) -> rows (kind, r1, n1, r, n, EN0, qLo, qHi)
ADMISSIBLE = {
    (0.05, 0.20, 0.10, 0.10, 100): [  # clinfun vignette, twostage.admissible
        ("minimax", 0, 18, 3, 32, 26.43900, 0.640, 1.000),
        ("admissible", 0, 15, 3, 33, 24.66076, 0.323, 0.640),
        ("admissible", 0, 13, 3, 35, 23.70647, 0.097, 0.323),
        ("optimal", 0, 12, 3, 37, 23.49100, 0.000, 0.097),
    ],
    (0.25, 0.45, 0.05, 0.10, 100): [  # clinfun vignette, twostage.admissible
        ("minimax", 6, 26, 17, 49, 37.14596, 0.782, 1.000),
        ("admissible", 7, 26, 17, 50, 33.55630, 0.129, 0.782),
        ("optimal", 6, 22, 19, 57, 32.52206, 0.000, 0.129),
    ],
    (0.20, 0.35, 0.05, 0.05, 150): [  # clinfun reference page, print method
        ("minimax", 15, 68, 25, 95, 75.44, 0.582, 1.000),
        ("admissible", 11, 53, 26, 99, 69.88, 0.306, 0.582),
        ("admissible", 11, 51, 27, 104, 67.68, 0.109, 0.306),
        ("optimal", 11, 50, 28, 109, 67.07, 0.000, 0.109),
    ],
    (0.20, 0.35, 0.05, 0.05, 100): [  # same page: with nmax = 100 nothing lies between
        ("minimax", 15, 68, 25, 95, 75.44, 0.582, 1.000),
        ("optimal", 11, 53, 26, 99, 69.88, 0.000, 0.582),
    ],
    (0.20, 0.40, 0.10, 0.10, 100): [  # clinfun reference page: none between
        ("minimax", 3, 19, 10, 36, 28.26, 0.691, 1.000),
        ("optimal", 3, 17, 10, 37, 26.02, 0.000, 0.691),
    ],
}


def _design(p0, p1, a, b, nmax=100):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "optimal too close to nmax"
        return simon_two_stage(p0, p1, a, b, nmax=nmax)


def _decimals(x: float) -> int:
    s = repr(x)
    return len(s.split(".")[1]) if "." in s else 0


@pytest.mark.parametrize("row", PUBLISHED, ids=lambda r: f"{r[0]}-{r[1]}-{r[2]}-{r[3]}-n{r[4]}-{r[5]}")
def test_published_designs(row):
    p0, p1, a, b, nmax, kind, r1, n1, r, n, en0, pet0, _source = row
    d = getattr(_design(p0, p1, a, b, nmax), kind)
    assert (d.r1, d.n1, d.r, d.n) == (r1, n1, r, n)
    # agree to the number of decimals the source prints
    assert d.en0 == pytest.approx(en0, abs=0.51 * 10 ** -_decimals(en0))
    assert d.pet0 == pytest.approx(pet0, abs=0.51 * 10 ** -_decimals(pet0))
    assert d.alpha < a and d.power > 1 - b  # clinfun's strict feasibility
    attained = ATTAINED.get((p0, p1, a, b, kind))
    if attained:
        assert d.alpha == pytest.approx(attained[0], abs=5.1e-5)
        assert d.power == pytest.approx(attained[1], abs=5.1e-5)


def test_at_least_eight_published_parameter_sets():
    assert len({r[:5] for r in PUBLISHED}) >= 8


@pytest.mark.parametrize("key", list(ADMISSIBLE), ids=str)
def test_admissible_listings_match_clinfun(key):
    res = _design(*key[:4], nmax=key[4])
    got = [(h.kind, h.design.r1, h.design.n1, h.design.r, h.design.n) for h in res.hull]
    assert got == [row[:5] for row in ADMISSIBLE[key]]
    for h, row in zip(res.hull, ADMISSIBLE[key]):
        en0, q_lo, q_hi = row[5:]
        assert h.design.en0 == pytest.approx(en0, abs=0.51 * 10 ** -_decimals(en0))
        assert h.w_low == pytest.approx(q_lo, abs=5e-4)  # clinfun rounds to 3 decimals
        assert h.w_high == pytest.approx(q_hi, abs=5e-4)
    between = [row[1:5] for row in ADMISSIBLE[key] if row[0] == "admissible"]
    assert [(d.r1, d.n1, d.r, d.n) for d in res.admissible] == between


def test_admissible_from_the_issue():
    res = _design(0.20, 0.40, 0.05, 0.20)
    assert [(d.r1, d.n1, d.r, d.n) for d in res.admissible] == [(3, 14, 11, 38)]
    assert round(res.admissible[0].en0, 2) == 21.24
    assert _design(0.20, 0.40, 0.10, 0.10).admissible == ()


def test_zent_design_reconstruction():
    """Methods: 37 evaluable patients, 20% vs 40%, 90% power, '9%' type I error."""
    res = _design(0.20, 0.40, 0.10, 0.10)
    opt = res.optimal
    assert opt.label() == "3/17, 10/37"
    assert f"{opt.alpha:.0%}" == "9%"  # 0.0948 printed as a whole percent
    assert opt.power >= 0.90
    # with 9% as the nominal alpha the design is different
    nine = _design(0.20, 0.40, 0.09, 0.10).optimal
    assert nine.label() != opt.label()
    assert nine.alpha < 0.09


@pytest.mark.parametrize("params", [
    (0.20, 0.40, 0.10, 0.10, 40), (0.05, 0.25, 0.05, 0.20, 40), (0.30, 0.50, 0.10, 0.20, 45),
    (0.60, 0.80, 0.10, 0.10, 45), (0.10, 0.40, 0.20, 0.20, 40), (0.70, 0.90, 0.05, 0.20, 45),
    # binary-fraction rates give exact EN0 ties (e.g. 4/6 and 5/7 at n = 26): smaller n1 wins
    (0.50, 0.9375, 0.05, 0.10, 30), (0.25, 0.75, 0.05, 0.20, 30), (0.125, 0.50, 0.05, 0.10, 30),
])
def test_every_n_matches_clinfun_transcription(params):
    """Our per-n table equals a plain-loop transcription of clinfun's Fortran search."""
    ref = ph2simon_reference(*params)
    res = _design(*params[:4], nmax=params[4])
    got = [tuple(int(v) for v in t) for t in res.by_n[["r1", "n1", "r", "n"]].itertuples(index=False)]
    assert got == [row[:4] for row in ref]
    np.testing.assert_allclose(res.by_n["EN0"], [row[4] for row in ref], rtol=1e-10)
    np.testing.assert_allclose(res.by_n["PET0"], [row[5] for row in ref], atol=1e-12)


rates = st.floats(0.03, 0.85)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p0=rates, gap=st.floats(0.12, 0.45), a=st.sampled_from([0.05, 0.1, 0.15, 0.2]),
       b=st.sampled_from([0.1, 0.15, 0.2, 0.3]))
def test_property_matches_transcription_and_invariants(p0, gap, a, b):
    p1 = p0 + gap
    if p1 >= 0.97:
        return
    nmax = 30
    ref = ph2simon_reference(p0, p1, a, b, nmax)
    if not ref:
        with pytest.raises(ValueError, match="nmax=30"):
            _design(p0, p1, a, b, nmax)
        return
    res = _design(p0, p1, a, b, nmax)
    got = [tuple(int(v) for v in t) for t in res.by_n[["r1", "n1", "r", "n"]].itertuples(index=False)]
    assert got == [row[:4] for row in ref]
    assert res.minimax.n <= res.optimal.n and res.minimax.en0 >= res.optimal.en0
    for d in res.by_n.itertuples():
        assert d.alpha < a and 1 - d.power < b and d.EN0 < d.n
    hull = res.hull
    assert hull[0].design == res.minimax and hull[-1].design == res.optimal
    assert all(x.design.n < y.design.n and x.design.en0 > y.design.en0 for x, y in zip(hull, hull[1:]))
    assert all(0 <= h.w_low <= h.w_high <= 1 for h in hull)


# ---------------------------------------------------------------------------------------------
# Operating characteristics against brute-force enumeration
# ---------------------------------------------------------------------------------------------
def _brute_oc(r1, n1, r, n, p):
    """Enumerate every (x1, x2) outcome with its probability (no scipy)."""
    n2 = n - n1
    promising = pet = en = 0.0
    for x1 in range(n1 + 1):
        p_x1 = comb(n1, x1) * p**x1 * (1 - p) ** (n1 - x1)
        if x1 <= r1:
            pet += p_x1
            en += p_x1 * n1
            continue
        for x2 in range(n2 + 1):
            prob = p_x1 * comb(n2, x2) * p**x2 * (1 - p) ** (n2 - x2)
            en += prob * n
            if x1 + x2 > r:
                promising += prob
    return promising, pet, en


@pytest.mark.parametrize("design", [(3, 17, 10, 37), (0, 5, 2, 12), (1, 4, 1, 6), (2, 9, 7, 20),
                                    (0, 1, 0, 2)])
@pytest.mark.parametrize("p", [0.0, 0.05, 0.2, 0.4, 0.73, 1.0])
def test_oc_matches_enumeration(design, p):
    oc = operating_characteristics(design, p)
    bp, bpet, ben = _brute_oc(*design, p)
    assert oc.prob_promising == pytest.approx(bp, abs=1e-12)
    assert oc.pet == pytest.approx(bpet, abs=1e-12)
    assert oc.en == pytest.approx(ben, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(n1=st.integers(1, 10), n2=st.integers(1, 10), data=st.data(), p=st.floats(0, 1))
def test_oc_property_enumeration(n1, n2, data, p):
    n = n1 + n2
    r1 = data.draw(st.integers(0, n1 - 1))
    r = data.draw(st.integers(r1, n - 1))
    oc = operating_characteristics((r1, n1, r, n), p)
    bp, bpet, ben = _brute_oc(r1, n1, r, n, p)
    assert oc.prob_promising == pytest.approx(bp, abs=1e-10)
    assert oc.pet == pytest.approx(bpet, abs=1e-10)
    assert oc.en == pytest.approx(ben, abs=1e-8)


def test_oc_vectorised_and_design_object():
    res = _design(0.2, 0.4, 0.1, 0.1)
    ps = np.array([0.2, 0.4])
    oc = operating_characteristics(res.optimal, ps)
    assert isinstance(oc.prob_promising, np.ndarray) and oc.prob_promising.shape == (2,)
    assert oc.prob_promising[0] == pytest.approx(res.optimal.alpha, abs=1e-14)
    assert oc.prob_promising[1] == pytest.approx(res.optimal.power, abs=1e-14)
    assert oc.en[0] == pytest.approx(res.optimal.en0, abs=1e-12)
    # power curve increases with the true rate
    curve = operating_characteristics(res.optimal, np.linspace(0, 1, 21)).prob_promising
    assert np.all(np.diff(curve) >= -1e-15)


def test_simulation_agrees_with_exact_oc_and_is_seeded():
    d = _design(0.2, 0.4, 0.1, 0.1).optimal
    sim = simulate_trials(d, 0.4, 20_000, seed=1)
    again = simulate_trials(d, 0.4, 20_000, seed=1)
    assert sim.equals(again)
    oc = operating_characteristics(d, 0.4)
    se = math.sqrt(oc.prob_promising * (1 - oc.prob_promising) / 20_000)
    assert abs(sim["promising"].mean() - oc.prob_promising) < 5 * se
    assert set(sim["n_treated"].unique()) <= {d.n1, d.n}
    assert (sim.loc[sim.stopped_early, "x1"] <= d.r1).all()
    assert (sim.loc[sim.promising, "responses"] > d.r).all()


# ---------------------------------------------------------------------------------------------
# Binomial intervals and coverage
# ---------------------------------------------------------------------------------------------
def test_exact_ci_of_4_of_22_matches_paper():
    ci = binomial_ci(4, 22)
    assert (round(ci.low, 4), round(ci.high, 4)) == (0.0519, 0.4028)
    assert ci.as_percent() == "18% (95% CI 5%-40%)"  # Zent 2010: 18%; 95% CI, 5%-40%


@pytest.mark.parametrize("x,n", [(0, 10), (4, 22), (10, 10), (1, 3), (17, 37)])
def test_ci_agrees_with_scipy_binomtest(x, n):
    res = stats.binomtest(x, n)
    for method in ("exact", "wilson"):
        ref = res.proportion_ci(0.95, method=method)
        ci = binomial_ci(x, n, method=method)
        assert ci.low == pytest.approx(ref.low, abs=1e-9)
        assert ci.high == pytest.approx(ref.high, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), data=st.data(), level=st.floats(0.5, 0.99))
def test_ci_properties(n, data, level):
    x = data.draw(st.integers(0, n))
    exact = binomial_ci(x, n, level)
    jeff = binomial_ci(x, n, level, "jeffreys")
    for m in CI_METHODS:
        ci = binomial_ci(x, n, level, m)
        assert 0 <= ci.low <= ci.estimate <= ci.high <= 1
    assert exact.low <= jeff.low + 1e-12 and jeff.high <= exact.high + 1e-12
    wider = binomial_ci(x, n, min(level + 0.005, 0.999))
    assert wider.low <= exact.low + 1e-12 and wider.high >= exact.high - 1e-12


def test_coverage_by_enumeration():
    grid = np.linspace(0.01, 0.99, 99)
    exact = coverage(22, grid, "exact")
    wald = coverage(22, grid, "wald")
    assert np.all(exact >= 0.95 - 1e-12)  # Clopper-Pearson is conservative
    assert wald.min() < 0.85               # Wald fails badly near the edges at n = 22
    # direct check at one rate: sum over outcomes whose interval covers p
    p = 0.18
    direct = sum(stats.binom.pmf(x, 22, p) for x in range(23)
                 if binomial_ci(x, 22, method="wald").low <= p <= binomial_ci(x, 22, method="wald").high)
    assert coverage(22, p, "wald") == pytest.approx(direct, abs=1e-14)


# ---------------------------------------------------------------------------------------------
# Invalid arguments
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,field", [
    ((0.4, 0.2, 0.1, 0.1), "p1=0.2"),
    ((0.2, 0.2, 0.1, 0.1), "p1=0.2"),
    ((0.0, 0.4, 0.1, 0.1), "p0=0.0"),
    ((0.2, 1.0, 0.1, 0.1), "p1=1.0"),
    ((-0.1, 0.4, 0.1, 0.1), "p0=-0.1"),
    ((0.2, 0.4, 0.0, 0.1), "alpha=0.0"),
    ((0.2, 0.4, 0.6, 0.1), "alpha=0.6"),
    ((0.2, 0.4, 0.1, 0.51), "beta=0.51"),
    ((0.2, 0.4, 0.1, 0.1, 1), "nmax=1"),
    ((0.2, 0.4, 0.1, 0.1, 1001), "nmax=1001"),
    ((0.2, 0.4, 0.1, 0.1, 40.5), "nmax=40.5"),
    ((float("nan"), 0.4, 0.1, 0.1), "p0=nan"),
    (("0.2", 0.4, 0.1, 0.1), "p0='0.2'"),
])
def test_invalid_arguments(args, field):
    with pytest.raises(ValueError, match=field.replace(".", r"\.").replace("(", r"\(")):
        simon_two_stage(*args)


def test_nmax_too_small_suggests_larger():
    with pytest.raises(ValueError, match=r"nmax=30: .*try nmax=(\d+)") as info:
        simon_two_stage(0.2, 0.4, 0.1, 0.1, nmax=30)
    suggested = int(info.value.args[0].rsplit("nmax=", 1)[1])
    assert suggested > 36  # the minimax needs 36 patients
    simon_two_stage(0.2, 0.4, 0.1, 0.1, nmax=suggested)


def test_optimal_near_nmax_warns():
    with pytest.warns(RuntimeWarning, match="nmax=100"):
        simon_two_stage(0.2, 0.35, 0.05, 0.05, nmax=100)


@pytest.mark.parametrize("call,field", [
    (lambda: binomial_ci(5, 4), "x=5"),
    (lambda: binomial_ci(1, 0), "n=0"),
    (lambda: binomial_ci(1, 4, level=1.2), "level=1.2"),
    (lambda: binomial_ci(1, 4, method="agresti"), "method='agresti'"),
    (lambda: coverage(10, 1.5), "p=1.5"),
    (lambda: operating_characteristics((3, 17, 10, 37), -0.1), "p=-0.1"),
    (lambda: operating_characteristics((5, 4, 10, 37), 0.2), "r1=5"),
    (lambda: operating_characteristics((1, 4, 0, 10), 0.2), "r=0"),
    (lambda: operating_characteristics("3/17", 0.2), "design='3/17'"),
    (lambda: simulate_trials((3, 17, 10, 37), 1.2, 10), "p=1.2"),
    (lambda: simulate_trials((3, 17, 10, 37), 0.2, 0), "n_trials=0"),
])
def test_invalid_other_arguments(call, field):
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        call()


def test_design_is_frozen():
    d = _design(0.2, 0.4, 0.1, 0.1).optimal
    assert isinstance(d, SimonDesign)
    with pytest.raises(AttributeError):
        d.n = 40  # type: ignore[misc]


def test_strict_false_admits_equality():
    """With binary-fraction rates the attained errors can equal the targets exactly."""
    strict = _design(0.25, 0.5, 0.25, 0.5, nmax=30)
    loose = simon_two_stage(0.25, 0.5, 0.25, 0.5, nmax=30, strict=False)
    assert strict.optimal.label() == "0/2, 1/4"
    assert strict.optimal.alpha < 0.25 and 1 - strict.optimal.power < 0.5
    assert loose.optimal.label() == "0/1, 0/2"
    assert loose.optimal.alpha == 0.25 and 1 - loose.optimal.power == 0.5
