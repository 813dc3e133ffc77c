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


# =============================================================================================
# Notebook 01 - trial design: Simon design explorer (owner: design branch)
# =============================================================================================
import html as _html
import warnings as _warnings
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any as _Any

#: defaults of the design explorer: the design in Zent et al. 2010's Methods
DESIGN_DEFAULTS = {"p0": 0.20, "p1": 0.40, "alpha": 0.10, "beta": 0.10, "nmax": 100}


def design_summary(p0: float, p1: float, alpha: float, beta: float, nmax: int):
    """Pure function behind the design explorer: ``(result, html)``.

    ``result`` is the :class:`helpers.design.SimonResult`, or ``None`` when the arguments are
    invalid or no design fits within ``nmax``; ``html`` is a table of the minimax, admissible and
    optimal designs, or the reason none is shown (never a traceback).
    """
    from helpers.design import simon_two_stage

    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always", RuntimeWarning)
        try:
            result = simon_two_stage(p0, p1, alpha, beta, nmax=int(nmax))
        except ValueError as exc:
            msg = _html.escape(str(exc))
            return None, (f"<p style='color:#b00'><b>No design shown.</b> {msg}</p>")
    rows = []
    for h in result.hull:
        d = h.design
        kind = "minimax = optimal" if len(result.hull) == 1 else h.kind
        rows.append(
            f"<tr><td>{kind}</td><td>{d.r1}/{d.n1}</td><td>{d.r}/{d.n}</td>"
            f"<td>{d.en0:.2f}</td><td>{d.pet0:.3f}</td><td>{d.alpha:.4f}</td>"
            f"<td>{d.power:.4f}</td><td>{h.w_low:.3f}-{h.w_high:.3f}</td></tr>")
    notes = "".join(f"<p style='color:#a60'>{_html.escape(str(w.message))}</p>" for w in caught)
    head = (f"<p>H0: p &le; {p0:g} vs H1: p &ge; {p1:g}; attained type I error &lt; {alpha:g}, "
            f"power &gt; {1 - beta:g}; n &le; {int(nmax)}. Stop after stage 1 if responses "
            f"&le; r1 of n1; promising if responses &gt; r of n.</p>")
    table = ("<table><tr><th>design</th><th>r1/n1</th><th>r/n</th><th>EN0</th><th>PET0</th>"
             "<th>alpha</th><th>power</th><th>weight w</th></tr>" + "".join(rows) + "</table>")
    return result, head + table + notes


@_dataclass
class DesignExplorer:
    """What :func:`design_explorer` returns.

    ``controls``: "p0", "p1", "alpha", "beta" (float sliders) and "nmax" (int slider);
    ``output``: ``ipywidgets.HTML`` with the design table or the reason none is shown;
    ``figure``: ``ipywidgets.HTML`` holding the SVG of :func:`helpers.plots.design_svg` (OC
    curves and expected size; empty when no design); ``widget``: the box to display; ``state``: the last result and values.
    """

    controls: dict[str, _Any]
    output: _Any
    figure: _Any
    widget: _Any
    state: dict[str, _Any] = _field(default_factory=dict)

    def _ipython_display_(self):  # pragma: no cover - display only
        from IPython.display import display
        display(self.widget)


