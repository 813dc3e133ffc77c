"""Figures shared by notebooks. Each notebook's figures keep to their own section.

Every function returns the matplotlib Figure; captions and alt text live in the notebooks.
"""
from __future__ import annotations

# =============================================================================================
# Notebook 03 - response criteria (owner: response branch)
# =============================================================================================
import numpy as np
import pandas as pd

#: Category colours used by notebook 03 (colour-blind-safe Okabe-Ito hues).
RESPONSE_COLOURS = {"CR": "#009E73", "PR": "#56B4E9", "PR-L": "#0072B2", "SD": "#E69F00",
                    "PD": "#D55E00", "NE": "#999999"}


def response_waterfall(changes: pd.DataFrame, labels: pd.Series | None = None,
                       title: str = "Best node change, coloured by ALC change"):
    """Waterfall of the best node-SPD change per patient, bars coloured by the ALC fold change.

    ``changes``: from :func:`helpers.response.node_alc_changes` (patient_id, node_change_pct,
    alc_fold). ``labels``: optional category per patient_id, printed under each bar.
    Colour: log2 of the ALC fold change (blue = fell, red = rose; grey = ALC not recorded).
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors

    df = changes.sort_values("node_change_pct", ascending=False).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 4.2))
    cmap = plt.get_cmap("RdBu_r")
    norm = mcolors.TwoSlopeNorm(vmin=-3, vcenter=0, vmax=5)
    lf = np.log2(df["alc_fold"].astype(float))
    cols = [cmap(norm(x)) if np.isfinite(x) else (0.6, 0.6, 0.6, 1) for x in lf]
    ax.bar(range(len(df)), df["node_change_pct"], color=cols, edgecolor="black", linewidth=0.5)
    ax.axhline(-50, color="black", linestyle="--", linewidth=0.8)
    ax.text(len(df) - 0.5, -48, "PR node threshold (-50%)", ha="right", va="bottom", fontsize=8)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(range(len(df)))
    ticks = list(df["patient_id"])
    if labels is not None:
        ticks = [f"{p}\n{labels.get(p, '')}" for p in ticks]
    ax.set_xticklabels(ticks, fontsize=7)
    ax.set_ylabel("best change in node SPD from day 0 (%)")
    ax.set_title(title)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=ax, pad=0.01)
    cb.set_label("ALC fold change that day (log2)")
    fig.tight_layout()
    return fig


def response_categories_by_set(tables: dict[str, pd.DataFrame],
                               title: str = "Best response by rule set"):
    """Stacked bars: number of patients in each category under each rule set.

    ``tables``: label -> a :func:`helpers.response.classify_cohort` table (column ``best``).
    """
    import matplotlib.pyplot as plt

    order = ["CR", "PR", "PR-L", "SD", "PD", "NE"]
    labels = list(tables)
    counts = pd.DataFrame({lab: tables[lab]["best"].value_counts() for lab in labels}).reindex(
        order).fillna(0).astype(int)
    fig, ax = plt.subplots(figsize=(9, 3.8))
    bottom = np.zeros(len(labels))
    for cat in order:
        vals = counts.loc[cat].to_numpy()
        if vals.sum() == 0:
            continue
        ax.bar(labels, vals, bottom=bottom, color=RESPONSE_COLOURS[cat], label=cat,
               edgecolor="white")
        for i, v in enumerate(vals):
            if v:
                ax.text(i, bottom[i] + v / 2, str(v), ha="center", va="center", fontsize=8)
        bottom += vals
    ax.set_ylabel("patients")
    ax.set_title(title)
    ax.legend(ncol=6, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    plt.setp(ax.get_xticklabels(), fontsize=8)
    fig.tight_layout()
    return fig

# =============================================================================================
# end of notebook 03 section
# =============================================================================================


# ============================================================================================
# Notebook 02 · eligibility and treatment rules (issue 9): screening funnel, baseline against
# the eligibility limits, dose intensity. Each returns (fig, data): the figure and the tidy
# frame it drew.
# ============================================================================================

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

ELIG_COLOURS = {"remaining": "#4a7fb5", "failed": "#c0392b", "unknown": "#b0b0b0"}


def eligibility_funnel_figure(funnel, title: str | None = None):
    """Horizontal funnel: for each rule in order, patients remaining (blue) and excluded as
    failed (red) or unknown (grey). ``funnel``: a :class:`helpers.eligibility.Funnel`."""
    data = funnel.steps[["step", "rule", "criterion", "in", "excluded_failed", "excluded_unknown",
                         "remaining"]].copy()
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(data) + 1.4))
    y = np.arange(len(data))[::-1]
    ax.barh(y, data["remaining"], color=ELIG_COLOURS["remaining"], label="remaining")
    ax.barh(y, data["excluded_failed"], left=data["remaining"], color=ELIG_COLOURS["failed"],
            label="excluded: failed")
    ax.barh(y, data["excluded_unknown"], left=data["remaining"] + data["excluded_failed"],
            color=ELIG_COLOURS["unknown"], label="excluded: value missing")
    for yi, (_, row) in zip(y, data.iterrows()):
        out = row["excluded_failed"] + row["excluded_unknown"]
        ax.text(row["in"] + funnel.n_screened * 0.01, yi, f"-{out}" if out else "", va="center", fontsize=8)
    ax.set_yticks(y, [f"{s}. {r}" for s, r in zip(data["step"], data["rule"])], fontsize=8)
    ax.set_xlim(0, funnel.n_screened * 1.08)
    ax.set_xlabel("patients")
    ax.set_title(title or f"Screening funnel: {funnel.n_eligible} of {funnel.n_screened} eligible", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    h = fig.get_figheight()
    fig.subplots_adjust(left=0.22, right=0.97, top=1 - 0.35 / h, bottom=1.3 / h)
    return fig, data


#: Panels of the baseline figure: variable -> (title, log scale).
BASELINE_PANELS = {
    "anc": ("ANC (x10⁹/L)", False),
    "plt": ("Platelets (x10⁹/L)", False),
    "hb": ("Hemoglobin (g/dL)", False),
    "alc": ("ALC (x10⁹/L)", True),
    "largest_node_cm": ("Largest lesion, CT/MRI (cm)", False),
    "ecog": ("ECOG", False),
    "creatinine_xunl": ("Creatinine (x UNL)", False),
    "bilirubin_total_xunl": ("Total bilirubin (x UNL)", False),
    "ast_xunl": ("AST (x UNL)", False),
    "age": ("Age (years)", False),
}


def baseline_vs_limits_figure(patients: pd.DataFrame, rules=None, label: str = "patient_id"):
    """One panel per eligibility variable present in ``patients``: each patient's baseline value
    (dots) against the rule's limit (dashed line; the AST panel also shows the liver-involvement
    limit dotted). Data: variable, patient, value, limit, margin (value - limit, in the unit)."""
    from helpers.eligibility import with_thresholds

    resolved = with_thresholds(rules)
    limits: dict[str, list[tuple[float, str]]] = {}
    for r in resolved:
        for cond, style in ((r.condition, "--"), (r.alternative, ":")):
            if cond is not None and cond.variable in BASELINE_PANELS and cond.comparison != "in":
                limits.setdefault(cond.variable, []).append((float(cond.threshold), style))
    panels = [v for v in BASELINE_PANELS if v in patients.columns and v in limits]
    ncol = 3
    nrow = int(np.ceil(len(panels) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(9, 2.3 * nrow), squeeze=False)
    rng = np.random.default_rng(0)  # horizontal jitter only
    rows = []
    for ax, var in zip(axes.flat, panels):
        title, log = BASELINE_PANELS[var]
        values = pd.to_numeric(patients[var], errors="coerce")
        x = rng.uniform(-0.25, 0.25, len(values))
        ax.scatter(x, values, s=16, color="#333333", zorder=3)
        for thr, style in limits[var]:
            ax.axhline(thr, color=ELIG_COLOURS["failed"], linestyle=style, linewidth=1.2)
        main = limits[var][0][0]
        for pid, v in zip(patients[label], values):
            rows.append({"variable": var, "patient": pid, "value": v, "limit": main, "margin": v - main})
        if log:
            ax.set_yscale("log")
        ax.set_xlim(-0.6, 0.6)
        ax.set_xticks([])
        ax.set_title(title, fontsize=9)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle("Baseline values against the eligibility limits (red: limit)", fontsize=10)
    # fixed margins instead of tight_layout (which costs seconds with many panels)
    fig.subplots_adjust(left=0.07, right=0.98, top=1 - 0.75 / fig.get_figheight(), bottom=0.03,
                        hspace=0.3, wspace=0.3)
    return fig, pd.DataFrame(rows)


def dose_intensity_figure(intensity: pd.DataFrame):
    """Relative dose intensity (delivered / planned mg) per patient, sorted, coloured by the
    lowest dose level reached. ``intensity``: :func:`helpers.treatment.dose_intensity`."""
    from helpers.treatment import DOSE_LABELS

    data = intensity.sort_values(["relative_dose_intensity", "patient_id"]).reset_index(drop=True)
    colours = dict(zip(DOSE_LABELS, ["#4a7fb5", "#f0a04b", "#c0392b", "#6b2d5c"]))
    fig, ax = plt.subplots(figsize=(9, 3.2))
    x = np.arange(len(data))
    ax.bar(x, data["relative_dose_intensity"], color=[colours[d] for d in data["lowest_dose"]])
    from matplotlib.patches import Patch

    handles = [Patch(color=colours[lab], label=lab) for lab in DOSE_LABELS if (data["lowest_dose"] == lab).any()]
    ax.axhline(1.0, color="#333333", linewidth=0.8)
    ax.set_xticks(x, data["patient_id"], rotation=90, fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("delivered / planned mg")
    ax.set_title("Relative dose intensity per patient (reconstructed, synthetic cohort)", fontsize=10)
    ax.legend(handles=handles, title="lowest dose reached", fontsize=8, title_fontsize=8, frameon=False,
              loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig, data

# ============================================================================================
# End of notebook 02 section
# ============================================================================================


# =============================================================================================
# Notebook 01 - trial design (owner: design branch): Simon designs, OC curves, CI coverage
# =============================================================================================
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from helpers.design import SimonDesign, SimonResult

#: colours of the three kinds of design (colour-blind-safe "colorblind" palette of seaborn)
DESIGN_COLOURS = {"optimal": "#0173b2", "minimax": "#de8f05", "admissible": "#029e73"}
DESIGN_STYLES = {"optimal": "-", "minimax": "--", "admissible": ":"}


def design_curves(result: SimonResult, ps: np.ndarray | None = None) -> pd.DataFrame:
    """Long table of operating characteristics for every design on the hull of ``result``.

    Columns: ``design`` (e.g. "optimal 3/17, 10/37"), ``kind``, ``p`` (true response rate,
    proportion), ``P(promising)``, ``PET`` (probability of stopping after stage 1), ``EN``
    (expected number of patients). Suitable for ``seaborn.lineplot(..., hue="design")``.
    """
    from helpers.design import operating_characteristics

    ps = np.linspace(0.0, 1.0, 101) if ps is None else np.asarray(ps, dtype=float)
    frames = []
    for h in result.hull:
        oc = operating_characteristics(h.design, ps)
        frames.append(pd.DataFrame({
            "design": f"{h.kind} {h.design.label()}", "kind": h.kind, "p": ps,
            "P(promising)": oc.prob_promising, "PET": oc.pet, "EN": oc.en}))
    return pd.concat(frames, ignore_index=True)


def design_figure(result: SimonResult, ps: np.ndarray | None = None,
                  figsize: tuple[float, float] = (11.0, 3.4)) -> Figure:
    """Three panels for a Simon design search: OC curves, expected size, EN0 against n.

    (a) probability of declaring the drug promising against the true response rate, with p0,
    p1 and the target alpha / power marked; (b) expected number of patients and probability of
    early termination; (c) the best EN0 for each maximum size n (clinfun's plot), with the
    minimax, admissible and optimal designs marked. Plain matplotlib (fast enough for a slider).
    """
    from matplotlib.figure import Figure

    curves = design_curves(result, ps)
    fig = Figure(figsize=figsize)  # fixed margins: constrained layout costs ~0.5 s per draw
    fig.subplots_adjust(left=0.06, right=0.985, bottom=0.15, top=0.9, wspace=0.5)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for (label, kind), g in curves.groupby(["design", "kind"], sort=False):
        c, ls = DESIGN_COLOURS[kind], DESIGN_STYLES[kind]
        ax1.plot(g["p"], g["P(promising)"], color=c, ls=ls, label=label)
        ax2.plot(g["p"], g["EN"], color=c, ls=ls, label=label)
    for ax in (ax1, ax2):
        for x in (result.p0, result.p1):
            ax.axvline(x, color="0.6", lw=0.8)
        ax.set_xlabel("true response rate p")
        ax.set_xlim(0, 1)
    ax1.axhline(result.alpha_target, color="0.6", lw=0.8, ls="--")
    ax1.axhline(1 - result.beta_target, color="0.6", lw=0.8, ls="--")
    ax1.set_ylabel("P(declared promising)")
    ax1.set_ylim(0, 1)
    ax1.set_title(f"(a) OC: p0={result.p0:g}, p1={result.p1:g}", fontsize=10)
    ax1.legend(fontsize=7, loc="lower right")
    ax2.set_ylabel("expected number of patients")
    ax2.set_title("(b) expected size; PET on right axis", fontsize=10)
    twin = ax2.twinx()
    for (label, kind), g in curves.groupby(["design", "kind"], sort=False):
        twin.plot(g["p"], g["PET"], color=DESIGN_COLOURS[kind], lw=0.8, alpha=0.5,
                  ls=DESIGN_STYLES[kind])
    twin.set_ylim(0, 1)
    twin.set_ylabel("PET (faint lines)", fontsize=8)
    by_n = result.by_n
    last = int(by_n["n"].searchsorted(result.optimal.n)) + 6
    shown = by_n.iloc[:last]
    ax3.plot(shown["n"], shown["EN0"], color="0.4", marker=".", lw=1)
    ax3.plot([h.design.n for h in result.hull], [h.design.en0 for h in result.hull], color="0.2",
             ls="--", lw=0.8, label="lower convex hull")
    for h in result.hull:
        ax3.plot([h.design.n], [h.design.en0], "o", color=DESIGN_COLOURS[h.kind], ms=7,
                 label=f"{h.kind} {h.design.label()}")
    ax3.set_xlabel("maximum number of patients n")
    ax3.set_ylabel("EN0 (expected size under p0)")
    ax3.set_title("(c) best EN0 for each n", fontsize=10)
    ax3.legend(fontsize=7)
    return fig


def coverage_figure(n: int, methods: tuple[str, ...] = ("exact", "wilson", "jeffreys", "wald"),
                    level: float = 0.95, ps: np.ndarray | None = None,
                    figsize: tuple[float, float] = (8.0, 3.6)) -> Figure:
    """Exact coverage (by enumeration) of binomial interval methods across true rates, size n."""
    from matplotlib.figure import Figure

    from helpers.design import coverage

    ps = np.linspace(0.005, 0.995, 397) if ps is None else np.asarray(ps, dtype=float)
    fig = Figure(figsize=figsize)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.9)
    ax = fig.subplots()
    palette = ["#0173b2", "#029e73", "#cc78bc", "#d55e00"]
    for m, c in zip(methods, palette):
        ax.plot(ps, coverage(n, ps, m, level), color=c, lw=1, label=m)
    ax.axhline(level, color="0.3", ls="--", lw=0.8)
    ax.set_ylim(0.5, 1.0)
    ax.set_xlim(0, 1)
    ax.set_xlabel("true response rate p")
    ax.set_ylabel(f"coverage of the nominal {level:.0%} interval")
    ax.set_title(f"Exact coverage with n = {n}", fontsize=10)
    ax.legend(fontsize=8, loc="lower center", ncol=len(methods))
    return fig

def _svg_panel(series: list[tuple[str, str, np.ndarray, np.ndarray]], *, x0: float, y0: float,
               w: float, h: float, xlim: tuple[float, float], ylim: tuple[float, float],
               xlabel: str, ylabel: str, title: str, vlines=(), hlines=(),
               xticks=(), yticks=()) -> str:
    """One line-chart panel as SVG elements (no external library; a few hundred microseconds)."""
    (xa, xb), (ya, yb) = xlim, ylim

    def sx(v):
        return x0 + (np.asarray(v, dtype=float) - xa) / (xb - xa) * w

    def sy(v):
        return y0 + h - (np.asarray(v, dtype=float) - ya) / (yb - ya) * h

    out = [f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" fill="white" '
           f'stroke="#444" stroke-width="0.8"/>']
    for t in xticks:
        out.append(f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{y0 + h:.1f}" y2="{y0 + h + 4:.1f}" '
                   f'stroke="#444"/><text x="{sx(t):.1f}" y="{y0 + h + 15:.1f}" font-size="10" '
                   f'text-anchor="middle">{t:g}</text>')
    for t in yticks:
        out.append(f'<line x1="{x0 - 4:.1f}" x2="{x0:.1f}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
                   f'stroke="#444"/><text x="{x0 - 6:.1f}" y="{sy(t) + 3:.1f}" font-size="10" '
                   f'text-anchor="end">{t:g}</text>')
    for v in vlines:
        out.append(f'<line x1="{sx(v):.1f}" x2="{sx(v):.1f}" y1="{y0:.1f}" y2="{y0 + h:.1f}" '
                   f'stroke="#999" stroke-width="0.8"/>')
    for v in hlines:
        out.append(f'<line x1="{x0:.1f}" x2="{x0 + w:.1f}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" '
                   f'stroke="#999" stroke-width="0.8" stroke-dasharray="4,3"/>')
    dash = {"-": "", "--": ' stroke-dasharray="6,3"', ":": ' stroke-dasharray="2,2"'}
    for colour, style, xs, ys in series:
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(sx(xs), sy(np.clip(ys, ya, yb))))
        out.append(f'<polyline class="curve" points="{pts}" fill="none" stroke="{colour}" '
                   f'stroke-width="1.8"{dash[style]}/>')
    out.append(f'<text x="{x0 + w / 2:.1f}" y="{y0 + h + 30:.1f}" font-size="11" '
               f'text-anchor="middle">{xlabel}</text>')
    out.append(f'<text transform="translate({x0 - 36:.1f},{y0 + h / 2:.1f}) rotate(-90)" '
               f'font-size="11" text-anchor="middle">{ylabel}</text>')
    out.append(f'<text x="{x0 + w / 2:.1f}" y="{y0 - 6:.1f}" font-size="11" '
               f'text-anchor="middle">{title}</text>')
    return "".join(out)


def design_svg(result: SimonResult, ps: np.ndarray | None = None, width: int = 860,
               height: int = 270) -> str:
    """Light SVG version of panels (a) and (b) of :func:`design_figure`, for the explorer.

    Drawing with matplotlib takes 80-150 ms on a shared machine, over the 100 ms budget of a
    slider update; this string takes about a millisecond. One ``<polyline class="curve">`` per
    design and panel; a legend names the designs.
    """
    curves = design_curves(result, ps)
    groups = list(curves.groupby(["design", "kind"], sort=False))
    en_max = float(max(result.hull[-1].design.n, max(h.design.n for h in result.hull)))
    pw, ph, top = (width - 55 - 70 - 150) / 2, height - 80, 28   # panels, then a 150-px legend
    common = {"y0": top, "w": pw, "h": ph, "xlim": (0, 1), "xlabel": "true response rate p",
              "vlines": (result.p0, result.p1), "xticks": (0, 0.2, 0.4, 0.6, 0.8, 1)}
    a = _svg_panel([(DESIGN_COLOURS[k], DESIGN_STYLES[k], g["p"].to_numpy(),
                     g["P(promising)"].to_numpy()) for (_, k), g in groups],
                   x0=55, ylim=(0, 1), ylabel="P(declared promising)",
                   title=f"(a) OC curves, p0={result.p0:g}, p1={result.p1:g}",
                   hlines=(result.alpha_target, 1 - result.beta_target),
                   yticks=(0, 0.2, 0.4, 0.6, 0.8, 1), **common)
    step = max(5, int(np.ceil(en_max / 5 / 5.0)) * 5)
    b = _svg_panel([(DESIGN_COLOURS[k], DESIGN_STYLES[k], g["p"].to_numpy(), g["EN"].to_numpy())
                    for (_, k), g in groups],
                   x0=55 + pw + 70, ylim=(0, en_max * 1.05), ylabel="expected number of patients",
                   title="(b) expected size", yticks=tuple(range(0, int(en_max) + 1, step)),
                   **common)
    legend = []
    lx = width - 140
    for i, ((label, k), _g) in enumerate(groups):
        y = top + 12 + 30 * i
        legend.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{y}" y2="{y}" stroke="{DESIGN_COLOURS[k]}" '
                      f'stroke-width="2"/><text x="{lx + 26}" y="{y + 4}" font-size="10">{k}</text>'
                      f'<text x="{lx + 26}" y="{y + 16}" font-size="10">{label.split(" ", 1)[1]}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="Operating-characteristic curves and expected sample size of '
            f'the Simon designs">' + a + b + "".join(legend) + "</svg>")


# ============================ end of notebook 01 section ====================================


# ============================================================================================
# Notebook 06 · toxicity: blood counts over time with CTC v3.0 grade bands
# ============================================================================================

import matplotlib.pyplot as plt
import pandas as pd

#: Lab columns the blood-count figure can show -> (label, CTC term).
BLOOD_COUNTS = {
    "hb": ("Hemoglobin (g/dL)", "anemia"),
    "anc": ("Neutrophils, ANC (x10^9/L)", "neutropenia"),
    "plt": ("Platelets (x10^9/L)", "thrombocytopenia"),
    "wbc": ("White cells, WBC (x10^9/L)", "leukopenia"),
    "alc": ("Lymphocytes, ALC (x10^9/L)", "lymphopenia"),
}
#: Band colours, grade 0 (white) to grade 4 (dark red).
GRADE_COLOURS = {0: "#ffffff", 1: "#fff5cc", 2: "#ffd9a8", 3: "#f7a07a", 4: "#d7301f"}


def _check_count(count: str) -> str:
    if count not in BLOOD_COUNTS:
        raise ValueError(f"count={count!r}; allowed: {', '.join(BLOOD_COUNTS)}")
    return count


def blood_count_series(labs: pd.DataFrame, patient_id: str, count: str) -> pd.DataFrame:
    """One patient's ``day`` and ``count`` rows with a value, sorted by day."""
    _check_count(count)
    for col in ("patient_id", "day", count):
        if col not in labs.columns:
            raise ValueError(f"labs is missing column {col!r}")
    ids = labs["patient_id"].astype(str)
    if str(patient_id) not in set(ids):
        raise ValueError(f"patient_id={patient_id!r} is not in labs; e.g. {', '.join(sorted(set(ids))[:3])} ...")
    sub = labs.loc[ids == str(patient_id), ["day", count]].dropna()
    return sub.astype(float).sort_values("day").reset_index(drop=True)


def blood_count_summary(labs: pd.DataFrame, patient_id: str, count: str, lln: float | None = None) -> str:
    """One line: baseline, nadir (day) and the nadir's CTC v3.0 grade."""
    from helpers.toxicity import CTC_V3_BLOOD, ctc_grade

    label, term = BLOOD_COUNTS[_check_count(count)]
    s = blood_count_series(labs, patient_id, count)
    if s.empty:
        return f"{patient_id}: no {count} values recorded"
    i = s[count].idxmin()
    unit = CTC_V3_BLOOD[term].unit
    base = s.loc[s["day"] == 0, count]
    base_txt = f"baseline {base.iloc[0]:g} {unit}, " if len(base) else ""
    g = ctc_grade(term, s.at[i, count], lln=lln)
    return (f"{patient_id} · {label.split(' (')[0]}: {base_txt}nadir {s.at[i, count]:g} {unit} "
            f"on day {s.at[i, 'day']:.0f} (CTC v3.0 {term} grade {g})")


def plot_blood_counts(labs: pd.DataFrame, patient_id: str, count: str = "plt", lln: float | None = None,
                      adverse_events: pd.DataFrame | None = None, ax=None):
    """Plot one patient's ``count`` over days from registration on CTC v3.0 grade bands.

    Bands: grade 0 at or above the LLN (default: the documented assumption in
    :data:`helpers.toxicity.CTC_V3_BLOOD`), then grades 1-4 down to zero. When
    ``adverse_events`` is given, the onset days of the patient's matching events are marked
    with their recorded grade. Returns the Figure.
    """
    from helpers.toxicity import CTC_V3_BLOOD, ctc_bands

    label, term = BLOOD_COUNTS[_check_count(count)]
    s = blood_count_series(labs, patient_id, count)
    crit = CTC_V3_BLOOD[term]
    limit = crit.default_lln if lln is None else lln
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(7.0, 3.6))
    else:
        fig = ax.figure
    top = max([limit * 1.25] + ([s[count].max() * 1.1] if len(s) else []))
    for grade, lo, hi in ctc_bands(term, lln=limit):
        ax.axhspan(lo, min(hi, top), color=GRADE_COLOURS[grade], alpha=0.8, lw=0, zorder=0)
        if grade > 0:
            mid = (lo + min(hi, top)) / 2
            ax.text(1.01, mid, f"G{grade}", transform=ax.get_yaxis_transform(), va="center", fontsize=8)
    ax.axhline(limit, color="grey", lw=0.8, ls="--", zorder=1)
    ax.text(1.01, limit, "LLN", transform=ax.get_yaxis_transform(), va="bottom", fontsize=8, color="grey")
    ax.plot(s["day"], s[count], marker="o", ms=4, color="black", lw=1.2, zorder=3, label=label)
    if adverse_events is not None and len(s):
        ev = adverse_events[(adverse_events["patient_id"].astype(str) == str(patient_id))
                            & (adverse_events["term"].astype(str) == term)]
        for _, e in ev.iterrows():
            ax.axvline(float(e["day"]), color="#7a0177", lw=1, ls=":", zorder=2)
            ax.text(float(e["day"]), top * 0.97, f" AE g{int(e['grade'])}", color="#7a0177",
                    fontsize=8, va="top")
    ax.set_ylim(0, top)
    if len(s):
        span = max(s["day"].max(), 28.0)
        ax.set_xlim(-0.03 * span, span * 1.03)
    ax.set_xlabel("Days from registration")
    ax.set_ylabel(label)
    ax.set_title(f"{patient_id}: {label.split(' (')[0]} with CTC v3.0 {term} grades "
                 f"(LLN {limit:g}{' assumed' if lln is None else ''})", fontsize=10)
    if own:  # fixed margins: tight_layout would cost ~30 ms on every widget update
        fig.subplots_adjust(left=0.1, right=0.93, bottom=0.14, top=0.9)
    return fig


