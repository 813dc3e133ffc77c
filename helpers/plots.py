"""Figures shared by the notebooks. Each notebook's figures live in their own section below.

Every plotting function returns ``(fig, data)``: the matplotlib figure and the tidy frame of the
values it plotted, so a test can check that what is drawn equals what the datasets say.
"""
from __future__ import annotations

# ============================================================================================
# Notebook 04 · mobilization (issue 7): Figures 1 and 2 of Zent et al. remade, kinetics,
# measurement frequency, mass balance, definition explorer. Our figures, drawn from the
# reconstructed, synthetic cohort; the paper's originals are not reproduced.
# ============================================================================================

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
import numpy as np
import pandas as pd
import seaborn as sns

#: The paper's colours in Figure 1: red bars for the nodes, blue bars for the ALC.
MOB_NODE_RED = "#c0392b"
MOB_ALC_BLUE = "#1f5fa8"
MOB_GREY = "#b0b0b0"


def _mob_metrics(metrics: pd.DataFrame | None) -> pd.DataFrame:
    if metrics is None:
        from helpers.mobilization import patient_metrics
        metrics = patient_metrics()
    return metrics


def _mob_flag(metrics: pd.DataFrame, mobilized: pd.Series | None) -> np.ndarray:
    if mobilized is None:
        if "mobilized_recorded" not in metrics.columns:
            raise ValueError("metrics: no 'mobilized_recorded' column; pass mobilized= explicitly")
        mobilized = metrics["mobilized_recorded"]
    flag = np.asarray(mobilized, dtype=bool)
    if flag.shape[0] != len(metrics):
        raise ValueError(f"mobilized has {flag.shape[0]} values; metrics has {len(metrics)} rows")
    return flag


def _mob_plain_log_ticks(ax) -> None:
    """Label a log y axis with plain numbers (0.5, 1, 10, 100) instead of powers of ten."""
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def mobilization_figure1(metrics: pd.DataFrame | None = None, mobilized: pd.Series | None = None):
    """Figure 1 remade: per mobilized patient, the maximum decrease in the clinically measured
    node burden (red, % below baseline, drawn downwards) beside the ALC increase at that time
    (blue, % above baseline). The y axis is linear within +/-100% and logarithmic beyond, so a
    25-fold ALC rise and a 38% node decrease are both readable.

    Returns ``(fig, data)``; ``data`` has one row per mobilized patient: ``patient_id,
    node_decrease_pct, alc_increase_pct, fold_rise, max_decrease_day``.
    """
    metrics = _mob_metrics(metrics)
    flag = _mob_flag(metrics, mobilized)
    sub = metrics.loc[flag].sort_values("patient_id")
    data = pd.DataFrame({
        "patient_id": sub["patient_id"].astype(str).to_numpy(),
        "node_decrease_pct": sub["max_node_decrease_pct"].astype(float).to_numpy(),
        "alc_increase_pct": (100.0 * (sub["fold_rise"].astype(float) - 1.0)).to_numpy(),
        "fold_rise": sub["fold_rise"].astype(float).to_numpy(),
        "max_decrease_day": sub["max_decrease_day"].to_numpy(),
    })
    long = pd.concat([
        pd.DataFrame({"patient_id": data["patient_id"], "measure": "Lymph node size (SPD)",
                      "pct_change": -data["node_decrease_pct"]}),
        pd.DataFrame({"patient_id": data["patient_id"], "measure": "ALC",
                      "pct_change": data["alc_increase_pct"]}),
    ], ignore_index=True)
    fig, ax = plt.subplots(figsize=(9.5, 4.2))
    if len(data):
        sns.barplot(data=long, x="patient_id", y="pct_change", hue="measure", ax=ax,
                    palette={"Lymph node size (SPD)": MOB_NODE_RED, "ALC": MOB_ALC_BLUE})
        ax.set_yscale("symlog", linthresh=100)
        ticks = [-100, -50, 0, 50, 100, 300, 1000, 3000]
        ax.set_yticks(ticks)
        ax.set_yticklabels([f"{t:+d}%" if t else "0" for t in ticks])
        ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    else:
        ax.text(0.5, 0.5, "no patient meets the definition", ha="center", va="center",
                transform=ax.transAxes)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("Patient (reconstructed, synthetic cohort)")
    ax.set_ylabel("Change from baseline at maximum node decrease")
    ax.set_title("Mobilized patients: nodes shrink while the ALC rises")
    fig.tight_layout()
    return fig, data


