"""Notebook 02's exercises: each accepts its correct answer, rejects a wrong one, and the
committed notebook's unanswered check prints a hint without the answer."""
from __future__ import annotations

import pytest

from helpers import exercises as ex
from helpers.eligibility import check_eligibility, screening_funnel, screening_population
from helpers.exercises import nb02

IDS = sorted(k for k in ex.exercises() if k.startswith("02."))


def test_at_least_three_exercises():
    assert len(IDS) >= 3


@pytest.mark.parametrize("eid", IDS)
def test_correct_and_wrong(eid):
    e = ex.exercises()[eid]
    right = e.expected()
    assert ex.evaluate(eid, right)
    wrong = {"integer": lambda v: v + 1, "number": lambda v: v + 0.05, "bool": lambda v: not v,
             "text": lambda v: next(c for c in e.choices if c != v) if e.choices else v + "0", "set": lambda v: set()}[e.kind](right)
    assert not ex.evaluate(eid, wrong)
    assert not ex.evaluate(eid, None)


@pytest.mark.parametrize("eid", IDS)
def test_check_prints_hint_not_answer(eid, capsys):
    ex.check(eid, None)
    out = capsys.readouterr().out
    assert "not answered yet" in out and "Hint" in out


def test_expected_values_are_what_the_engines_say():
    # independent recomputation along a different path (per-patient checks, by hand arithmetic)
    pop = screening_population()
    per_patient = sum(check_eligibility(row).eligible for _, row in pop.iterrows())
    assert ex.exercises()["02.1"].expected() == per_patient
    assert ex.exercises()["02.2"].expected() == "ast"  # bilirubin rescued by direct < 1.5; AST 4 > 3
    assert ex.exercises()["02.3"].expected() is False  # 900/uL = 0.9 x10^9/L < 1
    assert ex.exercises()["02.4"].expected() == pytest.approx((280 + 280 + 140 + 70) / (4 * 280))
    assert ex.exercises()["02.5"].expected() > 0
    assert nb02.EX2_PATIENT["liver_involvement"] is False
    from helpers.data import load_cycles
    from helpers.treatment import FULL_DOSE, dose_level

    cyc = load_cycles()
    mg = cyc.assign(mg=[dose_level(str(d)).mg_per_cycle() for d in cyc["dose"]]).groupby(
        cyc["patient_id"].astype(str))["mg"].agg(["sum", "count"])
    rdi = mg["sum"] / (mg["count"] * FULL_DOSE.mg_per_cycle())
    assert ex.exercises()["02.6"].expected() == rdi.idxmin()
    assert screening_funnel(pop, plt_min=50).n_eligible > screening_funnel(pop).n_eligible
