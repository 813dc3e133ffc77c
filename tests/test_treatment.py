"""Tests of helpers.treatment: retreatment thresholds at their boundaries, the dose ladder,
the off-study reading, unknown labs, dose intensity, the restaging calendar, bad input."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers import treatment as tr
from helpers.treatment import AWAIT_LABS, HOLD_REDUCE, OFF_STUDY, RETREAT, next_cycle_decision

OK = {"plt": 150.0, "anc": 2.5}


def test_ladder_as_data():
    assert tr.DOSE_LABELS == ("10 mg daily", "5 mg daily", "5 mg every other day", "5 mg every third day")
    table = tr.dose_ladder_table().set_index("dose")
    assert table["mg_per_cycle"].tolist() == [280.0, 140.0, 70.0, 50.0]
    assert table["doses_per_cycle"].tolist() == [28, 28, 14, 10]
    assert table.loc["5 mg daily", "fraction_of_full"] == 0.5


def test_dose_level_lookup():
    assert tr.dose_level("5 mg daily").level == 1
    assert tr.dose_level("  5 MG every  other day ").level == 2
    assert tr.dose_level(3).label == "5 mg every third day"
    assert tr.next_level("10 mg daily").label == "5 mg daily"
    assert tr.next_level(3) is None


@pytest.mark.parametrize("bad", ["7.5 mg daily", 4, -1, True, None])
def test_dose_level_bad(bad):
    with pytest.raises(ValueError, match="allowed"):
        tr.dose_level(bad)


# ---- thresholds exactly at the boundary -----------------------------------------------------
@pytest.mark.parametrize("plt,anc,action", [
    (40.0, 1.0, RETREAT),        # both exactly at the limit: retreat (>=)
    (39.9, 1.0, HOLD_REDUCE),
    (40.0, 0.99, HOLD_REDUCE),
    (39.0, 0.5, HOLD_REDUCE),
    (300.0, 8.0, RETREAT),
])
def test_retreatment_boundaries(plt, anc, action):
    d = next_cycle_decision("10 mg daily", {"plt": plt, "anc": anc})
    assert d.action == action
    if action == RETREAT:
        assert d.next_dose == tr.FULL_DOSE and not d.delay and not d.reduce
    else:
        assert d.next_dose.label == "5 mg daily" and d.delay and d.reduce


@pytest.mark.parametrize("grade,category,action", [
    (2, "nonhematologic", RETREAT),
    (3, "nonhematologic", HOLD_REDUCE),
    (4, "nonhematologic", HOLD_REDUCE),
    (4, "hematologic", RETREAT),       # hematologic events act only through plt and ANC
    (5, "nonhematologic", OFF_STUDY),  # death
])
def test_nonhematologic_toxicity(grade, category, action):
    d = next_cycle_decision(0, OK, [{"term": "mucositis", "category": category, "grade": grade}])
    assert d.action == action


def test_toxicities_as_frame():
    ae = pd.DataFrame({"term": ["pneumonia", "anemia"], "category": ["nonhematologic", "hematologic"],
                       "grade": [3, 3]})
    d = next_cycle_decision("5 mg daily", OK, ae)
    assert d.action == HOLD_REDUCE and "pneumonia grade 3" in str(d)


def test_every_step_of_the_ladder_then_off_study():
    dose = tr.FULL_DOSE
    seen = [dose.label]
    for _ in range(3):
        d = next_cycle_decision(dose, {"plt": 20, "anc": 2})
        assert d.action == HOLD_REDUCE
        dose = d.next_dose
        seen.append(dose.label)
    assert seen == list(tr.DOSE_LABELS)
    last = next_cycle_decision(dose, {"plt": 20, "anc": 2})
    assert last.action == OFF_STUDY and last.next_dose is None and "last step" in str(last)


def test_reduced_dose_is_kept_when_criteria_met():
    d = next_cycle_decision("5 mg every other day", OK)
    assert d.action == RETREAT and d.next_dose.label == "5 mg every other day"


def test_missing_labs_await():
    d = next_cycle_decision(0, {"plt": None, "anc": 2.0})
    assert d.action == AWAIT_LABS and d.delay and not d.reduce and d.criteria["plt"] == "unknown"
    d = next_cycle_decision(0, {"anc": 2.0})
    assert d.action == AWAIT_LABS
    # a failed count decides even if the other is missing
    assert next_cycle_decision(0, {"plt": 10.0}).action == HOLD_REDUCE


def test_units_and_overrides():
    assert next_cycle_decision(0, {"plt": 40000, "anc": 1000}, units={"plt": "/uL", "anc": "/uL"}).action == RETREAT
    assert next_cycle_decision(0, {"plt": 40000, "anc": 999}, units={"plt": "/uL", "anc": "/uL"}).action == HOLD_REDUCE
    assert next_cycle_decision(0, {"plt": 45, "anc": 2}, plt_min=50).action == HOLD_REDUCE
    assert next_cycle_decision(0, {"plt": 45, "anc": 0.8}, anc_min=0.75).action == RETREAT
    assert next_cycle_decision(0, pd.Series({"plt": 45.0, "anc": 2.0})).action == RETREAT


@pytest.mark.parametrize("labs,toxicities,kwargs,fragment", [
    ({"plt": -5, "anc": 2}, (), {}, r"'plt' = -5"),
    ({"plt": 50, "anc": 1500}, (), {}, r"'anc' = 1500.*plausible"),
    ({"plt": 50, "anc": 1.5}, (), {"units": {"anc": "cells"}}, r"unknown unit 'cells'"),
    ({"plt": 50, "anc": 1.5}, (), {"units": {"hb": "g/L"}}, r"units: field 'hb'"),
    ({"platelets": 50, "anc": 1.5}, (), {}, r"'platelets'.*'plt'"),
    ({"pltt": 50, "anc": 1.5}, (), {}, r"'pltt'.*did you mean 'plt'"),
    (OK, [{"category": "renal", "grade": 3}], {}, r"category 'renal'.*hematologic, nonhematologic"),
    (OK, [{"category": "nonhematologic", "grade": 6}], {}, r"grade 6.*1-5"),
    (OK, [{"category": "nonhematologic", "grade": 2.5}], {}, r"grade 2.5"),
    (OK, ["mucositis"], {}, r"toxicities\[0\]"),
    (OK, (), {"plt_min": -1}, r"'plt_min' = -1"),
    ([1, 2], (), {}, r"labs must be a mapping"),
])
def test_bad_input(labs, toxicities, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        next_cycle_decision(0, labs, toxicities, **kwargs)


def test_recovery_day():
    labs = pd.DataFrame({"day": [28, 35, 42, 49], "plt": [30, 38, 41, 60], "anc": [0.8, 1.2, 0.9, 1.0]})
    assert tr.recovery_day(labs, 28) == 49
    assert tr.recovery_day(labs, 50) is None
    with pytest.raises(ValueError, match="'anc'"):
        tr.recovery_day(labs.drop(columns="anc"), 0)


# ---- dose intensity -------------------------------------------------------------------------
def test_dose_intensity_by_hand():
    cycles = pd.DataFrame({
        "patient_id": ["A", "A", "A", "B", "C", "C"],
        "cycle": [1, 2, 3, 1, 1, 2],
        "start_day": [0, 28, 70, 0, 0, 28],
        "dose": ["10 mg daily", "10 mg daily", "5 mg daily", "10 mg daily",
                 "10 mg daily", "5 mg every third day"],
    })
    di = tr.dose_intensity(cycles).set_index("patient_id")
    assert di.loc["A", "delivered_mg"] == 280 + 280 + 140
    assert di.loc["A", "planned_mg"] == 3 * 280
    assert di.loc["A", "relative_dose_intensity"] == pytest.approx(700 / 840)
    assert di.loc["A", "mg_per_day_elapsed"] == pytest.approx(700 / 98)  # day 0 to 70 + 28
    assert di.loc["A", "lowest_dose"] == "5 mg daily"
    assert di.loc["B", "relative_dose_intensity"] == 1.0
    assert di.loc["C", "relative_dose_intensity"] == pytest.approx(330 / 560)


def test_dose_intensity_bad_input():
    with pytest.raises(ValueError, match="'dose'"):
        tr.dose_intensity(pd.DataFrame({"patient_id": ["A"], "cycle": [1]}))
    with pytest.raises(ValueError, match="'7.5 mg daily'.*allowed"):
        tr.dose_intensity(pd.DataFrame({"patient_id": ["A"], "cycle": [1], "dose": ["7.5 mg daily"]}))


# ---- restaging calendar -------------------------------------------------------------------
def test_restaging_calendar():
    assert tr.restaging_cycles(18) == (2, 6, 9, 12, 15, 18)
    assert tr.restaging_cycles(5) == (2,)
    assert tr.restaging_cycles(1) == ()
    assert [c for c in range(1, 19) if tr.is_restaging_cycle(c)] == [2, 6, 9, 12, 15, 18]
    cal = tr.restaging_calendar(9)
    assert cal["scheduled_day"].tolist() == [56, 168, 252]
    assert cal["source"].tolist() == ["paper (Methods, Discussion)"] * 2 + ["paper (Discussion)"]
    # the interval after cycle 6 is the paper's (Discussion), as recorded in published_numbers
    from helpers.data import load_published
    pub = load_published().set_index("key")["value"]
    every = int(pub["restage_every_cycles"])
    assert all(b - a == every for a, b in zip(tr.restaging_cycles(18)[1:], tr.restaging_cycles(18)[2:]))
    assert tr.restaging_cycles(18)[:2] == (int(pub["restage_first_after_cycle"]),
                                           int(pub["restage_second_after_cycle"]))
    with pytest.raises(ValueError, match="cycle"):
        tr.is_restaging_cycle(0)
    with pytest.raises(ValueError, match="max_cycle"):
        tr.restaging_cycles(-1)


# ---- rules against records, on hand-made rows ----------------------------------------------
def _records():
    cycles = pd.DataFrame({
        "patient_id": ["A", "A", "A", "B", "B", "C", "C"],
        "cycle": [1, 2, 3, 1, 2, 1, 2],
        "start_day": [0, 35, 63, 0, 28, 0, 35],
        "dose": ["10 mg daily", "5 mg daily", "5 mg daily", "10 mg daily", "10 mg daily",
                 "10 mg daily", "10 mg daily"],
        "delayed": [False, True, False, False, False, False, True],
        "delay_reason": [None, "hematologic", None, None, None, None, "hospitalization"],
        "reduced": [False, True, False, False, False, False, False],
        "reduction_reason": [None, "hematologic", None, None, None, None, None],
    })
    labs = pd.DataFrame({
        "patient_id": ["A", "A", "A", "B", "C", "C"],
        "day": [28, 35, 63, 28, 28, 35],
        "plt": [30.0, 60.0, 90.0, 35.0, 150.0, 150.0],
        "anc": [1.5, 1.5, 1.5, 2.0, 2.0, 2.0],
    })
    ae = pd.DataFrame({"patient_id": ["C"], "term": ["pneumonia"], "category": ["nonhematologic"],
                       "grade": [2], "attribution": ["unrelated"], "day": [20]})
    return cycles, labs, ae


def test_rules_vs_records_by_hand():
    cycles, labs, ae = _records()
    cmp = tr.rules_vs_records(cycles, labs, ae).set_index(["patient_id", "cycle"])
    a2 = cmp.loc[("A", 2)]
    assert a2["labs_day"] == 28 and a2["plt"] == 30.0  # the scheduled-day count, not the recovery
    assert a2["rule_action"] == HOLD_REDUCE and a2["agree"]
    assert cmp.loc[("A", 3), "rule_action"] == RETREAT and cmp.loc[("A", 3), "agree"]
    b2 = cmp.loc[("B", 2)]
    assert b2["rule_delay"] and not b2["recorded_delayed"] and not b2["agree"]
    assert "physician discretion" in b2["explanation"]
    c2 = cmp.loc[("C", 2)]
    assert not c2["rule_delay"] and c2["recorded_delayed"] and "hospitalization" in c2["explanation"]
    counts = tr.modification_counts(cmp.reset_index())
    assert counts == {"recorded_delayed_cycles": 2, "recorded_delayed_patients": 2,
                      "recorded_reduced_cycles": 1, "recorded_reduced_patients": 1,
                      "rule_delay_cycles": 2, "rule_delay_patients": 2,
                      "rule_reduce_cycles": 2, "rule_reduce_patients": 2, "disagreements": 2}


def test_rules_vs_records_toxicity_needs_relation_and_grade():
    cycles, labs, ae = _records()
    ae = ae.assign(grade=3)
    unrelated = tr.rules_vs_records(cycles, labs, ae).set_index(["patient_id", "cycle"])
    assert unrelated.loc[("C", 2), "rule_action"] == RETREAT   # unrelated: not a toxicity
    all_ae = tr.rules_vs_records(cycles, labs, ae, related_only=False).set_index(["patient_id", "cycle"])
    assert all_ae.loc[("C", 2), "rule_action"] == HOLD_REDUCE
    assert all_ae.loc[("C", 2), "toxicity"] == "pneumonia g3"
    related = tr.rules_vs_records(cycles, labs, ae.assign(attribution="possible")).set_index(["patient_id", "cycle"])
    assert related.loc[("C", 2), "rule_action"] == HOLD_REDUCE


def test_rules_vs_records_off_study_rule_but_cycle_given_disagrees():
    # on the last step, a failed criterion means off study: a cycle given anyway is a disagreement
    cycles, labs, ae = _records()
    cycles = cycles.assign(dose=["10 mg daily", "5 mg daily", "5 mg daily", "5 mg every third day",
                                 "5 mg every third day", "10 mg daily", "10 mg daily"])
    cmp = tr.rules_vs_records(cycles, labs, ae).set_index(["patient_id", "cycle"])
    b2 = cmp.loc[("B", 2)]
    assert b2["rule_action"] == OFF_STUDY and not b2["agree"]
    assert "off study" in b2["explanation"]


def test_rules_vs_records_missing_column():
    cycles, labs, ae = _records()
    with pytest.raises(ValueError, match="cycles: column 'reduced'"):
        tr.rules_vs_records(cycles.drop(columns="reduced"), labs, ae)
    with pytest.raises(ValueError, match="labs: column 'anc'"):
        tr.rules_vs_records(cycles, labs.drop(columns="anc"), ae)


def test_toxicity_window_readings():
    cycles, labs, ae = _records()
    # grade 3, possibly related, onset day 20, resolved day 25: before C's scheduled day 28
    resolved = ae.assign(grade=3, attribution="possible", end_day=25)
    ongoing = tr.rules_vs_records(cycles, labs, resolved).set_index(["patient_id", "cycle"])
    assert ongoing.loc[("C", 2), "rule_action"] == RETREAT
    strict = tr.rules_vs_records(cycles, labs, resolved, toxicity_window="previous_cycle")
    assert strict.set_index(["patient_id", "cycle"]).loc[("C", 2), "rule_action"] == HOLD_REDUCE
    # still present on the scheduled day (onset in an earlier window counts too)
    lasting = ae.assign(grade=4, attribution="probable", day=5, end_day=30)
    assert tr.rules_vs_records(cycles, labs, lasting).set_index(["patient_id", "cycle"]).loc[
        ("C", 2), "rule_action"] == HOLD_REDUCE
    with pytest.raises(ValueError, match="toxicity_window = 'cycle'.*'ongoing', 'previous_cycle'"):
        tr.rules_vs_records(cycles, labs, ae, toxicity_window="cycle")


# ---- the reconstructed cohort -------------------------------------------------------------
def test_cohort_records_match_paper_and_rules_explain_hematologic_delays():
    from helpers.data import load_adverse_events, load_cycles, load_labs

    cmp = tr.rules_vs_records(load_cycles(), load_labs(), load_adverse_events())
    counts = tr.modification_counts(cmp)
    # paper, Results: delays 9 patients / 12 cycles; reductions 9 patients / 11 cycles
    assert (counts["recorded_delayed_patients"], counts["recorded_delayed_cycles"]) == (9, 12)
    assert (counts["recorded_reduced_patients"], counts["recorded_reduced_cycles"]) == (9, 11)
    # every delay recorded as hematologic has failing pre-cycle counts
    hem = cmp[cmp["delay_reason"] == "hematologic"]
    assert len(hem) == 10 and hem["rule_delay"].all()
    assert ((hem["plt"] < 40) | (hem["anc"] < 1)).all()
    # every disagreement carries an explanation
    assert (cmp.loc[~cmp["agree"], "explanation"] != "agree").all()


def test_cohort_dose_intensity_below_full_exactly_for_reduced_patients():
    from helpers.data import load_cycles

    cycles = load_cycles()
    di = tr.dose_intensity(cycles).set_index("patient_id")
    reduced = set(cycles.loc[cycles["reduced"].astype(bool), "patient_id"].astype(str))
    assert set(di.index[di["relative_dose_intensity"] < 1]) == reduced
    assert (di["relative_dose_intensity"] > 0).all() and (di["relative_dose_intensity"] <= 1).all()
