"""Notebook 02's figures draw what the engines compute."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import eligibility as el
from helpers import treatment as tr
from helpers.plots import baseline_vs_limits_figure, dose_intensity_figure, eligibility_funnel_figure


def test_funnel_figure_bars_equal_funnel():
    funnel = el.screening_funnel(el.screening_population(n=150, seed=4))
    fig, data = eligibility_funnel_figure(funnel)
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    n = len(funnel.steps)
    assert widths[:n] == funnel.steps["remaining"].tolist()
    assert widths[n:2 * n] == funnel.steps["excluded_failed"].tolist()
    assert str(funnel.n_eligible) in ax.get_title()
    plt.close(fig)


def test_baseline_figure_limits_and_margins():
    pop = el.screening_population(n=22, seed=2)
    fig, data = baseline_vs_limits_figure(pop)
    anc = data[data["variable"] == "anc"]
    assert (anc["limit"] == 1.0).all() and len(anc) == 22
    assert anc["margin"].tolist() == pytest.approx((pop["anc"] - 1.0).tolist(), nan_ok=True)
    plt.close(fig)
    fig, data = baseline_vs_limits_figure(pop, el.with_thresholds(anc_min=1.5))
    assert (data[data["variable"] == "anc"]["limit"] == 1.5).all()
    plt.close(fig)


def test_dose_intensity_figure_sorted_heights():
    cycles = pd.DataFrame({"patient_id": ["A", "A", "B"], "cycle": [1, 2, 1],
                           "dose": ["10 mg daily", "5 mg daily", "10 mg daily"]})
    fig, data = dose_intensity_figure(tr.dose_intensity(cycles))
    heights = [p.get_height() for p in fig.axes[0].patches if p.get_height() > 0]
    assert heights == pytest.approx([0.75, 1.0])
    assert data["patient_id"].tolist() == ["A", "B"]
    plt.close(fig)
