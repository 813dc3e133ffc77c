"""Figures shared by the notebooks. One section per notebook/topic; each section keeps its own
imports and helpers so sections can be added independently.

For teaching only: nothing here is meant for clinical decisions. Patient rows are a
reconstructed, synthetic cohort.
"""
from __future__ import annotations


# =============================================================================================
# Survival (notebook 05): Kaplan-Meier curves with bands and at-risk table, both bands on one
# plot, response durations, swimmer plot, naive vs landmark comparison.
# =============================================================================================
import numpy as _np  # noqa: E402
import pandas as _pd  # noqa: E402

#: Slide styling for the survival figures (large type, no top/right spines).
SURVIVAL_RC = {
    "font.size": 13, "axes.titlesize": 15, "axes.labelsize": 14, "xtick.labelsize": 12,
    "ytick.labelsize": 12, "legend.fontsize": 12, "axes.spines.top": False, "axes.spines.right": False,
}
SURVIVAL_COLORS = ("#1f5a96", "#c2512b", "#3a8a3a", "#7a4a9a")


def _km_step(ax, tab: _pd.DataFrame, color: str, label: str, band: bool, band_alpha: float = 0.2,
             censor_times: _np.ndarray | None = None, lw: float = 2.2) -> None:
    """Draw one KM table (from helpers.survival.km_table) as a step curve with band and censor ticks."""
    t = tab["time"].to_numpy()
    ax.step(t, tab["survival"], where="post", color=color, lw=lw, label=label)
    if band:
        lo = tab["lower"].to_numpy()
        hi = tab["upper"].to_numpy()
        ok = ~(_np.isnan(lo) | _np.isnan(hi))
        ax.fill_between(t[ok], lo[ok], hi[ok], step="post", color=color, alpha=band_alpha, lw=0)
    if censor_times is not None and len(censor_times):
        idx = _np.searchsorted(t, censor_times, side="right") - 1
        ax.plot(censor_times, tab["survival"].to_numpy()[idx], ls="none", marker="|", ms=12, mew=2,
                color=color)


def km_plot(tables: dict[str, _pd.DataFrame], *, conf_type: str = "log-log", at_risk: bool = True,
            title: str | None = None, xlabel: str = "Months from registration", ylabel: str = "Probability",
            xmax: float | None = None, xstep: float = 6.0, median_line: bool = True, ax=None):
    """Kaplan-Meier curves of one or more endpoint tables (``{"OS": os_table(), ...}``, months),
    with the ``conf_type`` confidence band (helpers.survival.km_table), censoring marks (|) and,
    under the plot, lifelines' ``add_at_risk_counts`` (at risk = number with time > t, lifelines'
    default; censored and events cumulative). Slide styling. Returns the figure.
    """
    import matplotlib.pyplot as plt
    from lifelines.plotting import add_at_risk_counts

    from helpers import survival as sv

    with plt.rc_context(SURVIVAL_RC):
        if ax is None:
            fig, ax = plt.subplots(figsize=(10, 6.8 if at_risk else 5.5))
        else:
            fig = ax.figure
        fitters = []
        tmax = 0.0
        for (name, table), color in zip(tables.items(), SURVIVAL_COLORS):
            t, e = sv._as_arrays(table)
            tab = sv.km_table(t, e, conf_type=conf_type)
            m = sv.km_median(t, e, conf_type=conf_type)
            _km_step(ax, tab, color, f"{name}: median {m.format()} mo", True, censor_times=t[~e])
            fitters.append(sv.kmf(t, e, label=name))
            tmax = max(tmax, float(t.max()))
        xmax = xmax if xmax is not None else xstep * _np.ceil(tmax / xstep)
        ax.set_xlim(0, xmax)
        ax.set_ylim(0, 1.02)
        ticks = list(_np.arange(0, xmax + 1e-9, xstep))
        ax.set_xticks(ticks)
        if median_line:
            ax.axhline(0.5, color="0.5", lw=1, ls=":")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper right", frameon=False,
                  title=f"shaded: 95% CI ({conf_type}); |: censored")
        if title:
            ax.set_title(title, loc="left")
        if at_risk:
            add_at_risk_counts(*fitters, ax=ax, xticks=ticks, rows_to_show=["At risk", "Censored", "Events"])
        fig.tight_layout()
    return fig


