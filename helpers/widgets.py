"""ipywidgets explorers: thin wrappers over the pure functions of the other helpers.

Each factory returns an object exposing its ``controls`` (set ``.value`` from a test), its
``output`` and the ``widget`` to display; callback state lives in the factory's closure. One
section per explorer.

For teaching only: nothing here is meant for clinical decisions.
"""
from __future__ import annotations


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
    ipywidgets ``Image`` holding the figure as PNG bytes (hidden when there is nothing to draw; an
    Image rather than an ``Output`` capture, which can stall headless notebook execution); ``message``: an ``HTML`` widget with the counts (or the
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
    import matplotlib.pyplot as plt
    import io

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
    output = w.Image(format="png", layout=w.Layout(max_width="900px"))
    state: dict[str, _Any] = {"renders": 0, "view": None, "figure_title": None}
    cache: dict[tuple[float, str], _Any] = {}
    xmax = 6.0 * _math.ceil(last / 6.0)
    canvas: dict[str, _Any] = {}
    if draw:
        with plt.rc_context(plots.SURVIVAL_RC):
            fig, ax = plt.subplots(figsize=(9, 4.8))
            fig.subplots_adjust(left=0.09, right=0.98, top=0.91, bottom=0.13)
        plt.close(fig)  # shown only through the Output widget
        canvas.update(fig=fig, ax=ax)

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
        ax = canvas["ax"]
        ax.clear()  # one figure for the explorer's life: redraw the axes, not a new figure
        plots.group_km_plot(view.table, ax=ax, layout=False, xmax=xmax,
                            xlabel=f"Months from the {key[0]:g}-month landmark",
                            title=f"OS from a {key[0]:g}-month landmark ({view.n_dropped} of "
                                  f"{len(view.table)} dropped)")
        buf = io.BytesIO()
        canvas["fig"].savefig(buf, format="png", dpi=80)
        output.value = buf.getvalue()
        output.layout.visibility = "visible"
        state["figure_title"] = ax.get_title(loc="left")

    slider.observe(update, names="value")
    toggle.observe(update, names="value")
    update()
    box = w.VBox([w.HBox([slider, toggle]), message, output])
    return LandmarkExplorer(widget=box, controls={"landmark_months": slider, "by": toggle}, output=output,
                            message=message, state=state)
# ============================================================================ end of survival