def design_explorer(**defaults: float) -> DesignExplorer:
    """Sliders for p0, p1, alpha, beta and nmax redraw the Simon designs and their curves.

    Keyword arguments override :data:`DESIGN_DEFAULTS`. Sliders update on release
    (``continuous_update=False``); one update is a design search plus one figure.
    """
    import ipywidgets as w
    import numpy as np

    from helpers.plots import design_svg

    unknown = set(defaults) - set(DESIGN_DEFAULTS)
    if unknown:
        raise ValueError(f"design_explorer: unknown setting(s) {sorted(unknown)}; allowed: "
                         f"{sorted(DESIGN_DEFAULTS)}")
    values = {**DESIGN_DEFAULTS, **defaults}
    style = {"description_width": "90px"}
    layout = w.Layout(width="320px")
    common = {"continuous_update": False, "style": style, "layout": layout}
    controls = {
        "p0": w.FloatSlider(value=values["p0"], min=0.01, max=0.95, step=0.01,
                            description="p0 (null)", readout_format=".2f", **common),
        "p1": w.FloatSlider(value=values["p1"], min=0.02, max=0.99, step=0.01,
                            description="p1 (target)", readout_format=".2f", **common),
        "alpha": w.FloatSlider(value=values["alpha"], min=0.01, max=0.5, step=0.01,
                               description="alpha", readout_format=".2f", **common),
        "beta": w.FloatSlider(value=values["beta"], min=0.01, max=0.5, step=0.01,
                              description="beta", readout_format=".2f", **common),
        "nmax": w.IntSlider(value=int(values["nmax"]), min=10, max=150, step=1,
                            description="nmax", **common),
    }
    output = w.HTML()
    figure = w.HTML()
    state: dict[str, _Any] = {"updates": 0}
    ps = np.linspace(0.0, 1.0, 51)   # true response rates of the curves

    def update(_change=None) -> None:
        vals = {k: c.value for k, c in controls.items()}
        # sliders hold binary floats (0.30000000000000004): round to the slider's 2 decimals
        p = {k: (round(v, 2) if k != "nmax" else int(v)) for k, v in vals.items()}
        result, text = design_summary(p["p0"], p["p1"], p["alpha"], p["beta"], p["nmax"])
        output.value = text
        figure.value = "" if result is None else design_svg(result, ps=ps)
        state.update(result=result, values=p, updates=state["updates"] + 1)

    for c in controls.values():
        c.observe(update, names="value")
    update()
    box = w.VBox([w.HBox([w.VBox(list(controls.values())[:3]), w.VBox(list(controls.values())[3:])]),
                  output, figure])
    return DesignExplorer(controls=controls, output=output, figure=figure, widget=box, state=state)


# ============================ end of notebook 01 section ====================================


# ============================================================================================
# Notebook 06 · toxicity: blood-count explorer
# ============================================================================================

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class BloodCountExplorer:
    """Controls and output of :func:`blood_count_explorer`.

    ``patient`` and ``count`` are the controls, ``output`` (an ``ipywidgets.HTML``) shows the
    figure as SVG (:func:`helpers.plots.blood_counts_svg`, a few ms an update where a matplotlib
    redraw took about 180 ms), ``summary`` (an ``ipywidgets.HTML``) a one-line text, ``widget`` the
    whole layout to display. ``state["series"]`` holds the plotted rows (day, count) for tests.
    """

    patient: Any
    count: Any
    output: Any
    summary: Any
    widget: Any
    state: dict = field(default_factory=dict)

    @property
    def series(self):
        """The plotted rows of the current figure (``day`` and the count)."""
        return self.state.get("series")

    @property
    def controls(self) -> dict:
        """The controls by name (bench protocol): ``{"patient": ..., "count": ...}``."""
        return {"patient": self.patient, "count": self.count}

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

    from helpers.plots import BLOOD_COUNTS, blood_count_summary, blood_counts_svg

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
    output = w.HTML()
    summary = w.HTML()
    state: dict = {}

    def render(_change=None):
        svg, series = blood_counts_svg(labs, patient.value, count_w.value, adverse_events=adverse_events)
        state["series"] = series
        output.value = svg
        summary.value = blood_count_summary(labs, patient.value, count_w.value)

    patient.observe(render, names="value")
    count_w.observe(render, names="value")
    render()
    layout = w.VBox([w.HBox([patient, count_w]), summary, output])
    return BloodCountExplorer(patient, count_w, output, summary, layout, state)

# ============================================================================================
# End of notebook 06 section
# ============================================================================================


# ============================================================================================
# Notebook 04 · mobilization (issue 7): definition explorer and mass-balance explorer
# ============================================================================================

import io
import math
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd


#: Blood volume (L) the mass-balance explorer starts at when a patient has no Nadler estimate
#: (height, weight or sex missing): an ASSUMPTION (a typical adult), shown in the explorer's message.
BLOOD_VOLUME_FALLBACK_L = 5.0


