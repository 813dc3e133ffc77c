"""The mobilization subgroup: per-patient ALC and node metrics (first minimal version).

Definitions (data contract, following Zent et al. 2010's Results): *first post-treatment ALC* =
the first labs row after day 0 with an ALC; *maximum node decrease* = the smallest SPD (sum of
length x width of the largest cervical, axillary and inguinal nodes, cm^2) after day 0, relative to
day 0; *ALC at maximum node decrease* = the labs row on that same day; *fold rise* = that ALC over
the day-0 ALC. The true ALC peak (highest recorded ALC after day 0) is reported beside it.
ALC in x10^9/L, days from registration. For teaching, not clinical decisions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data import node_burden

#: Default definition of "mobilized" (ours, documented in datasets/README.md): the ALC at the
#: maximum node decrease is at least 1.5 x baseline AND the maximum node decrease is >= 30%.
DEFAULT_MIN_FOLD = 1.5
DEFAULT_MIN_NODE_DECREASE_PCT = 30.0


def patient_metrics(labs: pd.DataFrame, nodes: pd.DataFrame, patient_ids=None) -> pd.DataFrame:
    """One row per patient: baseline_alc, first_alc, first_alc_day, max_node_decrease_pct,
    max_decrease_day, alc_at_max_decrease, fold_rise, peak_alc, peak_alc_day (NaN where the data
    do not allow the value, e.g. no node examination after day 0)."""
    burden = node_burden(nodes)
    ids = sorted(set(labs["patient_id"])) if patient_ids is None else list(patient_ids)
    out = []
    for pid in ids:
        lab = labs[labs["patient_id"] == pid].sort_values("day")
        alc = lab[lab["alc"].notna()]
        base = alc.loc[alc["day"] == 0, "alc"]
        if base.empty:
            raise ValueError(f"patient_id {pid!r}: no day-0 ALC in labs; a baseline ALC is required")
        b = float(base.iloc[0])
        post = alc[alc["day"] > 0]
        row = dict(patient_id=pid, baseline_alc=b, first_alc=np.nan, first_alc_day=np.nan,
                   max_node_decrease_pct=np.nan, max_decrease_day=np.nan, alc_at_max_decrease=np.nan,
                   fold_rise=np.nan, peak_alc=np.nan, peak_alc_day=np.nan)
        if not post.empty:
            row.update(first_alc=float(post["alc"].iloc[0]), first_alc_day=int(post["day"].iloc[0]))
            k = post["alc"].to_numpy().argmax()
            row.update(peak_alc=float(post["alc"].iloc[k]), peak_alc_day=int(post["day"].iloc[k]))
        nb = burden[burden["patient_id"] == pid]
        spd0 = nb.loc[nb["day"] == 0, "node_spd_cm2"]
        later = nb[nb["day"] > 0]
        if not spd0.empty and float(spd0.iloc[0]) > 0 and not later.empty:
            k = later["node_spd_cm2"].to_numpy().argmin()  # first day of the smallest SPD
            day = int(later["day"].iloc[k])
            row.update(max_node_decrease_pct=100.0 * (1 - float(later["node_spd_cm2"].iloc[k]) / float(spd0.iloc[0])),
                       max_decrease_day=day)
            same = alc.loc[alc["day"] == day, "alc"]
            if not same.empty:
                row.update(alc_at_max_decrease=float(same.iloc[0]), fold_rise=float(same.iloc[0]) / b)
        out.append(row)
    return pd.DataFrame(out)


def is_mobilized(metrics: pd.DataFrame, min_fold: float = DEFAULT_MIN_FOLD,
                 min_node_decrease_pct: float = DEFAULT_MIN_NODE_DECREASE_PCT) -> pd.Series:
    """Default definition: fold_rise >= min_fold and max_node_decrease_pct >= min_node_decrease_pct."""
    if min_fold <= 0:
        raise ValueError(f"min_fold={min_fold!r}: must be > 0")
    return (metrics["fold_rise"] >= min_fold) & (metrics["max_node_decrease_pct"] >= min_node_decrease_pct)