def blood_counts_svg(labs: pd.DataFrame, patient_id: str, count: str = "plt", lln: float | None = None,
                     adverse_events: pd.DataFrame | None = None, width: int = 700,
                     height: int = 340) -> tuple[str, pd.DataFrame]:
    """Light SVG version of :func:`plot_blood_counts` for the blood-count explorer.

    The same picture (count over days on CTC v3.0 grade bands, LLN line, adverse-event onsets)
    in a few milliseconds, where a matplotlib redraw takes about 180 ms, over an explorer's 100 ms
    budget. Returns ``(svg, series)``: the SVG text and the plotted ``day``/``count`` rows, so a
    test can check the plotted values equal the dataset's.
    """
    from html import escape

    from helpers.toxicity import CTC_V3_BLOOD, ctc_bands

    label, term = BLOOD_COUNTS[_check_count(count)]
    series = blood_count_series(labs, patient_id, count)
    limit = CTC_V3_BLOOD[term].default_lln if lln is None else lln
    top = max([limit * 1.25] + ([series[count].max() * 1.1] if len(series) else []))
    span = max(float(series["day"].max()), 28.0) if len(series) else 28.0
    xa, xb = -0.03 * span, span * 1.03
    x0, y0, w, h = 62, 30, width - 62 - 40, height - 30 - 50

    def sx(v):
        return x0 + (float(v) - xa) / (xb - xa) * w

    def sy(v):
        return y0 + h - min(float(v), top) / top * h

    out = []
    for grade, lo, hi in ctc_bands(term, lln=limit):
        if lo >= top:
            continue
        ya, yb = sy(min(hi, top)), sy(lo)
        out.append(f'<rect x="{x0}" y="{ya:.1f}" width="{w}" height="{yb - ya:.1f}" '
                   f'fill="{GRADE_COLOURS[grade]}" opacity="0.8"/>')
        if grade > 0:
            out.append(f'<text x="{x0 + w + 4}" y="{(ya + yb) / 2 + 3:.1f}" font-size="10">G{grade}</text>')
    out.append(f'<line x1="{x0}" x2="{x0 + w}" y1="{sy(limit):.1f}" y2="{sy(limit):.1f}" stroke="grey" '
               f'stroke-dasharray="4,3"/><text x="{x0 + w + 4}" y="{sy(limit) - 2:.1f}" font-size="10" '
               f'fill="grey">LLN</text>')
    if adverse_events is not None and len(series):
        ev = adverse_events[(adverse_events["patient_id"].astype(str) == str(patient_id))
                            & (adverse_events["term"].astype(str) == term)]
        for day, grade in zip(ev["day"].astype(float), ev["grade"].astype(int)):
            out.append(f'<line x1="{sx(day):.1f}" x2="{sx(day):.1f}" y1="{y0}" y2="{y0 + h}" stroke="#7a0177" '
                       f'stroke-dasharray="2,2"/><text x="{sx(day) + 3:.1f}" y="{y0 + 12}" font-size="10" '
                       f'fill="#7a0177">AE g{grade}</text>')
    pts = " ".join(f"{sx(d):.1f},{sy(v):.1f}" for d, v in zip(series["day"], series[count]))
    out.append(f'<polyline class="curve" points="{pts}" fill="none" stroke="black" stroke-width="1.5"/>')
    out += [f'<circle cx="{sx(d):.1f}" cy="{sy(v):.1f}" r="3"/>' for d, v in zip(series["day"], series[count])]
    step = max(28, int(np.ceil(span / 6 / 28)) * 28)
    for t in range(0, int(span) + 1, step):
        out.append(f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{y0 + h}" y2="{y0 + h + 4}" stroke="#444"/>'
                   f'<text x="{sx(t):.1f}" y="{y0 + h + 15}" font-size="10" text-anchor="middle">{t}</text>')
    from matplotlib.ticker import MaxNLocator

    for v in (t for t in MaxNLocator(5).tick_values(0, top) if 0 <= t <= top):
        out.append(f'<line x1="{x0 - 4}" x2="{x0}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#444"/>'
                   f'<text x="{x0 - 6}" y="{sy(v) + 3:.1f}" font-size="10" text-anchor="end">{v:g}</text>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{x0 + w / 2:.1f}" y="{y0 + h + 32}" font-size="11" text-anchor="middle">'
               f'Days from registration</text>')
    out.append(f'<text transform="translate(16,{y0 + h / 2:.1f}) rotate(-90)" font-size="11" '
               f'text-anchor="middle">{escape(label)}</text>')
    title = (f"{patient_id}: {label.split(' (')[0]} with CTC v3.0 {term} grades "
             f"(LLN {limit:g}{' assumed' if lln is None else ''})")
    out.append(f'<text x="{x0}" y="{y0 - 10}" font-size="12">{escape(title)}</text>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}">' + "".join(out) + "</svg>")
    return svg, series


