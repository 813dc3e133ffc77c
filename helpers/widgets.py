"""ipywidgets explorers: thin wrappers over pure functions in :mod:`helpers.plots` and the engines.

Each factory returns an object exposing its controls and output, so a test can set ``.value`` on
a control and check that the output changed. Callback state lives in closures, never in module
globals. Each notebook's explorers live in their own section below.
"""
from __future__ import annotations

# ============================================================================================
# Notebook 02 · eligibility (issue 9): threshold explorer over the screening funnel
# ============================================================================================

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Sliders of the eligibility explorer: parameter -> (description, min, max, step). Defaults
#: are the protocol's thresholds (helpers.eligibility.PARAMETERS).
ELIGIBILITY_SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "anc_min": ("ANC ≥ (x10⁹/L)", 0.0, 3.0, 0.1),
    "plt_min": ("Platelets ≥ (x10⁹/L)", 0.0, 150.0, 5.0),
    "hb_min": ("Hb ≥ (g/dL)", 5.0, 12.0, 0.5),
    "creatinine_max_xunl": ("Creatinine ≤ (x UNL)", 1.0, 4.0, 0.25),
    "bilirubin_total_max_xunl": ("Bilirubin ≤ (x UNL)", 1.0, 5.0, 0.25),
    "ast_max_xunl": ("AST ≤ (x UNL)", 1.0, 10.0, 0.5),
    "ecog_max": ("ECOG ≤", 0, 4, 1),
}


@dataclass
class EligibilityExplorer:
    """Controls and output of :func:`eligibility_explorer`.

    ``controls``: parameter name -> slider (set ``.value`` to move a threshold);
    ``output``: an ``ipywidgets.HTML`` with the funnel table; ``summary``: an ``ipywidgets.HTML``
    with the eligible count; ``widget``: the layout to display. ``state["funnel"]`` holds the
    current :class:`helpers.eligibility.Funnel`, ``state["thresholds"]`` the slider values.
    """

    controls: dict[str, Any]
    output: Any
    summary: Any
    widget: Any
    state: dict = field(default_factory=dict)

    @property
    def funnel(self):
        return self.state["funnel"]

    @property
    def eligible(self) -> int:
        return self.state["funnel"].n_eligible

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def eligibility_funnel_html(funnel) -> str:
    """The funnel as an HTML table with text bars (pure; what the explorer shows)."""
    from html import escape

    steps = funnel.steps
    n = max(funnel.n_screened, 1)
    rows = []
    for _, s in steps.iterrows():
        width = 100 * s["remaining"] / n
        bar = (f'<div style="background:#4a7fb5;height:10px;width:{width:.1f}%"></div>')
        rows.append(f"<tr><td>{s['step']}</td><td>{escape(s['criterion'])}</td><td style='text-align:right'>"
                    f"{s['excluded_failed']}</td><td style='text-align:right'>{s['excluded_unknown']}</td>"
                    f"<td style='text-align:right'>{s['remaining']}</td><td style='width:160px'>{bar}</td></tr>")
    head = ("<tr><th>#</th><th>rule (in order)</th><th>failed</th><th>unknown</th><th>remaining</th>"
            "<th></th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def eligibility_explorer(population: pd.DataFrame | None = None, rules=None) -> EligibilityExplorer:
    """Sliders over the lab and performance thresholds; the funnel and the eligible count update.

    ``population`` defaults to :func:`helpers.eligibility.screening_population` (synthetic).
    The computation is :func:`helpers.eligibility.screening_funnel`; this is only its wrapper.
    """
    import ipywidgets as w

    from helpers.eligibility import PARAMETERS, screening_funnel, screening_population, with_thresholds

    if population is None:
        population = screening_population()
    base_rules = with_thresholds(rules)
    defaults = {p: v for r in base_rules for p, v in r.params.items()}
    controls: dict[str, Any] = {}
    for name, (label, lo, hi, step) in ELIGIBILITY_SLIDERS.items():
        if name not in defaults:
            continue
        style = {"description_width": "150px"}
        if isinstance(step, int):
            controls[name] = w.IntSlider(value=int(defaults[name]), min=lo, max=hi, step=step,
                                         description=label, style=style, continuous_update=False)
        else:
            controls[name] = w.FloatSlider(value=float(defaults[name]), min=lo, max=hi, step=step,
                                           description=label, style=style, continuous_update=False,
                                           readout_format=".2f")
    output = w.HTML()
    summary = w.HTML()
    state: dict = {}
    synthetic = "synthetic screening population" if population.attrs.get("synthetic") else "population"

    def render(_change=None) -> None:
        thresholds = {k: c.value for k, c in controls.items()}
        funnel = screening_funnel(population, base_rules, **thresholds)
        state["funnel"] = funnel
        state["thresholds"] = thresholds
        changed = [f"{k} = {v:g}" for k, v in thresholds.items() if v != defaults[k]]
        note = ("protocol thresholds" if not changed else "changed: " + ", ".join(changed))
        summary.value = (f"<b>{funnel.n_eligible} of {funnel.n_screened}</b> eligible "
                         f"({100 * funnel.n_eligible / max(funnel.n_screened, 1):.1f}%) in the "
                         f"{synthetic}; {note}")
        output.value = eligibility_funnel_html(funnel)

    for c in controls.values():
        c.observe(render, names="value")
    render()
    layout = w.HBox([w.VBox(list(controls.values())), w.VBox([summary, output])])
    return EligibilityExplorer(controls, output, summary, layout, state)

# ============================================================================================
# End of notebook 02 section
# ============================================================================================
