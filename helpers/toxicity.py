"""Toxicity summaries: patients by worst grade per term (Table 2) (first minimal version).

Adverse events are graded with NCI CTC v3.0; the paper's "toxicity" = an adverse event at least
possibly related to treatment (possible, probable, definite). Counts are **patients**, by the
worst grade each reached (per term, or per category). For teaching, not clinical decisions.
"""
from __future__ import annotations

import pandas as pd

from helpers.data import ATTRIBUTIONS, RELATED


def _filter(ae: pd.DataFrame, min_grade: int, attribution) -> pd.DataFrame:
    if not 1 <= min_grade <= 5:
        raise ValueError(f"min_grade={min_grade!r}: allowed 1-5 (CTC grades)")
    if attribution is None:
        attribution = ATTRIBUTIONS
    bad = [a for a in attribution if a not in ATTRIBUTIONS]
    if bad:
        raise ValueError(f"attribution {bad!r} not allowed; allowed: {ATTRIBUTIONS}")
    return ae[(ae["grade"] >= min_grade) & ae["attribution"].astype(str).isin(attribution)]


def worst_grade_table(adverse_events: pd.DataFrame, min_grade: int = 3, attribution=RELATED) -> pd.DataFrame:
    """Patients by worst grade per term: index (ctcae_category, term), columns grade min_grade..5.

    ``attribution``: the attributions kept (default: possible, probable, definite, as Table 2);
    ``None`` keeps all.
    """
    ae = _filter(adverse_events, min_grade, attribution)
    worst = ae.groupby(["ctcae_category", "term", "patient_id"], observed=True)["grade"].max().reset_index()
    tab = worst.pivot_table(index=["ctcae_category", "term"], columns="grade", values="patient_id",
                            aggfunc="count", fill_value=0, observed=True)
    for g in range(min_grade, 6):
        if g not in tab.columns:
            tab[g] = 0
    return tab[list(range(min_grade, 6))].astype(int)


def worst_grade_by_category(adverse_events: pd.DataFrame, min_grade: int = 3, attribution=RELATED) -> pd.DataFrame:
    """Patients by worst grade per ``category`` (hematologic / nonhematologic), with a total column."""
    ae = _filter(adverse_events, min_grade, attribution)
    worst = ae.groupby(["category", "patient_id"], observed=True)["grade"].max().reset_index()
    tab = worst.pivot_table(index="category", columns="grade", values="patient_id", aggfunc="count",
                            fill_value=0, observed=True)
    for g in range(min_grade, 6):
        if g not in tab.columns:
            tab[g] = 0
    tab = tab[list(range(min_grade, 6))].astype(int)
    tab["total"] = tab.sum(axis=1)
    return tab