def mobilization_figure2(metrics: pd.DataFrame | None = None, mobilized: pd.Series | None = None,
                         show_peak: bool = True):
    """Figure 2 remade: ALC (x10^9/L, log scale) from pretreatment to the time of maximum node
    decrease, one line per mobilized patient, with the median of each time point (black bar).
    With ``show_peak`` a third column shows each patient's highest recorded ALC (dotted), because
    the paper's median 38.4 x10^9/L and 4.8-fold are values at maximum node decrease, not peaks.

    Returns ``(fig, data)``; ``data`` is long: ``patient_id, timepoint, day, alc`` with timepoint
    in ``pretreatment``, ``max_node_decrease``, ``recorded_peak``.
    """
    metrics = _mob_metrics(metrics)
    flag = _mob_flag(metrics, mobilized)
    sub = metrics.loc[flag].sort_values("patient_id")
    parts = [
        pd.DataFrame({"patient_id": sub["patient_id"].astype(str), "timepoint": "pretreatment",
                      "day": 0, "alc": sub["baseline_alc"].astype(float)}),
        pd.DataFrame({"patient_id": sub["patient_id"].astype(str), "timepoint": "max_node_decrease",
                      "day": sub["max_decrease_day"].astype("Int64"),
                      "alc": sub["alc_at_max_decrease"].astype(float)}),
    ]
    if show_peak:
        parts.append(pd.DataFrame({"patient_id": sub["patient_id"].astype(str), "timepoint": "recorded_peak",
                                   "day": sub["peak_alc_day"].astype("Int64"), "alc": sub["peak_alc"].astype(float)}))
    data = pd.concat(parts, ignore_index=True)
    xpos = {"pretreatment": 0, "max_node_decrease": 1, "recorded_peak": 2}
    data["x"] = data["timepoint"].map(xpos)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    main = data[data["timepoint"] != "recorded_peak"]
    if len(main):
        palette = sns.color_palette("Blues_d", n_colors=max(len(sub), 1))
        sns.lineplot(data=main, x="x", y="alc", units="patient_id", estimator=None, hue="patient_id",
                     palette=palette, marker="o", ax=ax, legend=False)
        if show_peak:
            for i, (pid, g) in enumerate(data.groupby("patient_id", sort=True)):
                g = g.set_index("timepoint")
                ax.plot([2], [g.loc["recorded_peak", "alc"]], ls="", color=palette[i % len(palette)],
                        marker="s", mfc="white", zorder=1)
                ax.plot([1, 2], [g.loc["max_node_decrease", "alc"], g.loc["recorded_peak", "alc"]],
                        ls=":", color=palette[i % len(palette)], zorder=0)
        medians = {}
        for tp, x in xpos.items():
            vals = data.loc[data["timepoint"] == tp, "alc"].dropna()
            if len(vals):
                medians[tp] = float(vals.median())
                ax.hlines(medians[tp], x - 0.18, x + 0.18, color="black", lw=2.5, zorder=4)
        ax.set_yscale("log")
        _mob_plain_log_ticks(ax)
    else:
        medians = {}
    names = ["Pretreatment", "At maximum\nnode decrease", "Highest ALC\nrecorded"]
    labels = [f"{n}\n(median {medians[tp]:.1f})" if tp in medians else n for n, tp in zip(names, xpos)]
    ax.set_xticks(list(xpos.values())[: 3 if show_peak else 2])
    ax.set_xticklabels(labels[: 3 if show_peak else 2])
    ax.set_xlim(-0.4, (2 if show_peak else 1) + 0.4)
    ax.set_xlabel("")
    ax.set_ylabel("ALC (x10$^9$/L, log scale)")
    ax.set_title("ALC from pretreatment to maximum node decrease")
    fig.tight_layout()
    return fig, data


