"""ipywidgets explorers: thin wrappers over the pure functions of the other helper modules.

Each factory returns an object exposing its ``controls`` (a dict of widgets: set ``.value`` from a
test), its outputs and the last computed ``state``, and a ``widget`` to display. Callback state
lives in closures and in the returned object, never in module globals. Each notebook's explorers
live in their own section below.
"""
from __future__ import annotations

# ============================================================================================
# Notebook 04 · mobilization (issue 7): definition explorer and mass-balance explorer
# ============================================================================================

import io
import math
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd


@dataclass
class MobilizationExplorer:
    """What a notebook-04 explorer factory returns.

    ``controls``: name -> widget (set ``.value`` to drive it); ``table``: HTML widget with the
    result table; ``message``: HTML widget for notes and input errors (never a traceback);
    ``figure``: Image widget (PNG) of the figure; ``state``: the last result (``table`` frame,
    ``figure_data``, ``error``); ``widget``: the box to display; ``update()``: recompute now.
    """
    controls: dict[str, widgets.Widget]
    table: widgets.HTML
    message: widgets.HTML
    figure: widgets.Image
    widget: widgets.Box
    state: dict[str, Any] = field(default_factory=dict)
    update: Any = None

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
    return MobilizationExplorer(controls, table, message, figure, box, state, update)


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
        bv = patient_inputs[pid].get("blood_volume_l")
        return float(min(max(bv, lo), hi)) if bv is not None else 5.0

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
    return MobilizationExplorer(controls, table, message, figure, box, state, update)

# ============================ end of notebook 04 section =====================================