@dataclass
class MobilizationExplorer:
    """What a notebook-04 explorer factory returns.

    ``controls``: name -> widget (set ``.value`` to drive it); ``table``: HTML widget with the
    result table; ``message``: HTML widget for notes and input errors (never a traceback);
    ``figure``: Image widget (PNG) of the figure; ``output``: the Image widget the callbacks draw
    into (the same object as ``figure``; bench protocol); ``state``: the last result (``table`` frame,
    ``figure_data``, ``error``); ``widget``: the box to display; ``update()``: recompute now.
    """
    controls: dict[str, widgets.Widget]
    table: widgets.HTML
    message: widgets.HTML
    figure: widgets.Image
    widget: widgets.Box
    state: dict[str, Any] = field(default_factory=dict)
    update: Any = None
    output: Any = None

    def _ipython_display_(self):  # pragma: no cover - display in a notebook
        from IPython.display import display
        display(self.widget)


def _mob_png(fig) -> bytes:
    """Render a persistent figure to PNG bytes quickly (Agg canvas, light compression)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _mob_blit_png(fig, dynamic: list, cache: dict) -> bytes:
    """PNG of ``fig`` redrawing only the ``dynamic`` artists over a cached background.

    The first call draws everything else once (axes, ticks, labels) and keeps it; later calls
    restore that background and draw the changed artists only, which keeps a slider update fast.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    if "background" not in cache:
        for artist in dynamic:
            artist.set_animated(True)
        canvas.draw()
        cache["background"] = canvas.copy_from_bbox(fig.bbox)
    canvas.restore_region(cache["background"])
    for artist in dynamic:
        fig.draw_artist(artist)
    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _mob_html_table(df: pd.DataFrame, floatfmt: str = "{:.1f}") -> str:
    return df.to_html(index=False, float_format=lambda x: floatfmt.format(x), na_rep="–", border=0)


def mobilization_definition_explorer(metrics: pd.DataFrame | None = None) -> MobilizationExplorer:
    """Explorer: thresholds for the ALC rise and the node decrease, and a time window, decide who
    counts as mobilized (``helpers.mobilization.classify_mobilized``); the table and the figure
    update, and the count of 8 is seen to depend on the definition.

    ``metrics`` defaults to ``helpers.mobilization.patient_metrics()`` of the shipped cohort.
    Controls: ``alc_fold_min`` (fold, 1-10), ``node_decrease_min_pct`` (%, 0-100),
    ``use_window`` (bool) and ``window_days`` (days, 7-365).
    """
    from helpers import mobilization as mob
    from helpers.plots import mobilization_definition_figure, update_definition_figure

    if metrics is None:
        metrics = mob.patient_metrics()
    metrics = metrics.copy()
    recorded = set(metrics.loc[metrics["mobilized_recorded"].astype(bool), "patient_id"].astype(str)) \
        if "mobilized_recorded" in metrics.columns else None

    controls: dict[str, widgets.Widget] = {
        "alc_fold_min": widgets.FloatSlider(value=mob.ALC_FOLD_MIN, min=1.0, max=10.0, step=0.1,
                                            description="ALC fold ≥", continuous_update=False,
                                            readout_format=".1f"),
        "node_decrease_min_pct": widgets.FloatSlider(value=mob.NODE_DECREASE_MIN_PCT, min=0.0, max=100.0,
                                                     step=5.0, description="node ↓ % ≥",
                                                     continuous_update=False, readout_format=".0f"),
        "use_window": widgets.Checkbox(value=False, description="max node decrease within a window"),
        "window_days": widgets.IntSlider(value=84, min=7, max=365, step=7, description="window (days)",
                                         continuous_update=False),
    }
    table = widgets.HTML()
    message = widgets.HTML()
    figure = widgets.Image(format="png")
    box = widgets.VBox([widgets.HBox([controls["alc_fold_min"], controls["node_decrease_min_pct"]]),
                        widgets.HBox([controls["use_window"], controls["window_days"]]),
                        message, widgets.HBox([figure, table])])
    state: dict[str, Any] = {}
    holder: dict[str, Any] = {}  # the one figure this explorer redraws

    def update(_change=None) -> None:
        fold = controls["alc_fold_min"].value
        pct = controls["node_decrease_min_pct"].value
        window = controls["window_days"].value if controls["use_window"].value else None
        controls["window_days"].disabled = not controls["use_window"].value
        try:
            c = mob.classify_mobilized(metrics, fold, pct, window)
        except ValueError as err:
            state.update(error=str(err))
            message.value = f"<b>Cannot apply this definition:</b> {err}"
            return
        ids = c.loc[c["mobilized"], "patient_id"].astype(str).tolist()
        cols = [x for x in ("patient_id", "variant", "baseline_alc", "max_node_decrease_pct", "fold_rise",
                            "max_decrease_day", "best_response") if x in c.columns]
        shown = c.loc[c["mobilized"], cols].rename(columns={
            "baseline_alc": "baseline ALC (x10^9/L)", "max_node_decrease_pct": "node decrease (%)",
            "fold_rise": "ALC fold", "max_decrease_day": "day", "best_response": "best response"})
        rule = f"ALC ≥ {fold:.1f}× baseline and nodes ≥ {pct:.0f}% smaller at the maximum node decrease"
        if window is not None:
            rule += f", reached by day {window}"
        text = f"<b>{len(ids)} of {len(c)}</b> patients count as mobilized ({rule})."
        if recorded is not None:
            agree = len(set(ids) & recorded)
            text += (f" The recorded subgroup has {len(recorded)}; {agree} of them count here, "
                     f"{len(set(ids) - recorded)} others are added.")
        message.value = text
        table.value = _mob_html_table(shown) if len(shown) else "<i>nobody meets this definition</i>"
        if "fig" not in holder:
            holder["fig"], data = mobilization_definition_figure(c, fold, pct)
            import matplotlib.pyplot as plt
            plt.close(holder["fig"])  # kept alive here, not shown by the inline backend
        else:
            data = update_definition_figure(holder["fig"], c, fold, pct)
        art = holder["fig"]._mob_artists
        figure.value = _mob_blit_png(holder["fig"], [art["scatter"], art["hline"], art["vline"], art["title"]],
                                     holder)
        state.update(error=None, classified=c, ids=ids, table=shown, figure_data=data)

    for w in controls.values():
        w.observe(update, names="value")
    update()
    return MobilizationExplorer(controls, table, message, figure, box, state, update, output=figure)


