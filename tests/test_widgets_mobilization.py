"""The notebook-04 explorers, driven from a test by setting control values (no browser)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import mobilization as mob  # noqa: E402
from helpers import widgets as w  # noqa: E402
from test_mobilization import _labs, _nodes, _patients  # noqa: E402


@pytest.fixture()
def metrics() -> pd.DataFrame:
    return mob.patient_metrics(_labs(), _nodes(), patients=_patients())


def test_definition_explorer_updates_with_thresholds(metrics):
    ex = w.mobilization_definition_explorer(metrics)
    assert set(ex.controls) == {"alc_fold_min", "node_decrease_min_pct", "use_window", "window_days"}
    assert ex.state["ids"] == ["A", "C"] and ex.state["error"] is None
    png0, msg0 = ex.figure.value, ex.message.value
    assert "2 of 3" in msg0 and len(png0) > 1000
    ex.controls["alc_fold_min"].value = 3.0
    assert ex.state["ids"] == ["A"]
    assert "1 of 3" in ex.message.value and ex.figure.value != png0
    assert "<td>C</td>" not in ex.table.value and "<td>A</td>" in ex.table.value
    # extremes of every slider: no traceback, a sensible result
    ex.controls["alc_fold_min"].value = ex.controls["alc_fold_min"].max
    assert ex.state["ids"] == [] and "nobody" in ex.table.value
    ex.controls["alc_fold_min"].value = ex.controls["alc_fold_min"].min
    ex.controls["node_decrease_min_pct"].value = 0
    assert ex.state["ids"] == ["A", "C"]       # B's ALC fell (0.9-fold): never counts at >= 1.0
    ex.controls["node_decrease_min_pct"].value = 100
    assert ex.state["ids"] == []
    ex.controls["node_decrease_min_pct"].value = 25
    ex.controls["use_window"].value = True
    ex.controls["window_days"].value = ex.controls["window_days"].min   # 7 days: nobody yet
    assert ex.state["ids"] == [] and "by day 7" in ex.message.value
    ex.controls["window_days"].value = 35
    assert ex.state["ids"] == ["A"]
    ex.controls["window_days"].value = ex.controls["window_days"].max
    assert ex.state["ids"] == ["A", "C"]
    assert "recorded subgroup has 2" in ex.message.value


def _inputs() -> dict[str, dict]:
    n, m, p = _nodes(), mob.patient_metrics(_labs(), _nodes(), patients=_patients()), _patients()
    return {pid: mob.patient_mass_balance_inputs(pid, n, m, p) for pid in ("A", "C")}


def test_patient_mass_balance_inputs():
    inp = _inputs()["A"]
    assert inp["day"] == 29 and inp["observed_alc_rise"] == pytest.approx(30.0)
    dims = inp["node_dims_cm"].set_index("site")
    assert dims.loc["cervical", ["length0_cm", "width0_cm", "length1_cm", "width1_cm"]].tolist() == [4, 4, 2, 2]
    assert inp["blood_volume_l"] is None  # the hand-made patients have no height/weight
    with pytest.raises(ValueError, match="patient_id"):
        mob.patient_mass_balance_inputs("Z", _nodes(), mob.patient_metrics(_labs(), _nodes(), patients=_patients()), _patients())


def test_mass_balance_explorer_updates_and_survives_extremes():
    ex = w.mass_balance_explorer(_inputs())
    assert set(ex.controls) == {"patient", "cells_per_ml", "blood_volume_l", "shape", "egress_fraction"}
    r0 = ex.state["result"]
    expected = mob.mass_balance(_inputs()["A"]["node_dims_cm"], blood_volume_l=5.0, observed_alc_rise=30.0)
    assert r0.implied_alc_rise == pytest.approx(expected.implied_alc_rise)
    png0 = ex.figure.value
    ex.controls["cells_per_ml"].value = 2e8
    assert ex.state["result"].implied_alc_rise == pytest.approx(expected.implied_alc_rise / 5, rel=0.05)
    assert ex.figure.value != png0
    ex.controls["shape"].value = "cuboid"
    assert ex.state["result"].volume_before_ml > r0.volume_before_ml
    for name in ("cells_per_ml", "blood_volume_l", "egress_fraction"):
        c = ex.controls[name]
        for v in (c.min if name != "cells_per_ml" else 10 ** c.min, c.max if name != "cells_per_ml" else 10 ** c.max):
            c.value = v
            assert ex.state["error"] is None
            assert ex.state["table"]["value"].notna().all() or name == "egress_fraction"
    ex.controls["egress_fraction"].value = 0.0
    assert ex.state["result"].implied_alc_rise == 0
    assert "egress_fraction = 0" in ex.message.value
    ex.controls["patient"].value = "C"
    assert ex.state["result"].observed_alc_rise == pytest.approx(6.0)
    assert "Patient C" in ex.message.value


def test_mass_balance_explorer_needs_patients():
    with pytest.raises(ValueError, match="patient_inputs"):
        w.mass_balance_explorer({})


def test_explorers_on_the_shipped_cohort():
    ex = w.mobilization_definition_explorer()
    assert len(ex.state["ids"]) == 8 and "8 of 22" in ex.message.value
    ex.controls["alc_fold_min"].value = 2.0
    ex.controls["node_decrease_min_pct"].value = 50
    assert len(ex.state["ids"]) == 6          # the stricter definition drops two of the eight
    mb = w.mass_balance_explorer()
    assert len(mb.controls["patient"].options) == 8
    for pid in mb.controls["patient"].options:
        mb.controls["patient"].value = pid
        assert mb.state["error"] is None and mb.state["result"].implied_alc_rise > 0
        lo, hi = mb.controls["blood_volume_l"].min, mb.controls["blood_volume_l"].max
        assert lo <= mb.controls["blood_volume_l"].value <= hi


def test_explorers_expose_output_per_bench_protocol(metrics):
    """bench/README.md: .controls (dict) and .output (what the callbacks draw into)."""
    for ex, name in ((w.mobilization_definition_explorer(metrics), "alc_fold_min"),
                     (w.mass_balance_explorer(_inputs()), "cells_per_ml")):
        assert isinstance(ex.controls, dict) and ex.output is ex.figure  # old attribute kept
        before = ex.output.value
        c = ex.controls[name]
        c.value = 3.0 if name == "alc_fold_min" else 2e8
        assert ex.output.value != before


def test_mass_balance_explorer_says_when_blood_volume_is_a_fallback():
    ex = w.mass_balance_explorer(_inputs())  # the hand-made patients have no Nadler estimate
    assert ex.controls["blood_volume_l"].value == w.BLOOD_VOLUME_FALLBACK_L == 5.0
    assert "no Nadler estimate" in ex.message.value and "assumption" in ex.message.value
    with_bv = {pid: {**inp, "blood_volume_l": 4.2} for pid, inp in _inputs().items()}
    ex2 = w.mass_balance_explorer(with_bv)
    assert ex2.controls["blood_volume_l"].value == pytest.approx(4.2)
    assert "no Nadler estimate" not in ex2.message.value
