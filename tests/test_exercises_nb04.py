"""Notebook 04's exercises: each registered answer is accepted, a wrong one rejected, and check()
never prints the expected value."""
from __future__ import annotations

import pytest

from helpers import exercises

IDS = ["04.1", "04.2", "04.3", "04.4", "04.5"]


def _wrong(ex, right):
    if ex.kind == "bool":
        return not right
    if ex.kind == "integer":
        return int(right) + 1
    return float(right) + 10 * ex.tol + 1.0


@pytest.mark.parametrize("eid", IDS)
def test_registered_and_checked(eid, capsys):
    bank = exercises.exercises()
    assert eid in bank
    ex = bank[eid]
    right = ex.expected()
    assert exercises.evaluate(eid, right)
    assert not exercises.evaluate(eid, _wrong(ex, right))
    assert not exercises.evaluate(eid, None)
    exercises.check(eid, right)
    assert "correct" in capsys.readouterr().out
    exercises.check(eid, _wrong(ex, right))
    out = capsys.readouterr().out
    assert "not yet" in out and "Hint" in out
    if ex.kind in ("number", "integer"):
        assert f"{right}" not in out.replace(ex.hint, "").replace(f"Exercise {eid}", "")


def test_expected_values_are_plausible():
    bank = exercises.exercises()
    assert 0 <= bank["04.1"].expected() <= 9          # at most the 9 patients with ALC > 5
    assert 0 <= bank["04.2"].expected() <= 22
    assert 0 < bank["04.4"].expected()
    assert bank["04.5"].expected() is False          # a plateau is still there when the cycle sample comes


def test_trajectory_height_comes_from_the_cohort():
    from helpers import mobilization as mob
    m = mob.patient_metrics()
    d = mob.trajectory_defaults(m)
    mobilized = m[m["mobilized_recorded"]]
    assert d["n_patients"] == len(mobilized) == 8
    assert d["baseline_alc"] == pytest.approx(mobilized["baseline_alc"].median())
    assert d["peak_fold"] == pytest.approx(mobilized["fold_rise"].median())
    with pytest.raises(ValueError, match="mobilized"):
        mob.trajectory_defaults(m.assign(mobilized_recorded=False))


def test_ex4_refuses_a_missing_blood_volume(monkeypatch):
    from helpers import mobilization as mob
    from helpers.exercises import nb04
    real = mob.patient_mass_balance_inputs
    monkeypatch.setattr(mob, "patient_mass_balance_inputs", lambda pid: {**real(pid), "blood_volume_l": None})
    with pytest.raises(ValueError, match="blood_volume_l=None"):
        nb04._ex4()
