"""Notebook-03 figures and the node/ALC summary behind the waterfall."""
from __future__ import annotations

import math

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from helpers import plots, response  # noqa: E402
from tests.test_widgets_response import _cohort  # noqa: E402


def test_node_alc_changes_values():
    visits, _ = _cohort()
    ch = response.node_alc_changes(visits).set_index("patient_id")
    assert math.isclose(ch.loc["A", "node_change_pct"], -60.0)
    assert math.isclose(ch.loc["E", "node_change_pct"], -76.0)
    assert math.isclose(ch.loc["E", "alc_fold"], 4.8)
    assert ch.loc["A", "day"] == 56


def test_figures_have_one_bar_per_patient_and_set():
    visits, patients = _cohort()
    ch = response.node_alc_changes(visits)
    fig = plots.response_waterfall(ch, labels=pd.Series({"A": "PR"}))
    assert len(fig.axes[0].patches) == 5
    tables = {c: response.classify_cohort(visits, patients, c) for c in
              ("nci-wg-1996", "pr-l-2012")}
    fig = plots.response_categories_by_set(tables)
    heights = sum(p.get_height() for p in fig.axes[0].patches)
    assert heights == 10