def mass_balance_explorer(patient_inputs: dict[str, dict[str, Any]] | None = None,
                          default_patient: str | None = None) -> MobilizationExplorer:
    """Explorer of the mass-balance model (``helpers.mobilization.mass_balance``): can the
    shrinkage of the clinically measured nodes supply the cells that appeared in the blood?

    ``patient_inputs`` maps patient_id -> ``helpers.mobilization.patient_mass_balance_inputs(...)``;
    by default the recorded mobilized patients of the shipped cohort. Controls: ``patient``,
    ``cells_per_ml`` (1e8-2e9 cells per mL of node; Del Monte 2009, Everett 1964),
    ``blood_volume_l`` (L; the range is Nadler's formula at small and large adult body size; a
    new patient resets it to that patient's Nadler estimate), ``shape`` (node geometry,
    assumption) and ``egress_fraction`` (0-1, share of lost cells that reach the blood; assumption).
    """
    from helpers import mobilization as mob
    from helpers.plots import mobilization_mass_balance_figure, update_mass_balance_figure

    if patient_inputs is None:
        metrics = mob.patient_metrics()
        ids = metrics.loc[metrics["mobilized_recorded"].astype(bool), "patient_id"].astype(str).tolist()
        from helpers import data
        nodes, patients = data.load_nodes(), data.load_patients()
        patient_inputs = {pid: mob.patient_mass_balance_inputs(pid, nodes, metrics, patients) for pid in ids}
    if not patient_inputs:
        raise ValueError("patient_inputs is empty; give at least one patient's mass-balance inputs")
    ids = sorted(patient_inputs)
    first = default_patient if default_patient in patient_inputs else ids[0]
    lo, hi = mob.BLOOD_VOLUME_RANGE_L

    def nadler_or_default(pid: str) -> float:
        """The patient's Nadler blood volume (L), clipped to the slider; if height, weight or sex
        is missing, BLOOD_VOLUME_FALLBACK_L, and the explorer's message says so."""
        bv = patient_inputs[pid].get("blood_volume_l")
        return float(min(max(bv, lo), hi)) if bv is not None else BLOOD_VOLUME_FALLBACK_L

    controls: dict[str, widgets.Widget] = {
        "patient": widgets.Dropdown(options=ids, value=first, description="patient"),
        "cells_per_ml": widgets.FloatLogSlider(value=mob.CELLS_PER_ML_DEFAULT, base=10,
                                               min=math.log10(mob.CELLS_PER_ML_RANGE[0]), max=math.log10(mob.CELLS_PER_ML_RANGE[1]),
                                               step=0.05, description="cells/mL", readout_format=".2e",
                                               continuous_update=False),
        "blood_volume_l": widgets.FloatSlider(value=nadler_or_default(first), min=lo, max=hi, step=0.1,
                                              description="blood vol (L)", continuous_update=False,
                                              readout_format=".1f"),
        "shape": widgets.Dropdown(options=list(mob.SHAPES), value="ellipsoid", description="node shape"),
        "egress_fraction": widgets.FloatSlider(value=mob.EGRESS_FRACTION_DEFAULT, min=0.0, max=1.0, step=0.05,
                                               description="to blood", continuous_update=False,
                                               readout_format=".2f"),
    }
    table = widgets.HTML()
    message = widgets.HTML()
    figure = widgets.Image(format="png")
    box = widgets.VBox([widgets.HBox([controls["patient"], controls["shape"]]),
                        widgets.HBox([controls["cells_per_ml"], controls["blood_volume_l"],
                                      controls["egress_fraction"]]),
                        message, widgets.HBox([figure, table])])
    state: dict[str, Any] = {}
    holder: dict[str, Any] = {}  # the one figure this explorer redraws

    def update(_change=None) -> None:
        pid = controls["patient"].value
        inp = patient_inputs[pid]
        try:
            r = mob.mass_balance(inp["node_dims_cm"], cells_per_ml=controls["cells_per_ml"].value,
                                 blood_volume_l=controls["blood_volume_l"].value,
                                 shape=controls["shape"].value,
                                 egress_fraction=controls["egress_fraction"].value,
                                 observed_alc_rise=inp.get("observed_alc_rise"))
        except ValueError as err:
            state.update(error=str(err))
            message.value = f"<b>Cannot compute:</b> {err}"
            return
        frame = r.as_frame()
        table.value = _mob_html_table(frame)
        notes = [f"Patient {pid} (reconstructed, synthetic cohort), day 0 against day {inp.get('day')}: "
                 f"the measured nodes imply a rise of <b>{r.implied_alc_rise:.1f}</b> x10^9/L"]
        if r.pct_of_observed_explained is not None:
            notes[0] += (f", {r.pct_of_observed_explained:.0f}% of the {r.observed_alc_rise:.1f} x10^9/L "
                         "observed.")
        notes += r.messages
        if inp.get("blood_volume_l") is None:
            notes.append(f"<b>Blood volume:</b> no height, weight or sex for {pid}, so no Nadler estimate; "
                         f"the slider started at {BLOOD_VOLUME_FALLBACK_L:.1f} L, an <b>assumption</b> "
                         "(fallback), not this patient's value.")
        message.value = "<br>".join(notes)
        if "fig" not in holder:
            holder["fig"], data = mobilization_mass_balance_figure(r)
            import matplotlib.pyplot as plt
            plt.close(holder["fig"])
        else:
            data = update_mass_balance_figure(holder["fig"], r)
        figure.value = _mob_png(holder["fig"])
        state.update(error=None, result=r, table=frame, figure_data=data)

    def on_patient(change) -> None:
        # a new patient brings his or her own Nadler blood volume; one recomputation only
        controls["blood_volume_l"].unobserve(update, names="value")
        controls["blood_volume_l"].value = nadler_or_default(change["new"])
        controls["blood_volume_l"].observe(update, names="value")
        update()

    for name, w in controls.items():
        if name == "patient":
            w.observe(on_patient, names="value")
        else:
            w.observe(update, names="value")
    update()
    return MobilizationExplorer(controls, table, message, figure, box, state, update, output=figure)

