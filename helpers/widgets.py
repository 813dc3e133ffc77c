"""ipywidgets explorers: thin wrappers over pure functions.

Each factory returns an object exposing its controls (``.controls``, a dict of widgets whose
``.value`` a test can set) and its output (``.output``), plus ``.widget`` to display. Callback
state lives in closures, never in module globals. Several notebooks add explorers here; each
keeps to its own section.

For teaching only, not clinical decisions.
"""
from __future__ import annotations

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
