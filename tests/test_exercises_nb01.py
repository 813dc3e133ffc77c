"""Every notebook-01 exercise accepts its computed answer and rejects a wrong one."""
from __future__ import annotations

import importlib.util

import pytest

from helpers.exercises import check, evaluate, exercises

NB01 = sorted(k for k in exercises() if k.startswith("01."))
NEEDS_DATA = {"01.4"}


def _has_cohort() -> bool:
    if importlib.util.find_spec("helpers.data") is None:
        return False
    try:
        from helpers.paths import datasets_dir
        datasets_dir()
    except FileNotFoundError:
        return False
    return True


def test_at_least_three_exercises():
    assert len(NB01) >= 3


@pytest.mark.parametrize("exercise_id", NB01)
def test_right_and_wrong_answers(exercise_id, capsys):
    if exercise_id in NEEDS_DATA and not _has_cohort():
        pytest.skip("cohort datasets not merged yet (tag cohort-ready)")
    ex = exercises()[exercise_id]
    right = ex.expected()
    assert evaluate(exercise_id, right)
    if ex.kind == "bool":
        wrong = not right
    elif ex.kind == "integer":
        wrong = int(right) + 1
    else:
        wrong = float(right) + 10 * ex.tol + 0.05
    assert not evaluate(exercise_id, wrong)
    assert not evaluate(exercise_id, None)
    check(exercise_id, wrong)
    out = capsys.readouterr().out
    assert "not yet" in out and f"{right}" not in out  # a hint, never the answer
    check(exercise_id, right)
    assert "correct" in capsys.readouterr().out


def test_expected_values_are_what_the_notebook_teaches():
    ex = exercises()
    assert round(ex["01.1"].expected(), 3) == 0.095     # the paper's "9%"
    assert ex["01.2"].expected() == 36
    assert ex["01.6"].expected() is False
    assert ex["01.5"].expected() < 0.90                 # Wald under-covers at n = 22, p = 0.10
