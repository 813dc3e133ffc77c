"""Figures shared by the notebooks (pure functions: data in, matplotlib Figure out).

Each notebook's figures live in their own section below; widgets in :mod:`helpers.widgets` call
these functions and never draw by themselves.
"""
from __future__ import annotations

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
