"""Medical plausibility of the reconstructed cohort (regressions for the independent review).

Each test states its reading. The rows are synthetic (datasets/README.md); these checks keep them
physiologically and procedurally believable, they do not make them real.
"""
from __future__ import annotations

import pandas as pd
import pytest

from helpers import data as D

CYCLE = 28


@pytest.fixture(scope="module")
def t():
    return dict(p=D.load_patients().set_index("patient_id"), labs=D.load_labs(), a=D.load_assessments(),
                ae=D.load_adverse_events(), cy=D.load_cycles())


def _support_days(a: pd.DataFrame, pid: str, col: str) -> set[int]:
    """Assessment days whose flag says the support was given in the preceding weeks."""
    return set(a.loc[(a["patient_id"] == pid) & a[col].astype(bool), "day"].astype(int))


def _hemolysis(ae, pid, day) -> bool:
    h = ae[(ae["patient_id"] == pid) & (ae["term"] == "hemolysis")]
    return bool(((h["day"] <= day) & (h["end_day"].fillna(10**6) >= day)).any())


def _pairs(labs, col):
    for pid, g in labs.sort_values(["patient_id", "day"]).groupby("patient_id"):
        g = g[["day", col]].dropna().to_numpy()
        for (d0, x0), (d1, x1) in zip(g[:-1], g[1:]):
            yield str(pid), int(d0), float(x0), int(d1), float(x1)


def test_no_untransfused_hemoglobin_jump_within_a_week(t):
    """Hb cannot change by > 2 g/dL within 7 days without a recorded transfusion (or haemolysis)."""
    for pid, d0, x0, d1, x1 in _pairs(t["labs"], "hb"):
        if d1 - d0 <= 7 and abs(x1 - x0) > 2.0:
            assert d1 in _support_days(t["a"], pid, "transfused") or _hemolysis(t["ae"], pid, d1), (pid, d0, d1)


def test_hemoglobin_rate_of_change(t):
    """Reading: an untransfused rise is at most ~1 g/dL per week (marrow recovery, with or without
    erythropoietin) and a fall without haemolysis or bleeding at most ~1 g/dL per week (red cells
    live ~120 days), each plus 0.6 g/dL for day-to-day and laboratory variation."""
    for pid, d0, x0, d1, x1 in _pairs(t["labs"], "hb"):
        weeks = (d1 - d0) / 7
        if x1 > x0 and d1 not in _support_days(t["a"], pid, "transfused"):
            assert x1 - x0 <= 1.0 * weeks + 0.6, (pid, d0, x0, d1, x1)
        if x1 < x0 and not _hemolysis(t["ae"], pid, d1):
            assert x0 - x1 <= 1.0 * weeks + 0.6, (pid, d0, x0, d1, x1)


def _held(t, pid: str, day: int) -> bool:
    """Dosing was interrupted right after ``day``: the nominal start of a delayed cycle, or off treatment."""
    cy = t["cy"][t["cy"]["patient_id"] == pid].sort_values("cycle")
    starts = cy["start_day"].astype(int).tolist()
    for prev, (_, c) in zip(starts, cy.iloc[1:].iterrows()):
        if bool(c["delayed"]) and prev + CYCLE <= day <= int(c["start_day"]):
            return True
    off = t["p"].loc[pid, "off_treatment_day"]
    return bool(pd.notna(off) and day >= int(off))


@pytest.mark.parametrize("col", ["plt", "anc"])
def test_no_halve_and_recover_within_14_days_on_continued_dosing(t, col):
    """A count that halves and is back to >= 80% of its previous level within 14 days needs a
    hold of the drug at the nadir (the delayed cycle's pre-cycle visit) or the end of treatment."""
    labs = t["labs"].sort_values(["patient_id", "day"])
    for pid, g in labs.groupby("patient_id"):
        g = g[["day", col]].to_numpy()
        for (d0, x0), (d1, x1), (d2, x2) in zip(g[:-2], g[1:-1], g[2:]):
            if d2 - d0 <= 14 and x1 <= 0.5 * x0 and x2 >= 0.8 * x0:
                assert _held(t, str(pid), int(d1)), (pid, col, d0, d1, d2)