def km_bands_plot(table: _pd.DataFrame, *, name: str = "OS", title: str | None = None, ax=None,
                  xstep: float = 6.0):
    """One KM curve with both 95% bands: log-log (lifelines; shaded) and log (R's default; dashed),
    the 0.5 line and where each band crosses it (the median's CI). Months. Returns the figure."""
    import matplotlib.pyplot as plt

    from helpers import survival as sv

    t, e = sv._as_arrays(table)
    with plt.rc_context(SURVIVAL_RC):
        if ax is None:
            fig, ax = plt.subplots(figsize=(10, 5.5))
        else:
            fig = ax.figure
        ll = sv.km_table(t, e, conf_type="log-log")
        lg = sv.km_table(t, e, conf_type="log")
        m_ll = sv.km_median(t, e, conf_type="log-log")
        m_lg = sv.km_median(t, e, conf_type="log")
        _km_step(ax, ll, "black", f"{name} Kaplan-Meier", False, censor_times=t[~e])
        ok = ~ll["lower"].isna()
        ax.fill_between(ll["time"][ok], ll["lower"][ok], ll["upper"][ok], step="post", color=SURVIVAL_COLORS[0],
                        alpha=0.25, lw=0, label=f"log-log band: median CI {m_ll.format()}")
        for col in ("lower", "upper"):
            ax.step(lg["time"], lg[col], where="post", color=SURVIVAL_COLORS[1], lw=1.8, ls="--",
                    label=f"log band: median CI {m_lg.format()}" if col == "lower" else None)
        ax.axhline(0.5, color="0.4", lw=1, ls=":")
        xmax = xstep * _np.ceil(float(t.max()) / xstep)
        for m, color, y in ((m_ll, SURVIVAL_COLORS[0], 0.04), (m_lg, SURVIVAL_COLORS[1], 0.10)):
            for x in (m.lower, m.upper):
                if _np.isfinite(x):
                    ax.plot([x, x], [0, 0.5], color=color, lw=1.2, ls=":")
            if not _np.isfinite(m.upper):
                ax.annotate("upper limit not reached", xy=(xmax * 0.98, 0.5), xytext=(xmax * 0.62, 0.62),
                            color=color, fontsize=11, arrowprops=dict(arrowstyle="->", color=color))
        ax.set_xlim(0, xmax)
        ax.set_xticks(_np.arange(0, xmax + 1e-9, xstep))
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("Months from registration")
        ax.set_ylabel("Probability")
        ax.legend(loc="upper right", frameon=False)
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


def response_duration_plot(durations: _pd.DataFrame, *, ax=None, title: str | None = None):
    """The responders: a bar from registration to response onset (light) and from onset to the end of
    the response (dark); an arrow and "+" mark a response still ongoing (censored). Months.
    ``durations`` is helpers.survival.response_duration_table()."""
    import matplotlib.pyplot as plt

    from helpers import survival as sv

    d = durations.sort_values("onset_months").reset_index(drop=True)
    with plt.rc_context(SURVIVAL_RC):
        if ax is None:
            fig, ax = plt.subplots(figsize=(10, 0.8 * len(d) + 1.8))
        else:
            fig = ax.figure
        for i, r in d.iterrows():
            ax.barh(i, r.onset_months, color="0.85", height=0.5)
            ax.barh(i, r.time_months, left=r.onset_months, color=SURVIVAL_COLORS[0], height=0.5)
            end = r.onset_months + r.time_months
            if r.event:
                ax.plot(end, i, marker="X", color=SURVIVAL_COLORS[1], ms=11, ls="none")
            else:
                ax.annotate("", xy=(end + 1.2, i), xytext=(end, i),
                            arrowprops=dict(arrowstyle="-|>", color=SURVIVAL_COLORS[0], lw=2))
            ax.text(end + 1.6, i, f"{sv.format_duration(r.time_months, bool(r.event))} mo", va="center")
            ax.text(r.onset_months, i + 0.36, f"onset {r.onset_months:.1f}", ha="center", fontsize=10)
        ax.set_yticks(range(len(d)))
        ax.set_yticklabels([f"{pid} ({br})" for pid, br in zip(d["patient_id"], d["best_response"])])
        ax.invert_yaxis()
        ax.set_xlabel("Months from registration")
        ax.plot([], [], marker="X", color=SURVIVAL_COLORS[1], ls="none", label="progression (end of response)")
        ax.plot([], [], marker=r"$\rightarrow$", color=SURVIVAL_COLORS[0], ls="none", ms=14,
                label="response ongoing at last contact (censored, +)")
        ax.legend(loc="lower right", frameon=False, fontsize=11)
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


