"""Survival tables and Kaplan-Meier medians, as the paper defines them (first minimal version).

Definitions (Zent et al. 2010, Methods): overall survival = registration to death from any cause;
progression-free survival = registration to progression or death from any cause; duration of
response = first documented response to progression. Event-free patients are censored at last
contact. Times are days from registration; ``*_months`` columns are days / (365.25 / 12).
Kaplan-Meier via lifelines' ``KaplanMeierFitter`` (log-log confidence bands, its only option).
For teaching, not clinical decisions.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.data import DAYS_PER_MONTH


def _frame(pid, time, event) -> pd.DataFrame:
    df = pd.DataFrame({"patient_id": pid, "time_days": pd.array(time, dtype="Int64"), "event": event})
    df["event"] = df["event"].astype(bool)
    df["time_months"] = df["time_days"].astype("float64") / DAYS_PER_MONTH
    return df.reset_index(drop=True)


def os_table(patients: pd.DataFrame) -> pd.DataFrame:
    """Overall survival per patient: patient_id, time_days, event (death), time_months."""
    died = patients["death_day"].notna()
    time = patients["death_day"].where(died, patients["last_contact_day"])
    return _frame(patients["patient_id"].to_numpy(), time.to_numpy(), died.to_numpy())


def pfs_table(patients: pd.DataFrame) -> pd.DataFrame:
    """Progression-free survival: event = progression or death (whichever first), else censored
    at last contact. Columns as :func:`os_table`."""
    prog = patients["progression_day"].astype("float64")
    death = patients["death_day"].astype("float64")
    first = np.fmin(prog.to_numpy(), death.to_numpy())
    event = ~np.isnan(first)
    time = np.where(event, first, patients["last_contact_day"].astype("float64").to_numpy())
    return _frame(patients["patient_id"].to_numpy(), time.astype(int), event)


def response_duration_table(patients: pd.DataFrame) -> pd.DataFrame:
    """Responders (response_day given): onset_day, onset_months, time_days (response to
    progression, else to last contact), event (progression), time_months; sorted by onset."""
    r = patients[patients["response_day"].notna()].copy()
    prog = r["progression_day"]
    event = prog.notna().to_numpy()
    end = prog.where(prog.notna(), r["last_contact_day"])
    df = _frame(r["patient_id"].to_numpy(), (end - r["response_day"]).to_numpy(), event)
    df.insert(1, "onset_day", r["response_day"].to_numpy())
    df.insert(2, "onset_months", df["onset_day"].astype("float64") / DAYS_PER_MONTH)
    return df.sort_values("onset_day").reset_index(drop=True)


def km_median(durations, events, alpha: float = 0.05) -> tuple[float, float, float]:
    """Kaplan-Meier median and its (1 - alpha) CI, in the units of ``durations``.

    The CI is read off lifelines' log-log pointwise band with
    ``median_survival_times(kmf.confidence_interval_)``; ``inf`` means "not reached".
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if d.size == 0 or np.isnan(d).any() or (d < 0).any():
        raise ValueError(f"durations must be a non-empty set of non-negative numbers, got {d!r}")
    kmf = KaplanMeierFitter(alpha=alpha).fit(d, e)
    ci = median_survival_times(kmf.confidence_interval_)
    low, high = (float(x) for x in ci.iloc[0])
    return float(kmf.median_survival_time_), low, (high if not math.isnan(high) else math.inf)
