"""ipywidgets explorers: thin wrappers over pure functions.

Each factory returns an object exposing its controls (``.controls``, a dict of widgets whose
``.value`` a test can set) and its output (``.output``), plus ``.widget`` to display. Callback
state lives in closures, never in module globals. Several notebooks add explorers here; each
keeps to its own section.

For teaching only, not clinical decisions.
"""
from __future__ import annotations

# =============================================================================================
# Notebook 03 - response criteria: threshold explorer (owner: response branch)
# =============================================================================================
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class ResponseExplorer:
    """What :func:`response_explorer` returns."""

    controls: dict[str, Any]
    output: Any                      # ipywidgets.HTML holding the summary table
    widget: Any                      # the box to display
    state: dict[str, Any] = field(default_factory=dict)   # last table, rate and thresholds

    def _ipython_display_(self):     # pragma: no cover - display only
        from IPython.display import display
        display(self.widget)


def response_explorer_html(table: pd.DataFrame, rate, criteria: str,
                           thresholds: dict[str, float], redistribution_agent: bool) -> str:
    """HTML summary of one explorer state (pure; used by the widget and its tests)."""
    order = ["CR", "PR", "PR-L", "SD", "PD", "NE"]
    counts = table["best"].value_counts()
    cells = "".join(f"<td style='padding:0 8px'>{c}: <b>{int(counts.get(c, 0))}</b></td>"
                    for c in order)
    moved = ", ".join(f"{k} = {v:g}" for k, v in thresholds.items())
    changed = ""
    if "recorded" in table.columns:
        diff = table[table["best"] != table["recorded"]]
        changed = (f"<p>{len(diff)} of {len(table)} patients differ from the paper's recorded "
                   f"best response" + (": " + ", ".join(f"{r.patient_id} {r.recorded}&rarr;"
                                                         f"{r.best}" for r in diff.itertuples())
                                       if len(diff) else "") + ".</p>")
    flag = " (redistribution flag on)" if redistribution_agent and criteria == "iwcll-2018" else ""
    return (f"<p><b>{criteria}</b>{flag}; thresholds: {moved}</p>"
            f"<table><tr>{cells}</tr></table>"
            f"<p>Response rate (CR + PR + PR-L): <b>{rate}</b></p>{changed}"
            "<p style='font-size:smaller'>Reconstructed, synthetic cohort. For teaching only, "
            "not clinical decisions.</p>")


def response_explorer(visits: pd.DataFrame | None = None, patients: pd.DataFrame | None = None,
                      criteria: str = "paper-as-applied") -> ResponseExplorer:
    """Threshold explorer for notebook 03: pick a rule set, move the PR thresholds.

    Controls: ``criteria`` (dropdown), ``alc_fall_pct`` and ``node_fall_pct`` (PR falls, %),
    ``plt`` (x10^9/L), ``hb`` (g/dL), ``anc`` (x10^9/L) (PR blood-count levels) and
    ``redistribution_agent`` (iwCLL 2018 only). Every change reclassifies the cohort with
    :func:`helpers.response.reclassify` and rewrites ``.output.value``. ``visits`` and
    ``patients`` default to ``helpers.data.load_visits()`` and ``load_patients()``.
    """
    import ipywidgets as w

    from helpers import response as R

    if visits is None or patients is None:
        from helpers import data
        visits = data.load_visits() if visits is None else visits
        patients = data.load_patients() if patients is None else patients
    R._check_criteria(criteria)
    d = R.EXPLORER_DEFAULTS
    style = {"description_width": "190px"}
    layout = w.Layout(width="460px")
    controls = {
        "criteria": w.Dropdown(options=list(R.CRITERIA), value=criteria, description="rule set",
                               style=style, layout=layout),
        "alc_fall_pct": w.FloatSlider(value=d["pr.alc_fall_pct"], min=0, max=90, step=5,
                                      description="PR: ALC fall >= (%)", style=style,
                                      layout=layout, continuous_update=False),
        "node_fall_pct": w.FloatSlider(value=d["pr.node_fall_pct"], min=0, max=90, step=5,
                                       description="PR: node SPD fall >= (%)", style=style,
                                       layout=layout, continuous_update=False),
        "plt": w.FloatSlider(value=d["pr.plt"], min=50, max=150, step=5,
                             description="PR: platelets (x10^9/L)", style=style, layout=layout,
                             continuous_update=False),
        "hb": w.FloatSlider(value=d["pr.hb"], min=8, max=13, step=0.5,
                            description="PR: hemoglobin (g/dL)", style=style, layout=layout,
                            continuous_update=False),
        "anc": w.FloatSlider(value=d["pr.anc"], min=0.5, max=3.0, step=0.1,
                             description="PR: neutrophils (x10^9/L)", style=style, layout=layout,
                             continuous_update=False),
        "redistribution_agent": w.Checkbox(value=False, description="redistribution agent "
                                           "(iwCLL 2018 only)", style=style),
    }
    output = w.HTML()
    state: dict[str, Any] = {}

    def update(_change=None) -> None:
        thresholds = {"pr.alc_fall_pct": controls["alc_fall_pct"].value,
                      "pr.node_fall_pct": controls["node_fall_pct"].value,
                      "pr.plt": controls["plt"].value, "pr.hb": controls["hb"].value,
                      "pr.anc": controls["anc"].value}
        crit = controls["criteria"].value
        flag = bool(controls["redistribution_agent"].value)
        table, rate = R.reclassify(visits, patients, crit, thresholds=thresholds,
                                   redistribution_agent=flag)
        state.update(table=table, rate=rate, thresholds=thresholds, criteria=crit)
        output.value = response_explorer_html(table, rate, crit, thresholds, flag)

    for c in controls.values():
        c.observe(update, names="value")
    update()
    box = w.VBox([w.HBox([w.VBox(list(controls.values())[:4]), w.VBox(list(controls.values())[4:])]),
                  output])
    return ResponseExplorer(controls=controls, output=output, widget=box, state=state)

# =============================================================================================
# end of notebook 03 section
# =============================================================================================
