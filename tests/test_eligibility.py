"""Tests of helpers.eligibility: every threshold at its boundary, the bilirubin and AST
exceptions, unknowns, overrides, bad input, the screening population and the funnel."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import eligibility as el
from helpers.eligibility import FAILED, PASSED, UNKNOWN, check_eligibility

# A patient who passes every rule with margin; tests change one value at a time.
BASE = dict(variant="CLL", age=70, life_expectancy_ge_3_months=True, ecog=1, hiv_known=False,
            prior_therapies=3, months_since_recurrence_biopsy=2.0, largest_node_cm=4.0, alc=20.0,
            anc=2.5, plt=150.0, hb=12.0, creatinine_xunl=1.0, bilirubin_total_xunl=0.8,
            bilirubin_direct_xunl=0.2, ast_xunl=1.0, liver_involvement=False)


def status(rule: str, **changes) -> str:
    return check_eligibility({**BASE, **changes})[rule].status


def test_base_patient_is_eligible():
    report = check_eligibility(BASE)
    assert report.status == "eligible"
    assert report.failed == [] and report.unknown == []
    assert [r.rule for r in report.results] == [r.name for r in el.RULES]


# ---- every simple threshold exactly at the boundary, and just beyond it ----------------------
BOUNDARIES = [
    # rule, variable, value at threshold -> expected, value just beyond -> expected
    ("prior_therapy", "prior_therapies", 1, PASSED, 0, FAILED),
    ("recurrence_biopsy", "months_since_recurrence_biopsy", 6.0, PASSED, 6.01, FAILED),
    ("age", "age", 18, PASSED, 17.99, FAILED),
    ("ecog", "ecog", 2, PASSED, 3, FAILED),
    ("anc", "anc", 1.0, PASSED, 0.99, FAILED),
    ("plt", "plt", 75.0, PASSED, 74.9, FAILED),
    ("hb", "hb", 8.0, PASSED, 7.9, FAILED),
    ("creatinine", "creatinine_xunl", 2.0, PASSED, 2.01, FAILED),
    ("bilirubin", "bilirubin_total_xunl", 2.0, PASSED, 2.01, PASSED),  # beyond: rescued by direct 0.2
    ("ast", "ast_xunl", 3.0, PASSED, 3.01, FAILED),
]


@pytest.mark.parametrize("rule,var,at,at_expected,beyond,beyond_expected", BOUNDARIES)
def test_boundary(rule, var, at, at_expected, beyond, beyond_expected):
    assert status(rule, **{var: at}) == at_expected
    assert status(rule, **{var: beyond}) == beyond_expected


@pytest.mark.parametrize("value,expected", [(0, PASSED), (1, PASSED), (2, PASSED), (3, FAILED), (4, FAILED), (5, FAILED)])
def test_ecog_every_grade(value, expected):
    assert status("ecog", ecog=value) == expected


def test_measurable_disease_is_strict_greater_on_both_branches():
    # exactly 2 cm and exactly 5 x10^9/L do NOT qualify (">2 cm", "ALC >5")
    assert status("measurable_disease", largest_node_cm=2.0, alc=5.0) == FAILED
    assert status("measurable_disease", largest_node_cm=2.01, alc=5.0) == PASSED
    assert status("measurable_disease", largest_node_cm=2.0, alc=5.01) == PASSED
    assert status("measurable_disease", largest_node_cm=0.0, alc=292.0) == PASSED


def test_measurable_disease_unknowns():
    assert status("measurable_disease", largest_node_cm=None, alc=3.0) == UNKNOWN
    assert status("measurable_disease", largest_node_cm=None, alc=6.0) == PASSED  # ALC alone suffices
    assert status("measurable_disease", largest_node_cm=1.0, alc=None) == UNKNOWN
    assert status("measurable_disease", largest_node_cm=None, alc=None) == UNKNOWN


def test_life_expectancy_is_a_yes_no_judgement():
    assert status("life_expectancy", life_expectancy_ge_3_months=True) == PASSED
    assert status("life_expectancy", life_expectancy_ge_3_months=False) == FAILED
    assert status("life_expectancy", life_expectancy_ge_3_months=None) == UNKNOWN


def test_hiv_and_diagnosis():
    assert status("hiv", hiv_known=False) == PASSED
    assert status("hiv", hiv_known=True) == FAILED
    assert status("hiv", hiv_known=None) == UNKNOWN
    assert status("diagnosis", variant="SLL") == PASSED
    assert status("diagnosis", variant=None) == UNKNOWN


# ---- the nested bilirubin exception --------------------------------------------------------
@pytest.mark.parametrize("total,direct,expected", [
    (2.0, 1.9, PASSED),    # total at the limit: the exception is not needed
    (2.01, 1.49, PASSED),  # total above, direct below 1.5: acceptable
    (2.01, 1.5, FAILED),   # direct exactly 1.5 is not < 1.5
    (4.0, 1.6, FAILED),
    (2.01, None, UNKNOWN),  # exception cannot be checked
    (None, 1.0, PASSED),   # direct < 1.5 is acceptable whatever the total
    (None, 1.5, UNKNOWN),
    (None, None, UNKNOWN),
])
def test_bilirubin_exception(total, direct, expected):
    assert status("bilirubin", bilirubin_total_xunl=total, bilirubin_direct_xunl=direct) == expected


def test_bilirubin_reason_names_the_exception():
    r = check_eligibility({**BASE, "bilirubin_total_xunl": 3.0, "bilirubin_direct_xunl": 0.5})["bilirubin"]
    assert r.status == PASSED and "exception" in r.reason and "3 x UNL > 2 x UNL" in r.reason


# ---- AST limit depends on liver involvement ------------------------------------------------
@pytest.mark.parametrize("ast,liver,expected", [
    (3.0, False, PASSED), (3.01, False, FAILED), (5.0, False, FAILED),
    (3.01, True, PASSED), (5.0, True, PASSED), (5.01, True, FAILED),
    (2.0, None, PASSED),    # below both limits: liver status does not matter
    (4.0, None, UNKNOWN),   # between the limits: depends on liver involvement
    (5.01, None, FAILED),   # above both limits
    (None, True, UNKNOWN), (None, False, UNKNOWN),
])
def test_ast_liver_exception(ast, liver, expected):
    assert status("ast", ast_xunl=ast, liver_involvement=liver) == expected


def test_ast_reason_names_liver_limit():
    r = check_eligibility({**BASE, "ast_xunl": 4.5, "liver_involvement": True})["ast"]
    assert "liver_involvement = yes" in r.reason and "<= 5" in r.reason


# ---- unknowns -------------------------------------------------------------------------------
@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_missing_value_is_unknown_never_pass(missing):
    for var, rule in [("anc", "anc"), ("plt", "plt"), ("hb", "hb"), ("age", "age"), ("ecog", "ecog")]:
        res = check_eligibility({**BASE, var: missing})[rule]
        assert res.status == UNKNOWN
        assert "missing" in res.reason


def test_absent_key_is_unknown_and_overall_unknown():
    patient = {k: v for k, v in BASE.items() if k != "months_since_recurrence_biopsy"}
    report = check_eligibility(patient)
    assert report["recurrence_biopsy"].status == UNKNOWN
    assert report.status == "unknown" and not report.eligible
    assert report.unknown == ["recurrence_biopsy"]


def test_failed_beats_unknown_overall():
    report = check_eligibility({**BASE, "anc": None, "plt": 10.0})
    assert report.status == "ineligible" and report.failed == ["plt"] and report.unknown == ["anc"]


def test_series_input_and_extra_columns_ignored():
    report = check_eligibility(pd.Series({**BASE, "sex": "M", "best_response": "PR"}))
    assert report.eligible


# ---- overrides ------------------------------------------------------------------------------
def test_override_changes_threshold_both_ways():
    assert status("anc", anc=0.6) == FAILED
    assert check_eligibility({**BASE, "anc": 0.6}, anc_min=0.5)["anc"].status == PASSED
    assert check_eligibility({**BASE, "anc": 0.5}, anc_min=0.5)["anc"].status == PASSED
    assert check_eligibility({**BASE, "plt": 80}, plt_min=100)["plt"].status == FAILED
    assert check_eligibility({**BASE, "ecog": 2}, ecog_max=1)["ecog"].status == FAILED
    assert check_eligibility({**BASE, "ast_xunl": 4.0, "liver_involvement": True},
                             ast_liver_max_xunl=3.5)["ast"].status == FAILED
    assert check_eligibility({**BASE, "bilirubin_total_xunl": 3.0, "bilirubin_direct_xunl": 1.2},
                             bilirubin_direct_max_xunl=1.0)["bilirubin"].status == FAILED


def test_override_does_not_change_defaults():
    check_eligibility(BASE, anc_min=5.0)
    assert el.RULES[[r.name for r in el.RULES].index("anc")].threshold == 1.0


def test_rules_subset_by_name():
    report = check_eligibility({"anc": 0.5, "plt": 80}, rules=["anc", "plt"])
    assert [r.rule for r in report.results] == ["anc", "plt"]
    assert report.failed == ["anc"]


def test_with_thresholds_and_parameters_cover_every_rule_param():
    assert set(el.PARAMETERS) == {p for r in el.RULES for p in r.params}
    rules = el.with_thresholds(hb_min=9.0)
    assert [r for r in rules if r.name == "hb"][0].threshold == 9.0


@pytest.mark.parametrize("kwargs,fragment", [
    ({"anc_minimum": 0.5}, "anc_min"),        # misspelled: suggests the right name
    ({"anc_min": -1}, "anc_min"),
    ({"plt_min": float("nan")}, "plt_min"),
    ({"hb_min": "8"}, "hb_min"),
])
def test_bad_override(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        check_eligibility(BASE, **kwargs)


# ---- units ----------------------------------------------------------------------------------
def test_units_convert_exactly_at_boundaries():
    assert check_eligibility({**BASE, "anc": 1000}, units={"anc": "/uL"})["anc"].status == PASSED
    assert check_eligibility({**BASE, "anc": 999}, units={"anc": "/µL"})["anc"].status == FAILED
    assert check_eligibility({**BASE, "plt": 75000}, units={"plt": "/mm3"})["plt"].status == PASSED
    assert check_eligibility({**BASE, "hb": 80}, units={"hb": "g/L"})["hb"].status == PASSED
    assert check_eligibility({**BASE, "hb": 79}, units={"hb": "g/L"})["hb"].status == FAILED
    assert check_eligibility({**BASE, "months_since_recurrence_biopsy": 182.625},
                             units={"months_since_recurrence_biopsy": "days"})["recurrence_biopsy"].status == PASSED
    assert el.convert(1500, "anc", "/uL") == 1.5
    assert el.convert(21, "largest_node_cm", "mm") == pytest.approx(2.1)


def test_anc_in_per_microlitre_without_units_is_rejected():
    # the pitfall: 1500 cells/uL typed into an x10^9/L field
    with pytest.raises(ValueError, match=r"'anc' = 1500.*plausible maximum.*units="):
        check_eligibility({**BASE, "anc": 1500})


# ---- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("changes,units,fragment", [
    ({"anc": -0.5}, None, r"'anc' = -0.5.*>= 0"),
    ({"plt": -1}, None, r"'plt' = -1"),
    ({"alc": -3.0}, None, r"'alc'"),
    ({"anc": 1.5}, {"anc": "cells/L"}, r"'anc': unknown unit 'cells/L'; allowed units:"),
    ({"hb": 12}, {"hb": "mg/dL"}, r"'hb': unknown unit 'mg/dL'.*g/L"),
    ({"ecog": 1.5}, None, r"'ecog' = 1.5.*whole number"),
    ({"ecog": 7}, None, r"'ecog' = 7"),
    ({"hiv_known": "no"}, None, r"'hiv_known' = 'no'.*True / False"),
    ({"variant": "MCL"}, None, r"'variant' = 'MCL'.*CLL, SLL"),
    ({"age": "seventy"}, None, r"'age' = 'seventy'.*number"),
    ({"hb": 120}, None, r"'hb' = 120.*plausible maximum 25 g/dL.*g/L"),
    ({"plt": float("inf")}, None, r"'plt'.*finite"),
])
def test_bad_values(changes, units, fragment):
    with pytest.raises(ValueError, match=fragment):
        check_eligibility({**BASE, **changes}, units=units)


@pytest.mark.parametrize("wrong,right", [("hgb", "hb"), ("ast_xuln", "ast_xunl"), ("ecgo", "ecog"),
                                         ("largest_nodes_cm", "largest_node_cm")])
def test_misspelled_variable_is_named(wrong, right):
    patient = {k: v for k, v in BASE.items() if k != right}
    patient[wrong] = BASE[right]
    with pytest.raises(ValueError, match=rf"{wrong!r}.*did you mean {right!r}"):
        check_eligibility(patient)


def test_misspelled_units_key_and_rule_variable():
    with pytest.raises(ValueError, match=r"units: field 'anc_count'"):
        check_eligibility(BASE, units={"anc_count": "/uL"})
    with pytest.raises(ValueError, match=r"'platelets' is unknown"):
        el.Condition("platelets", ">=", 75)
    with pytest.raises(ValueError, match=r"comparison '=>'"):
        el.Condition("plt", "=>", 75)
    with pytest.raises(ValueError, match=r"rules: 'platelet'"):
        check_eligibility(BASE, rules=["platelet"])


def test_patient_must_be_mapping():
    with pytest.raises(ValueError, match="mapping"):
        check_eligibility([1, 2, 3])


# ---- criteria table -------------------------------------------------------------------------
def test_criteria_table_has_one_row_per_rule_with_source_and_unit():
    table = el.criteria_table()
    assert list(table["rule"]) == [r.name for r in el.RULES]
    assert table.set_index("rule").loc["anc", "unit"] == "x10^9/L"
    assert table.set_index("rule").loc["hb", "threshold"] == "8"
    assert "1.5" in table.set_index("rule").loc["bilirubin", "exception"]
    assert "liver_involvement" in table.set_index("rule").loc["ast", "exception"]
    col = table["paper (Methods), paraphrased"]
    assert all(len(s) < 200 for s in col)  # paraphrases, not passages
    # at most a few short verbatim quotes (copyright: never the eligibility paragraph)
    assert sum('"' in s for s in col) <= 3


# ---- screening population and funnel ---------------------------------------------------------
def test_population_is_seeded_synthetic_and_valid():
    a, b = el.screening_population(), el.screening_population()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(el.screening_population(seed=1))
    assert len(a) == 400 and a.attrs["synthetic"] is True and "SYNTHETIC" in a.attrs["note"]
    assert set(el.VARIABLES) <= set(a.columns)
    assert (a.loc[a["variant"] == "SLL", "alc"] <= 5).all()  # SLL never had ALC > 5
    el.evaluate_population(a)  # passes validation
    assert len(el.screening_population(n=50, seed=3)) == 50


@pytest.mark.parametrize("n,seed", [(0, 1), (-5, 1), (2.5, 1), (10, -1)])
def test_population_bad_arguments(n, seed):
    with pytest.raises(ValueError):
        el.screening_population(n=n, seed=seed)


def _tiny():
    rows = [
        {**BASE},                                      # eligible
        {**BASE, "anc": 0.5},                          # fails anc only
        {**BASE, "anc": 0.5, "plt": 50},               # fails anc and plt
        {**BASE, "plt": 50, "ecog": 3},                # fails ecog and plt
        {**BASE, "hb": None},                          # unknown hb only
        {**BASE, "hb": None, "ecog": 4},               # fails ecog, unknown hb
    ]
    return pd.DataFrame(rows).assign(patient_id=[f"T{i}" for i in range(6)])


def test_funnel_counts_by_hand():
    f = el.screening_funnel(_tiny())
    steps = f.steps.set_index("rule")
    assert f.n_screened == 6 and f.n_eligible == 1 and f.n_unknown_only == 1
    # order: ... ecog (step 7) before anc, plt, hb
    assert steps.loc["ecog", "excluded_failed"] == 2
    assert steps.loc["anc", "excluded_failed"] == 2
    assert steps.loc["plt", "excluded_failed"] == 0  # the plt failures already left at ecog / anc
    assert steps.loc["hb", "excluded_unknown"] == 1
    assert steps.iloc[-1]["remaining"] == 1
    m = f.marginal.set_index("rule")
    assert m.loc["plt", "failed"] == 2 and m.loc["plt", "failed_only_this"] == 0
    assert m.loc["anc", "failed"] == 2 and m.loc["anc", "failed_only_this"] == 1
    assert m.loc["hb", "unknown"] == 2
    assert f.co_failure.loc["anc", "plt"] == 1 and f.co_failure.loc["ecog", "plt"] == 1
    assert f.n_failed_rules.to_dict() == {0: 2, 1: 2, 2: 2}


def test_funnel_order_changes_steps_not_totals():
    pop = el.screening_population(n=200, seed=7)
    f1 = el.screening_funnel(pop)
    f2 = el.screening_funnel(pop, list(reversed(el.RULES)))
    assert f1.n_eligible == f2.n_eligible
    assert not f1.steps["excluded_failed"].tolist() == list(reversed(f2.steps["excluded_failed"].tolist()))
    pd.testing.assert_frame_equal(f1.marginal.set_index("rule").sort_index(),
                                  f2.marginal.set_index("rule").sort_index())


def test_funnel_consistent_with_per_patient_check():
    pop = el.screening_population(n=120, seed=11)
    f = el.screening_funnel(pop)
    per_patient = [check_eligibility(row).status for _, row in pop.iterrows()]
    assert f.n_eligible == per_patient.count("eligible")
    ev = el.evaluate_population(pop)
    assert int(ev["eligible"].sum()) == f.n_eligible
    for rule in el.RULES:
        assert (ev[rule.name] == FAILED).sum() == f.marginal.set_index("rule").loc[rule.name, "failed"]
        assert np.diag(f.co_failure.values).tolist() == f.marginal["failed"].tolist()
    s = f.steps
    assert (s["in"] == s["excluded_failed"] + s["excluded_unknown"] + s["remaining"]).all()


def test_funnel_overrides_move_the_count():
    pop = el.screening_population()
    base = el.screening_funnel(pop).n_eligible
    assert el.screening_funnel(pop, plt_min=50).n_eligible > base
    assert el.screening_funnel(pop, plt_min=100).n_eligible < base
    assert el.screening_funnel(pop, ecog_max=1).n_eligible < base


def test_population_validation_names_patient():
    pop = _tiny()
    pop.loc[2, "plt"] = -4
    with pytest.raises(ValueError, match=r"'plt' = -4.*patient T2"):
        el.screening_funnel(pop)
    with pytest.raises(ValueError, match="DataFrame"):
        el.screening_funnel([{"anc": 1}])


def test_cohort_all_eligible_as_the_paper_says():
    from helpers.data import load_patients

    patients = load_patients()
    ev = el.evaluate_population(patients)
    assert len(patients) == 22 and bool(ev["eligible"].all())  # "All patients were eligible"
