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
    "largest_node_cm": ("Largest node (cm)", False),
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