# ============================ end of notebook 04 section =====================================


# =============================================================================================
# Survival (notebook 05): landmark explorer
# =============================================================================================
import html as _html  # noqa: E402
import math as _math  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402
from dataclasses import field as _field  # noqa: E402
from typing import Any as _Any  # noqa: E402


@_dataclass
class LandmarkExplorer:
    """What :func:`landmark_explorer` returns.

    ``controls``: ``{"landmark_months": FloatSlider, "by": ToggleButtons}``; ``output``: an
    ipywidgets ``HTML`` holding the figure as SVG (:func:`helpers.plots.group_km_svg`; hidden when
    there is nothing to draw; not an ``Output`` capture, which can stall headless notebook
    execution, and not a matplotlib PNG, which takes twice the 100 ms budget); ``message``: an ``HTML`` widget with the counts (or the
    error text); ``state``: the last :class:`helpers.survival.LandmarkView` (``state["view"]``), the
    number of redraws (``state["renders"]``) and the title of the last figure drawn
    (``state["figure_title"]``), for tests; ``widget``: the box to display.
    """

    widget: _Any
    controls: dict[str, _Any]
    output: _Any
    message: _Any
    state: dict[str, _Any] = _field(default_factory=dict)

    def _ipython_display_(self) -> None:
        import io
        display(self.widget)