def test_platelets_fall_no_faster_than_production_arrest(t):
    """Reading: platelets live 7-10 days, so even with production arrested they fall by at most
    ~60-65% in a week (pro-rated: count_after >= count_before x 0.35^(days/7))."""
    for pid, d0, x0, d1, x1 in _pairs(t["labs"], "plt"):
        assert x1 >= x0 * 0.35 ** ((d1 - d0) / 7) - 1, (pid, d0, x0, d1, x1)


def test_grade3_4_nonhematologic_events_are_acted_on(t):
    """Reading of the retreatment rule (judged at the pre-cycle visit): every grade 3-4
    nonhematologic adverse event is followed by a delayed or reduced next cycle, or by no further
    cycle, or has resolved to grade <= 2 (end_day) before the next cycle starts."""
    ae = t["ae"]
    ev = ae[(ae["category"] == "nonhematologic") & ae["grade"].isin([3, 4])]
    assert len(ev) >= 7
    for _, e in ev.iterrows():
        cy = t["cy"][t["cy"]["patient_id"] == e["patient_id"]]
        nxt = cy[cy["start_day"] > e["day"]].sort_values("start_day")
        if nxt.empty:
            continue
        n = nxt.iloc[0]
        acted = bool(n["delayed"]) or bool(n["reduced"])
        resolved = pd.notna(e["end_day"]) and int(e["end_day"]) < int(n["start_day"])
        assert acted or resolved, (e["patient_id"], e["term"], e["day"])


def _last_dose(p: pd.Series, cy: pd.DataFrame) -> int:
    last_start = int(cy["start_day"].max())
    end = p["off_treatment_day"] if pd.notna(p["off_treatment_day"]) else p["last_contact_day"]
    return int(min(end, last_start + CYCLE))


def test_adverse_events_within_30_days_of_the_last_dose(t):
    """The usual reporting window: onset <= last dose + 30 days, except a grade 5 event that is the
    patient's documented cause of death (onset/end on the death day's course, note says so)."""
    for _, e in t["ae"].iterrows():
        pid = e["patient_id"]
        p = t["p"].loc[pid]
        last = _last_dose(p, t["cy"][t["cy"]["patient_id"] == pid])
        if int(e["day"]) <= last + 30:
            continue
        assert int(e["grade"]) == 5 and pd.notna(p["death_day"]) and int(e["end_day"]) == int(p["death_day"]), \
            (pid, e["term"], e["day"], last)
        assert "death cause" in str(e["note"]), (pid, e["term"])


def test_on_study_sepsis_death_matches_the_papers_wording(t):
    """Paper: 2 died on study, 1 "because of sepsis possibly related to treatment"; "another patient
    with grade 2 neutropenia died of sepsis possibly related"; the blood-culture-positive death had
    grade 4 ARDS and grade 3 neutropenia, "probably related"."""
    p, ae = t["p"], t["ae"]
    on = p.index[(p["off_treatment_reason"] == "died") & (p["death_cause"] == "infection_treatment")]
    assert len(on) == 1
    mine = ae[ae["patient_id"] == on[0]]
    sepsis = mine[(mine["term"] == "sepsis") & (mine["grade"] == 5)]
    assert list(sepsis["attribution"]) == ["possible"]
    neut = mine[mine["term"] == "neutropenia"]
    assert list(neut["grade"]) == [2]
    other = p.index[(p["death_cause"] == "infection_treatment") & (p.index != on[0])]
    assert len(other) == 1 and p.loc[other[0], "off_treatment_reason"] != "died"
    theirs = ae[ae["patient_id"] == other[0]].set_index("term")
    assert theirs.loc["sepsis", "attribution"] == "probable" and theirs.loc["ards", "grade"] == 4
    assert theirs.loc["neutropenia", "grade"] == 3 and theirs.loc["neutropenia", "attribution"] == "probable"


