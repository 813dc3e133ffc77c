"""Notebook 05's exercises: the right answer passes, a wrong one fails, and each expected value
agrees with an independent computation from the rows."""
from __future__ import annotations

import math

import pytest

from helpers import exercises
from helpers import survival as sv
from helpers.exercises import nb05

IDS = ("05.1", "05.2", "05.3", "05.4")


def test_all_registered():
    assert set(IDS) <= set(exercises.exercises())


@pytest.mark.parametrize("ex_id", IDS)
def test_right_answer_passes_and_wrong_fails(ex_id, capsys):
    ex = exercises.exercises()[ex_id]
    right = ex.expected()
    assert exercises.evaluate(ex_id, right)
    wrong = {"number": right + 0.05 if isinstance(right, float) else None, "integer": right + 1, "bool": not right}[ex.kind]
    assert not exercises.evaluate(ex_id, wrong)
    exercises.check(ex_id, None)
    out = capsys.readouterr().out
    assert "not answered yet" in out and str(right) not in out.split("Hint:")[1]


def test_km_by_hand_independently():
    os_ = sv.os_table()
    s, seen = 1.0, 0
    for t in sorted(os_.loc[os_.event, "time_days"].unique()):
        n = int((os_.time_days >= t).sum())
        d = int(((os_.time_days == t) & os_.event).sum())
        s *= 1 - d / n
        seen += 1
        if seen == nb05.KM_BY_HAND_EVENTS:
            break
    assert exercises.evaluate("05.1", s)
    assert 0 < s < 1


def test_at_risk_and_landmark_independently():
    os_ = sv.os_table()
    assert exercises.evaluate("05.2", int((os_.time_months > nb05.AT_RISK_MONTHS).sum()))
    assert exercises.evaluate("05.3", int((os_.time_days <= nb05.LANDMARK_MONTHS * sv.DAYS_PER_MONTH).sum()))


def test_log_band_upper_limit_independently():
    tab = sv.km_table(sv.os_table(), conf_type="log")
    reached = bool((tab["upper"].dropna() <= 0.5).any())
    assert exercises.evaluate("05.4", reached)
    assert math.isfinite(sv.km_median(sv.os_table(), conf_type="log").upper) == reached