def landmark_explorer(patients=None, *, nodes=None, landmark_months: float = 6.0, by: str = "response",
                      max_months: float | None = None, step: float = 0.5, draw: bool = True) -> LandmarkExplorer:
    """Slider for the landmark time (months) and a toggle (response / mobilized): OS by the status
    known at the landmark, counted from the landmark, and how many patients the landmark drops.

    A landmark on or beyond the last follow-up shows the ValueError's message from
    :func:`helpers.survival.landmark_table` instead of a figure (no traceback). The slider runs a
    little past the last follow-up on purpose. ``draw=False`` skips the figure (tests, benchmarks).
    Pure logic: :func:`helpers.survival.landmark_view`; figure: :func:`helpers.plots.group_km_plot`.
    """
    import ipywidgets as w

    from helpers import plots, survival as sv

    if patients is None:
        from helpers.data import load_patients
        patients = load_patients()
    sv._check_choice("by", by, sv.LANDMARK_BY)
    last = sv.last_follow_up_months(patients)
    top = max_months if max_months is not None else step * _math.ceil((last + 3) / step)
    slider = w.FloatSlider(value=float(landmark_months), min=0.0, max=float(top), step=step,
                           description="Landmark (months)", continuous_update=False,
                           style={"description_width": "initial"}, layout=w.Layout(width="520px"))
    toggle = w.ToggleButtons(options=[("by response", "response"), ("mobilized vs not", "mobilized")], value=by,
                             description="Groups")
    message = w.HTML()
    output = w.HTML(layout=w.Layout(max_width="900px"))
    state: dict[str, _Any] = {"renders": 0, "view": None, "figure_title": None}
    cache: dict[tuple[float, str], _Any] = {}
    xmax = 6.0 * _math.ceil(last / 6.0)

    def update(_change=None) -> None:
        key = (round(float(slider.value), 6), toggle.value)
        if key not in cache:
            cache[key] = sv.landmark_view(patients, key[0], by=key[1], nodes=nodes)
        view = cache[key]
        state["view"] = view
        state["renders"] += 1
        color = "#a00" if view.error else "#222"
        message.value = f"<p style='color:{color};max-width:900px'>{_html.escape(view.message)}</p>"
        if view.error or not draw:
            output.layout.visibility = "hidden"
            return
        title = (f"OS from a {key[0]:g}-month landmark ({view.n_dropped} of "
                 f"{len(view.table)} dropped)")
        output.value = plots.group_km_svg(view.table, title=title, xmax=xmax,
                                          xlabel=f"Months from the {key[0]:g}-month landmark")
        output.layout.visibility = "visible"
        state["figure_title"] = title

    slider.observe(update, names="value")
    toggle.observe(update, names="value")
    update()
    box = w.VBox([w.HBox([slider, toggle]), message, output])
    return LandmarkExplorer(widget=box, controls={"landmark_months": slider, "by": toggle}, output=output,
                            message=message, state=state)
# ============================================================================ end of survival
