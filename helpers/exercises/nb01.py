"""Exercise bank of notebook 01 (trial design). Expected values are computed, never typed."""
from __future__ import annotations

from helpers.exercises import register



def _zent_args() -> dict:
    """Search of the Methods' design: H0 20% vs H1 40%, power 90%, nominal alpha 0.10."""
    from helpers.design import ZENT2010_METHODS as m
    return {"p0": m["p0"], "p1": m["p1"], "alpha": 0.10, "beta": round(1 - m["power"], 10)}


def _zent_result():
    from helpers.design import simon_two_stage
    return simon_two_stage(**_zent_args())


@register("01.1", kind="number", tol=0.0005,
          hint="Run simon_two_stage(0.20, 0.40, 0.10, 0.10) and read .optimal.alpha: the exact "
               "probability of declaring the drug promising when the true rate is 20%.")
def _():
    return _zent_result().optimal.alpha


@register("01.2", kind="integer",
          hint="The minimax design is the one with the smallest maximum number of patients: "
               "read .minimax.n.")
def _():
    return _zent_result().minimax.n


@register("01.3", kind="number", tol=0.01,
          hint="operating_characteristics(design, p).pet gives the probability of stopping after "
               "stage 1; use the optimal design and the rate the drug was hoped to reach.")
def _():
    from helpers.design import operating_characteristics
    res = _zent_result()
    return operating_characteristics(res.optimal, res.p1).pet


@register("01.4", kind="number", tol=0.005,
          hint="Count the partial remissions among the 22 (load_patients(), best_response == 'PR'), "
               "then binomial_ci(x, n, method='exact').high, as a proportion.")
def _():
    from helpers.data import load_patients
    from helpers.design import binomial_ci
    patients = load_patients()
    return binomial_ci(int((patients["best_response"] == "PR").sum()), len(patients)).high


@register("01.5", kind="number", tol=0.01,
          hint="coverage(22, p, method='wald') sums the binomial probabilities of the outcomes "
               "whose Wald interval contains p; take p = 0.10.")
def _():
    from helpers.design import coverage
    return coverage(22, 0.10, method="wald")


@register("01.6", kind="bool",
          hint="Search again with alpha = 0.09 and compare .optimal with the 0.10 search: is it "
               "the same design (r1/n1, r/n)?")
def _():
    from helpers.design import simon_two_stage
    z = _zent_args()
    nine = simon_two_stage(z["p0"], z["p1"], 0.09, z["beta"]).optimal
    ten = _zent_result().optimal
    return (nine.r1, nine.n1, nine.r, nine.n) == (ten.r1, ten.n1, ten.r, ten.n)