def mobilization_kinetics(labs: pd.DataFrame | None = None, nodes: pd.DataFrame | None = None,
                          metrics: pd.DataFrame | None = None, mobilized: pd.Series | None = None):
    """ALC (x10^9/L, log) and node burden (SPD, cm^2) over days from registration for every
    patient; mobilized patients in colour (ALC blue, nodes red), the others grey.

    Returns ``(fig, data)`` with ``data`` long: ``patient_id, day, alc, spd_cm2, mobilized``
    (one row per labs or node day; NaN where that measurement was not made that day).
    """
    from helpers.mobilization import node_burden
    if labs is None or nodes is None:
        from helpers import data as _d
        labs = _d.load_labs() if labs is None else labs
        nodes = _d.load_nodes() if nodes is None else nodes
    metrics = _mob_metrics(metrics)
    flag = _mob_flag(metrics, mobilized)
    mob_ids = set(metrics.loc[flag, "patient_id"].astype(str))
    a = labs[["patient_id", "day", "alc"]].copy()
    a["patient_id"] = a["patient_id"].astype(str)
    a = a[a["alc"].notna()]
    s = node_burden(nodes)[["patient_id", "day", "node_spd_cm2"]].rename(columns={"node_spd_cm2": "spd_cm2"})
    data = a.merge(s, on=["patient_id", "day"], how="outer").sort_values(["patient_id", "day"])
    data["day"] = data["day"].astype(int)
    data["alc"] = data["alc"].astype(float)
    data["mobilized"] = data["patient_id"].isin(mob_ids)
    data = data.reset_index(drop=True)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    for pid, g in data.groupby("patient_id", sort=True):
        m = pid in mob_ids
        ga, gs = g[g["alc"].notna()], g[g["spd_cm2"].notna()]
        kw = dict(lw=1.8 if m else 0.8, alpha=1.0 if m else 0.6, zorder=3 if m else 1, marker="o",
                  ms=3 if m else 2)
        ax1.plot(ga["day"], ga["alc"], color=MOB_ALC_BLUE if m else MOB_GREY, **kw)
        ax2.plot(gs["day"], gs["spd_cm2"], color=MOB_NODE_RED if m else MOB_GREY, **kw)
    ax1.set_yscale("log")
    _mob_plain_log_ticks(ax1)
    ax1.set_ylabel("ALC (x10$^9$/L, log scale)")
    ax2.set_ylabel("Node burden, SPD (cm$^2$)")
    for ax in (ax1, ax2):
        ax.set_xlabel("Days from registration (28-day cycles)")
        xmax = int(data["day"].max()) if len(data) else 28
        step = 56 if xmax <= 336 else (112 if xmax <= 672 else 168)  # multiples of the 28-day cycle
        ax.set_xticks(np.arange(0, xmax + 1, step))
        ax.set_xlim(-0.03 * xmax, xmax * 1.03)
    ax1.set_title("Blood: ALC")
    ax2.set_title("Nodes: sum of products")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=MOB_ALC_BLUE, lw=1.8, label="mobilized (ALC)"),
               Line2D([], [], color=MOB_NODE_RED, lw=1.8, label="mobilized (nodes)"),
               Line2D([], [], color=MOB_GREY, lw=0.8, label="other patients")]
    ax2.legend(handles=handles, frameon=False, fontsize=8)
    fig.tight_layout()
    return fig, data