def test_day6_marrow_follows_a_recorded_clinical_concern(t):
    """Paper: the day-6 marrow was done "because of concern about the patient's clinical status"."""
    a, ae = t["a"], t["ae"]
    m = a[a["marrow_lymph_pct"].notna() & (a["day"] > 0)]
    assert len(m) == 1
    pid, day = m["patient_id"].iloc[0], int(m["day"].iloc[0])
    assert bool(m["symptoms"].iloc[0])
    near = ae[(ae["patient_id"] == pid) & (ae["day"] <= day) & (ae["end_day"] >= day)]
    assert not near.empty


def test_grade3_hemolysis_has_its_intervention_recorded(t):
    """CTC v3.0 grade 3 hemolysis requires transfusion or medical intervention (e.g. steroids)."""
    h = t["ae"][(t["ae"]["term"] == "hemolysis") & (t["ae"]["grade"] >= 3)]
    for _, e in h.iterrows():
        transfused = any(e["day"] <= d <= e["end_day"] for d in _support_days(t["a"], e["patient_id"], "transfused"))
        assert transfused or "prednisone" in str(e["note"]) or "steroid" in str(e["note"]), e["patient_id"]


def test_progression_visits_at_the_end_of_cycle_2_are_restagings(t):
    """A progression found at the scheduled end-of-cycle-2 visit (day 56, no delay) is that restaging."""
    p, a, cy = t["p"], t["a"], t["cy"]
    for pid, r in p.dropna(subset=["progression_day"]).iterrows():
        c = cy[cy["patient_id"] == pid]
        if len(c) == 2 and not c["delayed"].any() and int(r["progression_day"]) == 56:
            row = a[(a["patient_id"] == pid) & (a["day"] == 56)]
            assert bool(row["restaging"].iloc[0]), pid


def test_cycle_start_slips_of_two_days_or_more_are_recorded_delays(t):
    """Reading: a start within 1 day of the nominal day (start of the previous cycle + 28) is within
    the visit window (our assumption); a slip of >= 2 days is a recorded delay with a reason."""
    cy = t["cy"].sort_values(["patient_id", "cycle"])
    for pid, g in cy.groupby("patient_id"):
        starts = g["start_day"].astype(int).tolist()
        for prev, (_, c) in zip(starts, g.iloc[1:].iterrows()):
            slip = int(c["start_day"]) - prev - CYCLE
            assert slip >= 0
            assert (slip >= 2) == bool(c["delayed"]), (pid, int(c["cycle"]), slip)


def test_highest_baseline_hemoglobin_is_a_mans(t):
    """Table 1's maximum Hb (16.4 g/dL) is above the usual female reference range."""
    p = t["p"]
    assert p.loc[p["hb"].idxmax(), "sex"] == "M"
    assert (p.loc[p["sex"] == "F", "hb"] <= 15.5).all()


def test_no_node_response_before_the_documented_response(t):
    """Only restagings document a response, but cycle-visit node exams feed the mobilization maximum:
    for the PR patients no visit before the documented onset already shows SPD <= 50% of baseline."""
    v = D.load_visits()
    for pid, r in t["p"][t["p"]["best_response"] == "PR"].iterrows():
        g = v[v["patient_id"] == pid].set_index("day")["node_spd_cm2"]
        before = g[(g.index > 0) & (g.index < int(r["response_day"]))]
        assert (before > 0.5 * g.loc[0]).all(), (pid, before.idxmin())
        assert g.loc[int(r["response_day"])] <= 0.5 * g.loc[0]


def test_adverse_events_end_by_last_contact(t):
    """An episode ends (resolution, death, or last contact if ongoing at the cut-off) by last contact."""
    m = t["ae"].merge(t["p"][["last_contact_day"]], left_on="patient_id", right_index=True)
    assert (m["end_day"].astype("float64") <= m["last_contact_day"].astype("float64")).all()
