"""ipywidgets explorers: thin wrappers over pure functions in :mod:`helpers.plots` and the engines.

Each factory returns an object exposing its controls and output, so a test can set ``.value`` on
a control and check that the output changed. Callback state lives in closures, never in module
globals. Each notebook's explorers live in their own section below.
"""
from __future__ import annotations

# ============================================================================================
# Notebook 06 · toxicity: blood-count explorer
# ============================================================================================

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class BloodCountExplorer:
    """Controls and output of :func:`blood_count_explorer`.

    ``patient`` and ``count`` are the controls, ``output`` (an ``ipywidgets.Output``) shows the
    figure, ``summary`` (an ``ipywidgets.HTML``) a one-line text, ``widget`` the whole layout to
    display. ``state`` holds the current figure (``state["figure"]``) for tests.
    """

    patient: Any
    count: Any
    output: Any
    summary: Any
    widget: Any
    state: dict = field(default_factory=dict)

    @property
    def figure(self):
        return self.state.get("figure")

    def _ipython_display_(self):  # display(explorer) shows the layout
        from IPython.display import display

        display(self.widget)


def blood_count_explorer(labs: pd.DataFrame | None = None, adverse_events: pd.DataFrame | None = None,
                         patient_id: str | None = None, count: str = "plt") -> BloodCountExplorer:
    """Choose a patient and a count; the plot shows the count over time on CTC v3.0 grade bands.

    ``labs`` / ``adverse_events`` default to the reconstructed, synthetic cohort
    (``helpers.data.load_labs()`` / ``load_adverse_events()``). The drawing is
    :func:`helpers.plots.plot_blood_counts`; the text is :func:`helpers.plots.blood_count_summary`.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from helpers.plots import BLOOD_COUNTS, blood_count_summary, plot_blood_counts

    if labs is None:
        from helpers.data import load_labs

        labs = load_labs()
    if adverse_events is None:
        try:
            from helpers.data import load_adverse_events

            adverse_events = load_adverse_events()
        except (ImportError, FileNotFoundError):
            adverse_events = None
    ids = sorted(labs["patient_id"].astype(str).unique())
    if not ids:
        raise ValueError("labs has no rows")
    if patient_id is None:
        patient_id = ids[0]
    if patient_id not in ids:
        raise ValueError(f"patient_id={patient_id!r} is not in labs; allowed: {ids[0]} .. {ids[-1]}")
    if count not in BLOOD_COUNTS:
        raise ValueError(f"count={count!r}; allowed: {', '.join(BLOOD_COUNTS)}")

    patient = w.Dropdown(options=ids, value=patient_id, description="Patient")
    count_w = w.Dropdown(options=[(BLOOD_COUNTS[c][0], c) for c in BLOOD_COUNTS], value=count,
                         description="Count")
    output = w.Output()
    summary = w.HTML()
    state: dict = {}

    def render(_change=None):
        fig = plot_blood_counts(labs, patient.value, count_w.value, adverse_events=adverse_events)
        state["figure"] = fig
        summary.value = blood_count_summary(labs, patient.value, count_w.value)
        with output:
            output.clear_output(wait=True)
            display(fig)
        plt.close(fig)

    patient.observe(render, names="value")
    count_w.observe(render, names="value")
    render()
    layout = w.VBox([w.HBox([patient, count_w]), summary, output])
    return BloodCountExplorer(patient, count_w, output, summary, layout, state)

# ============================================================================================
# End of notebook 06 section
# ============================================================================================
