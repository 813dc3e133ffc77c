"""The landmark explorer: set the controls from a test and check the output follows."""
from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from helpers import widgets  # noqa: E402
from test_survival import hand_patients  # noqa: E402  (tests/ is on sys.path under pytest)

DPM = 365.25 / 12


def patients() -> pd.DataFrame:
    """Six hand-made patients in the data contract's columns: the survival tests' own table."""
    return hand_patients()


def test_explorer_exposes_controls_and_output():
    ex = widgets.landmark_explorer(patients(), landmark_months=1.0)
    assert set(ex.controls) == {"landmark_months", "by"}
    assert ex.output is not None and ex.widget is not None
    assert ex.state["view"].n_dropped == 1  # F died on day 20
    assert "1 of 6 patients dropped" in ex.message.value


def test_slider_changes_the_output():
    ex = widgets.landmark_explorer(patients(), landmark_months=1.0, step=0.1)
    seen = {}
    for months, dropped in [(1.0, 1), (3.0, 2), (9.0, 2), (12.0, 3), (14.0, 4)]:
        ex.controls["landmark_months"].value = months
        view = ex.state["view"]
        assert view.landmark_months == pytest.approx(months)
        assert view.n_dropped == dropped, months
        seen[months] = ex.message.value
    assert len(set(seen.values())) == len(seen)  # every setting printed something different
    assert "14-month landmark (4 of 6 dropped)" in ex.state["figure_title"]
    svg = ex.output.value
    assert svg.startswith("<svg") and "14-month landmark (4 of 6 dropped)" in svg
    ex.controls["landmark_months"].value = 3.0
    assert ex.output.value.startswith("<svg") and ex.output.value != svg  # the picture changed
    assert "3-month landmark" in ex.output.value
    # 3 months: A responded on day 60 -> responder; 9 months: B (day 200) has joined the responders
    ex.controls["landmark_months"].value = 3.0
    assert "responder: n=1" in ex.message.value
    ex.controls["landmark_months"].value = 9.0
    assert "responder: n=2" in ex.message.value


def test_toggle_switches_to_mobilized():
    ex = widgets.landmark_explorer(patients(), landmark_months=3.0)
    before = ex.message.value
    ex.controls["by"].value = "mobilized"
    assert ex.state["view"].by == "mobilized"
    assert "mobilized: n=1" in ex.message.value and ex.message.value != before
    ex.controls["landmark_months"].value = 9.0  # C's mobilization (day 240) is now documented
    assert "mobilized: n=2" in ex.message.value


def test_landmark_beyond_last_follow_up_shows_a_message_not_a_traceback():
    ex = widgets.landmark_explorer(patients(), landmark_months=3.0)
    renders = ex.state["renders"]
    ex.controls["landmark_months"].value = 23.5  # last follow-up is day 700 = 23.0 months
    assert ex.state["renders"] == renders + 1
    assert ex.state["view"].error is not None
    assert "beyond the last follow-up" in ex.message.value and "Cannot analyse" in ex.message.value
    assert ex.output.layout.visibility == "hidden"
    ex.controls["landmark_months"].value = 2.0  # and it recovers
    assert ex.state["view"].error is None


def test_bad_by_is_rejected():
    with pytest.raises(ValueError, match="by='stage'"):
        widgets.landmark_explorer(patients(), by="stage")


def test_explorer_on_the_cohort():
    from helpers import survival as sv
    ex = widgets.landmark_explorer(landmark_months=6.0)
    last = sv.last_follow_up_months()
    assert ex.controls["landmark_months"].max > last  # the slider can go past the last follow-up on purpose
    drops = []
    for months in (2.0, 6.0, 12.0):
        ex.controls["landmark_months"].value = months
        assert ex.state["view"].error is None
        drops.append(ex.state["view"].n_dropped)
        assert f"{months:g}-month landmark" in ex.state["figure_title"]
    assert drops == sorted(drops) and drops[0] < drops[-1]  # later landmarks drop more patients
    ex.controls["by"].value = "mobilized"
    assert "mobilized: n=" in ex.message.value
    ex.controls["landmark_months"].value = ex.controls["landmark_months"].max
    assert "beyond the last follow-up" in ex.message.value
