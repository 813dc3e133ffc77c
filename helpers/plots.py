"""Figures shared by the notebooks (pure functions: data in, matplotlib Figure out).

Each notebook's figures live in their own section below; widgets in :mod:`helpers.widgets` call
these functions and never draw by themselves.
"""
from __future__ import annotations

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
