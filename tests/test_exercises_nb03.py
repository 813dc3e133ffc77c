"""Exercise bank of notebook 03: each exercise accepts its right answer and rejects wrong ones."""
from __future__ import annotations

import pytest

from helpers import exercises
from helpers.exercises import nb03

IDS = ("03.1", "03.2", "03.3", "03.4")
ALL_IDS = IDS + ("03.5",)


def test_bank_registered():
    bank = exercises.exercises()
    for i in IDS:
        assert i in bank


@pytest.mark.parametrize("ex_id", IDS)
def test_right_and_wrong(ex_id, capsys):
    right = exercises.exercises()[ex_id].expected()
    assert exercises.evaluate(ex_id, right)
    assert exercises.evaluate(ex_id, right.lower())
    for wrong in ("CR", "PR", "PR-L", "SD", "PD"):
        if wrong != right:
            assert not exercises.evaluate(ex_id, wrong)
    exercises.check(ex_id, None)
    out = capsys.readouterr().out
    assert "not answered yet" in out and right not in out.split("Hint:")[0]


def test_expected_values_are_the_teaching_points():
    # the points the exercises make; computed by the engine, asserted here
    assert nb03.classify("A", "nci-wg-1996") == "PD"
    assert nb03.classify("A", "iwcll-2018", redistribution_agent=True) == "PR-L"
    assert nb03.classify("A", "iwcll-2018") == "PD"
    assert nb03.classify("B", "iwg-1999") == "PR"
    assert nb03.classify("B", "nci-wg-1996") == "PD"      # 1.2 -> 3.9 is a rise >= 50%
    assert nb03.classify("C", "nci-wg-1996") == "PR"


def test_cohort_exercise_right_and_wrong():
    pytest.importorskip("helpers.data")
    right = exercises.exercises()["03.5"].expected()
    assert isinstance(right, int) and 0 <= right <= 22
    assert exercises.evaluate("03.5", right)
    assert not exercises.evaluate("03.5", right + 1)
    assert not exercises.evaluate("03.5", right - 1)
    assert not exercises.evaluate("03.5", None)