def mobilization_sampling_figure(result):
    """The assumed smooth ALC curve (``helpers.mobilization.sample_trajectory``) with what a
    weekly and a once-per-cycle schedule see. Returns ``(fig, data)``, ``data`` = the samples."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(result.curve["day"], result.curve["alc"], color="black", lw=1.5, label="assumed true curve")
    styles = {7: ("o", MOB_ALC_BLUE), 28: ("s", MOB_NODE_RED)}
    for k, g in result.samples.groupby("interval_days", sort=True):
        marker, colour = styles.get(int(k), ("^", "tab:green"))
        ax.plot(g["day"], g["alc"], ls="--", marker=marker, color=colour, label=str(g["schedule"].iloc[0]))
    row = result.summary.iloc[0]
    ax.axhline(row["true_peak"], color="grey", lw=0.8, ls=":")
    ax.set_xlabel("Days from start of treatment")
    ax.set_ylabel("ALC (x10$^9$/L)")
    ax.set_title(f"Assumed curve ({result.shape.replace('_', ' ')}) and two sampling schedules")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig, result.samples.copy()


def mobilization_definition_figure(classified: pd.DataFrame, alc_fold_min: float,
                                   node_decrease_min_pct: float):
    """Every patient as a point: maximum node decrease (%) against the ALC fold at that time (log
    scale), threshold lines, mobilized under the definition in blue (others grey). ``classified``
    is the output of ``helpers.mobilization.classify_mobilized``. Returns ``(fig, data)``.

    ``update_definition_figure`` recolours the same figure for a new definition (fast: the
    explorer redraws without rebuilding the axes).
    """
    data = classified[["patient_id", "max_node_decrease_pct", "fold_rise", "max_decrease_day",
                       "mobilized"]].copy()
    plot = data.dropna(subset=["max_node_decrease_pct", "fold_rise"])
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    sc = ax.scatter(plot["max_node_decrease_pct"], plot["fold_rise"], s=40, zorder=3,
                    c=[MOB_ALC_BLUE if m else MOB_GREY for m in plot["mobilized"]])
    for _, r in plot.iterrows():
        ax.annotate(str(r["patient_id"]), (r["max_node_decrease_pct"], r["fold_rise"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_yscale("log")
    _mob_plain_log_ticks(ax)
    hline = ax.axhline(alc_fold_min, color=MOB_ALC_BLUE, ls="--", lw=1)
    vline = ax.axvline(node_decrease_min_pct, color=MOB_NODE_RED, ls="--", lw=1)
    xmin = min(-50.0, float(plot["max_node_decrease_pct"].min()) - 5) if len(plot) else -50.0
    ax.set_xlim(xmin, 100)
    if len(plot):
        ax.set_ylim(min(0.3, float(plot["fold_rise"].min()) / 1.3), max(12.0, float(plot["fold_rise"].max()) * 1.3))
    ax.set_xlabel("Maximum node decrease (% of baseline SPD; negative = growth)")
    ax.set_ylabel("ALC fold at that time (log scale)")
    title = ax.set_title("", fontsize=9)
    fig._mob_artists = {"scatter": sc, "hline": hline, "vline": vline, "title": title,  # type: ignore[attr-defined]
                        "index": plot.index}
    update_definition_figure(fig, classified, alc_fold_min, node_decrease_min_pct)
    fig.tight_layout()
    return fig, data


def update_definition_figure(fig, classified: pd.DataFrame, alc_fold_min: float,
                             node_decrease_min_pct: float) -> pd.DataFrame:
    """Recolour a figure made by ``mobilization_definition_figure`` for a new definition (same
    patients); returns the plotted data."""
    art = fig._mob_artists
    flags = classified.loc[art["index"], "mobilized"].to_numpy(dtype=bool)
    art["scatter"].set_facecolors([MOB_ALC_BLUE if m else MOB_GREY for m in flags])
    art["hline"].set_ydata([alc_fold_min, alc_fold_min])
    art["vline"].set_xdata([node_decrease_min_pct, node_decrease_min_pct])
    n = int(classified["mobilized"].sum())
    art["title"].set_text(f"{n} of {len(classified)} patients count as mobilized "
                          f"(ALC \u2265 {alc_fold_min:.1f}x, nodes \u2265 {node_decrease_min_pct:.0f}% smaller)")
    return classified[["patient_id", "max_node_decrease_pct", "fold_rise", "max_decrease_day", "mobilized"]].copy()


def mobilization_mass_balance_figure(result):
    """Bars: the ALC rise (x10^9/L) the measured nodes can explain against the rise observed.
    ``result`` is a ``helpers.mobilization.MassBalance``. Returns ``(fig, data)``;
    ``update_mass_balance_figure`` redraws the same figure for a new result."""
    fig, ax = plt.subplots(figsize=(5.5, 2.4))
    bars = ax.barh([1, 0], [0.0, 0.0], color=[MOB_NODE_RED, MOB_ALC_BLUE], height=0.6)
    ax.set_yticks([1, 0])
    ax.set_yticklabels(["implied by the\nmeasured nodes", "observed"])
    ax.set_xlabel("ALC rise (x10$^9$/L)")
    title = ax.set_title("", fontsize=9)
    fig._mob_artists = {"bars": bars, "title": title, "ax": ax}  # type: ignore[attr-defined]
    data = update_mass_balance_figure(fig, result)
    fig.tight_layout()
    return fig, data


def update_mass_balance_figure(fig, result) -> pd.DataFrame:
    """Redraw a figure made by ``mobilization_mass_balance_figure``; returns the plotted data."""
    art = fig._mob_artists
    implied = float(result.implied_alc_rise)
    observed = float(result.observed_alc_rise) if result.observed_alc_rise is not None else np.nan
    art["bars"][0].set_width(implied)
    art["bars"][1].set_width(0.0 if np.isnan(observed) else max(observed, 0.0))
    top = max(implied, 0.0 if np.isnan(observed) else observed, 1.0)
    art["ax"].set_xlim(0, top * 1.1)
    if result.pct_of_observed_explained is not None:
        art["title"].set_text(f"Measured nodes explain {result.pct_of_observed_explained:.0f}% of the observed rise")
    else:
        art["title"].set_text("Implied rise (no observed rise to compare)")
    return pd.DataFrame({"what": ["implied by the measured nodes", "observed"], "alc_rise": [implied, observed]})

# ============================ end of notebook 04 section =====================================
