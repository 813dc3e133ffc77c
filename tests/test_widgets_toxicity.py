"""The blood-count explorer (notebook 06): set controls, check that the output changes."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from helpers.plots import blood_count_summary, plot_blood_counts
from helpers.widgets import blood_count_explorer


def _labs() -> pd.DataFrame:
    return pd.DataFrame({
        "patient_id": ["P01"] * 4 + ["P02"] * 3,
        "day": [0, 7, 14, 28, 0, 28, 56],
        "hb": [12.5, 9.5, 7.9, 10.5, 11.0, 10.0, 6.0],
        "anc": [3.0, 1.2, 0.4, 2.1, 1.8, 0.9, 1.6],
        "plt": [180.0, 70.0, 20.0, 90.0, 60.0, 45.0, 30.0],
        "wbc": [40.0, 30.0, 20.0, 25.0, 8.0, 5.0, 4.0],
        "alc": [35.0, None, 18.0, None, 5.0, 3.0, None],
    })


def _events() -> pd.DataFrame:
    return pd.DataFrame({"patient_id": ["P01"], "term": ["thrombocytopenia"], "grade": [4],
                         "attribution": ["possible"], "day": [14]})


def _line(fig):
    line = [ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) > 1 and ln.get_marker() == "o"][0]
    return list(line.get_xdata()), list(line.get_ydata())


def test_pure_plot_shows_the_patient_series_and_bands():
    fig = plot_blood_counts(_labs(), "P01", "plt", adverse_events=_events())
    x, y = _line(fig)
    assert x == [0, 7, 14, 28] and y == [180, 70, 20, 90]
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"G1", "G2", "G3", "G4", "LLN", " AE g4"} <= labels
    assert "CTC v3.0" in fig.axes[0].get_title()


def test_summary_text():
    assert blood_count_summary(_labs(), "P01", "plt") == (
        "P01 · Platelets: baseline 180 x10^9/L, nadir 20 x10^9/L on day 14 (CTC v3.0 thrombocytopenia grade 4)")
    assert "grade 3" in blood_count_summary(_labs(), "P02", "anc")


def _plotted(ex):
    """(days, values) the explorer drew, as plain lists."""
    s = ex.series
    col = [c for c in s.columns if c != "day"][0]
    days = [int(d) if float(d).is_integer() else d for d in s["day"]]
    vals = [int(v) if float(v).is_integer() and ex.count.value == "plt" else float(v) for v in s[col]]
    return days, vals


def test_explorer_controls_change_the_output():
    ex = blood_count_explorer(_labs(), _events())
    assert ex.patient.value == "P01" and ex.count.value == "plt"
    first_svg, first_text = ex.output.value, ex.summary.value
    assert first_svg.startswith("<svg") and "CTC v3.0 thrombocytopenia" in first_svg
    assert _plotted(ex)[1] == [180, 70, 20, 90]
    assert "AE g4" in first_svg and ">G4<" in first_svg and ">LLN<" in first_svg

    ex.count.value = "hb"
    assert ex.output.value != first_svg
    assert _plotted(ex)[1] == [12.5, 9.5, 7.9, 10.5]
    assert "Hemoglobin" in ex.summary.value and "anemia grade 3" in ex.summary.value

    ex.patient.value = "P02"
    assert _plotted(ex)[1] == [11.0, 10.0, 6.0]
    assert "anemia grade 4" in ex.summary.value

    ex.count.value = "alc"   # missing ALC rows are skipped, not plotted as zero
    assert _plotted(ex) == ([0, 28], [5.0, 3.0])
    assert ex.summary.value != first_text


def test_explorer_bad_arguments():
    with pytest.raises(ValueError, match="count='crp'"):
        blood_count_explorer(_labs(), _events(), count="crp")
    with pytest.raises(ValueError, match="patient_id='P99'"):
        blood_count_explorer(_labs(), _events(), patient_id="P99")
    with pytest.raises(ValueError, match="count='crp'"):
        plot_blood_counts(_labs(), "P01", "crp")


def test_explorer_on_the_cohort_defaults():
    ex = blood_count_explorer()          # reconstructed, synthetic cohort
    assert ex.patient.value == "P01" and ex.count.value == "plt"
    texts = {ex.summary.value}
    for pid, count in (("P13", "anc"), ("P17", "plt"), ("P03", "hb")):
        ex.patient.value = pid
        ex.count.value = count
        assert ex.summary.value.startswith(pid)
        texts.add(ex.summary.value)
    assert len(texts) == 4
    # revised cohort: P19 died of sepsis with probably related grade 3 neutropenia (the ANC nadir
    # says grade 3 too); P13 died of sepsis with only grade 2 neutropenia
    ex.patient.value, ex.count.value = "P19", "anc"
    assert "neutropenia grade 3" in ex.summary.value
    ex.patient.value = "P13"
    assert "neutropenia grade 2" in ex.summary.value


def test_explorer_exposes_controls_per_bench_protocol():
    """bench/README.md: .controls (dict name -> control) and .output; the old attributes stay."""
    ex = blood_count_explorer(_labs(), _events())
    assert set(ex.controls) == {"patient", "count"}
    assert ex.controls["patient"] is ex.patient and ex.controls["count"] is ex.count
    svg = ex.output.value
    ex.controls["count"].value = "anc"
    assert ex.output.value != svg and _plotted(ex)[1] == [3.0, 1.2, 0.4, 2.1]