STOP_COLORS = {"progression": "#c2512b", "toxicity": "#d9a21b", "died": "black", "refused": "#7a4a9a",
               "on treatment": "#3a8a3a"}


def swimmer_plot(patients: _pd.DataFrame, *, ax=None, title: str | None = None):
    """One lane per patient (all 22), sorted by time on treatment. Thick bar: time on treatment,
    coloured by the reason for stopping (an arrow: still on treatment). Thin line: follow-up after
    treatment. Markers: response onset (triangle), progression (X), death (black square), alive at
    last contact (open circle = censored). Months from registration. Reconstructed, synthetic rows."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from helpers.survival import DAYS_PER_MONTH

    def months(col: str) -> _np.ndarray:
        return _pd.to_numeric(p[col], errors="coerce").astype(float).to_numpy() / DAYS_PER_MONTH

    p = patients.copy()
    last = months("last_contact_day")
    off = months("off_treatment_day")
    on_until = _np.where(_np.isnan(off), last, off)
    p = p.assign(_on=on_until).sort_values("_on", ascending=True, kind="stable").reset_index(drop=True)
    last, off, on_until = months("last_contact_day"), months("off_treatment_day"), p["_on"].to_numpy()
    resp, prog, death = months("response_day"), months("progression_day"), months("death_day")
    reason = p["off_treatment_reason"].astype("string").fillna("on treatment").to_numpy()
    with plt.rc_context(SURVIVAL_RC):
        if ax is None:
            fig, ax = plt.subplots(figsize=(14, 9))
        else:
            fig = ax.figure
        for i in range(len(p)):
            ax.plot([0, last[i]], [i, i], color="0.6", lw=1.2, zorder=1)
            ax.barh(i, on_until[i], height=0.6, color=STOP_COLORS.get(str(reason[i]), "0.5"), zorder=2)
            if reason[i] == "on treatment":
                ax.annotate("", xy=(on_until[i] + 1.0, i), xytext=(on_until[i], i),
                            arrowprops=dict(arrowstyle="-|>", color=STOP_COLORS["on treatment"], lw=2), zorder=3)
            if not _np.isnan(resp[i]):
                ax.plot(resp[i], i, marker="^", color="white", mec="black", ms=10, zorder=4)
            if not _np.isnan(prog[i]):
                ax.plot(prog[i], i, marker="X", color="#c2512b", mec="black", mew=0.6, ms=10, zorder=4)
            if not _np.isnan(death[i]):
                ax.plot(death[i], i, marker="s", color="black", ms=8, zorder=4)
            else:
                ax.plot(last[i], i, marker="o", mfc="white", mec="black", ms=8, zorder=4)
        ax.set_yticks(range(len(p)))
        ax.set_yticklabels(p["patient_id"].astype(str))
        ax.set_xlabel("Months from registration")
        ax.set_ylabel("Patient (sorted by time on treatment)")
        top = 6.0 * _np.ceil(_np.nanmax(last) / 6.0)
        ax.set_xlim(0, top + 1)
        ax.set_xticks(_np.arange(0, top + 1e-9, 6.0))
        handles = [Patch(color=c, label=f"on treatment, stopped: {k}" if k != "on treatment" else "still on treatment")
                   for k, c in STOP_COLORS.items() if k in set(reason)]
        handles += [Line2D([], [], color="0.6", lw=1.2, label="follow-up off treatment"),
                    Line2D([], [], marker="^", color="white", mec="black", ls="none", ms=10, label="response onset (PR)"),
                    Line2D([], [], marker="X", color="#c2512b", mec="black", ls="none", ms=10, label="progression"),
                    Line2D([], [], marker="s", color="black", ls="none", ms=8, label="death"),
                    Line2D([], [], marker="o", mfc="white", mec="black", ls="none", ms=8, label="alive at last contact (censored)")]
        ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=11)
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


def group_km_plot(table: _pd.DataFrame, *, title: str | None = None, xlabel: str = "Months from registration",
                  ax=None, at_risk: bool = False, xmax: float | None = None, xstep: float = 6.0,
                  layout: bool = True):
    """KM curves (log-log bands, censor marks) of the groups of a helpers.survival.naive_table or
    landmark_table (excluded patients left out). Returns the figure."""
    import matplotlib.pyplot as plt
    from lifelines.plotting import add_at_risk_counts

    from helpers import survival as sv

    tab = table[table["included"]] if "included" in table.columns else table
    with plt.rc_context(SURVIVAL_RC):
        if ax is None:
            fig, ax = plt.subplots(figsize=(9, 6.2 if at_risk else 5))
        else:
            fig = ax.figure
        fitters = []
        groups = sorted(tab["group"].dropna().unique())
        for g, color in zip(groups, SURVIVAL_COLORS):
            sub = tab[tab["group"] == g]
            t, e = sv._as_arrays(sub)
            m = sv.km_median(t, e)
            _km_step(ax, sv.km_table(t, e), color, f"{g} (n={len(sub)}): median {m.format()}", True,
                     band_alpha=0.12, censor_times=t[~e])
            if at_risk:
                fitters.append(sv.kmf(t, e, label=str(g)))
        top = float(tab["time_months"].max()) if len(tab) else xstep
        xmax = xmax if xmax is not None else xstep * _np.ceil(top / xstep)
        ax.set_xlim(0, xmax)
        ax.set_xticks(_np.arange(0, xmax + 1e-9, xstep))
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Overall survival")
        ax.legend(loc="upper right", frameon=False, fontsize=11)
        if title:
            ax.set_title(title, loc="left", fontsize=13)
        if at_risk and fitters:
            add_at_risk_counts(*fitters, ax=ax, xticks=list(ax.get_xticks()), rows_to_show=["At risk"])
        if layout:
            fig.tight_layout()
    return fig


def landmark_figure(patients: _pd.DataFrame | None = None, landmark_months: float = 6.0, by: str = "response",
                    nodes: _pd.DataFrame | None = None):
    """Naive comparison (left) beside the landmark analysis (right), for ``by`` = "response" or
    "mobilized". The static companion of helpers.widgets.landmark_explorer. Returns the figure."""
    import matplotlib.pyplot as plt

    from helpers import survival as sv

    naive = sv.naive_table(patients, by=by)
    view = sv.landmark_view(patients, landmark_months, by=by, nodes=nodes)
    if view.error:
        raise ValueError(view.error)
    with plt.rc_context(SURVIVAL_RC):
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(15, 5.6), sharey=True)
        p0 = sv.group_summary(naive).attrs["logrank_p"]
        group_km_plot(naive, ax=a1, title=f"Naive: grouped by eventual status (log-rank p = {p0:.3f})")
        p1 = view.summary.attrs["logrank_p"]
        ptxt = f"log-rank p = {p1:.3f}" if _np.isfinite(p1) else "one group only"
        group_km_plot(view.table, ax=a2, xlabel=f"Months from the {landmark_months:g}-month landmark",
                      title=f"Landmark {landmark_months:g} mo: {view.n_dropped} dropped ({ptxt})")
        fig.tight_layout()
    return fig


# ============================================================================ end of survival
