"""Exercise bank for notebook 05 (survival). Expected values are computed from the datasets."""
from __future__ import annotations

from helpers.exercises import register

#: The exercise 05.1 asks for the estimate just after this many distinct death times.
KM_BY_HAND_EVENTS = 3
#: Exercise 05.2: the time (months) of the at-risk count.
AT_RISK_MONTHS = 12.0
#: Exercise 05.3: the landmark (months).
LANDMARK_MONTHS = 6.0


@register("05.1", kind="number", tol=0.005,
          hint="Walk down the OS event table: at each death time multiply by (1 - d/n), where n counts the "
               "patients still followed at that time (censored ones leave after their time).")
def _km_by_hand() -> float:
    from helpers import survival as sv
    tab = sv.km_table(sv.os_table())
    deaths = tab[tab["n_event"] > 0]
    return float(deaths["survival"].iloc[KM_BY_HAND_EVENTS - 1])


@register("05.2", kind="integer",
          hint="lifelines' add_at_risk_counts counts the patients whose OS time is strictly greater than "
               "the tick (time > t).")
def _at_risk_12() -> int:
    from helpers import survival as sv
    return int(sv.at_risk_table(sv.os_table(), [AT_RISK_MONTHS])["at_risk"].iloc[0])


@register("05.3", kind="integer",
          hint="A patient is dropped when their OS time (death or last contact) is at or before the landmark.")
def _landmark_drops() -> int:
    from helpers import survival as sv
    return int(sv.landmark_table(landmark_days=LANDMARK_MONTHS * sv.DAYS_PER_MONTH).attrs["n_dropped"])


@register("05.4", kind="bool",
          hint="Compute km_median(os_table(), conf_type='log'): is the upper limit a finite number?")
def _log_upper_finite() -> bool:
    import math

    from helpers import survival as sv
    return math.isfinite(sv.km_median(sv.os_table(), conf_type="log").upper)