def plot_cumulative_incidence(ajf, ax=None, months: bool = True):
    """Step plot of an Aalen-Johansen cumulative incidence with its band (x in months or days)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 3.6))
    else:
        fig = ax.figure
    cif = ajf.cumulative_density_.iloc[:, 0]
    ci = ajf.confidence_interval_cumulative_density_
    scale = (365.25 / 12) if months else 1.0
    x = cif.index.to_numpy() / scale
    ax.step(x, cif.to_numpy(), where="post", color="#b2182b", label="cumulative incidence")
    if ci is not None and ci.shape[1] == 2:
        ax.fill_between(ci.index.to_numpy() / scale, ci.iloc[:, 0].to_numpy(), ci.iloc[:, 1].to_numpy(),
                        step="post", color="#b2182b", alpha=0.15, lw=0, label="95% CI")
    ax.set_ylim(0, 1)
    ax.set_xlim(left=0)
    ax.set_xlabel("Months from registration" if months else "Days from registration")
    ax.set_ylabel("Cumulative incidence")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# ============================================================================================
# End of notebook 06 section
# ============================================================================================


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


#: Footer printed inside the saved notebook-04 figures (the image may travel without its caption).
MOB_SYNTHETIC_FOOTER = "Reconstructed, synthetic cohort (not trial data); after Zent et al., Cancer 2010"


def _mob_footer(fig) -> None:
    """Leave room at the bottom of ``fig`` and write the synthetic-cohort footer there."""
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.text(0.99, 0.01, MOB_SYNTHETIC_FOOTER, ha="right", va="bottom", fontsize=7, color="dimgrey")


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
    _mob_footer(fig)
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
    _mob_footer(fig)
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


def group_km_svg(table: _pd.DataFrame, *, title: str, xlabel: str, xmax: float, xstep: float = 6.0,
                 width: int = 860, height: int = 330) -> str:
    """Light SVG version of :func:`group_km_plot` for the landmark explorer (step curves, log-log
    band outlines, censor ticks, legend with each group's median and 95% CI).

    Drawing the same picture with matplotlib takes about 200 ms, twice an explorer update's 100 ms
    budget; this string takes a few milliseconds. The static figure beside the explorer is still
    :func:`landmark_figure` (matplotlib). One ``<polyline class="curve">`` per group.
    """
    from html import escape

    from helpers import survival as sv

    tab = table[table["included"]] if "included" in table.columns else table
    x0, y0, pw, ph = 60, 28, width - 60 - 300, height - 75
    xticks = tuple(float(v) for v in _np.arange(0, xmax + 1e-9, xstep))

    def sx(v):
        return x0 + _np.asarray(v, dtype=float) / xmax * pw

    def sy(v):
        return y0 + ph - _np.asarray(v, dtype=float) / 1.02 * ph

    def steps(t, y):
        xs = _np.repeat(t, 2)[1:]
        ys = _np.repeat(y, 2)[:-1]
        return _np.append(xs, xmax), _np.append(ys, ys[-1])

    series, extra, legend = [], [], []
    for i, (g, colour) in enumerate(zip(sorted(tab["group"].dropna().unique()), SURVIVAL_COLORS)):
        sub = tab[tab["group"] == g]
        t, e = sv._as_arrays(sub)
        km = sv.km_table(t, e)
        times = _np.concatenate([[0.0], km["time"].to_numpy()])
        surv = _np.concatenate([[1.0], km["survival"].to_numpy()])
        xs, ys = steps(_np.minimum(times, xmax), surv)
        series.append((colour, "-", xs, ys))
        for col in ("lower", "upper"):
            band = _np.concatenate([[1.0], km[col].to_numpy()])
            ok = ~_np.isnan(band)
            if ok.sum() > 1:
                bx, by = steps(_np.minimum(times[ok], xmax), band[ok])
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(sx(bx), sy(by)))
                extra.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="0.8" '
                             f'stroke-dasharray="3,3" opacity="0.6"/>')
        cens = t[~e]
        idx = _np.searchsorted(times, cens, side="right") - 1
        for cx, cy in zip(sx(_np.minimum(cens, xmax)), sy(surv[idx])):
            extra.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{cy - 5:.1f}" y2="{cy + 5:.1f}" '
                         f'stroke="{colour}" stroke-width="2"/>')
        m = sv.km_median(t, e)
        ly = y0 + 14 + 34 * i
        lx = x0 + pw + 20
        legend.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2.5"/>'
                      f'<text x="{lx + 28}" y="{ly + 4}" font-size="12">{escape(str(g))} (n={len(sub)})</text>'
                      f'<text x="{lx + 28}" y="{ly + 19}" font-size="11" fill="#444">median {escape(m.format())}</text>')
    panel = _svg_panel(series, x0=x0, y0=y0, w=pw, h=ph, xlim=(0, xmax), ylim=(0, 1.02),
                       xlabel=escape(xlabel), ylabel="Overall survival", title="", xticks=xticks,
                       yticks=(0, 0.2, 0.4, 0.6, 0.8, 1))
    head = f'<text x="{x0}" y="{y0 - 10}" font-size="13">{escape(title)}</text>'
    note = (f'<text x="{x0 + pw + 20}" y="{y0 + ph}" font-size="10" fill="#555">dashed: 95% log-log band;'
            f'</text><text x="{x0 + pw + 20}" y="{y0 + ph + 13}" font-size="10" fill="#555">| censored</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(title)}: Kaplan-Meier curves by group">' + panel + "".join(extra)
            + "".join(legend) + head + note + "</svg>")


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
