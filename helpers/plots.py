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
