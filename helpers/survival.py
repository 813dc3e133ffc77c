"""Survival analysis for the everolimus cohort: endpoint tables, Kaplan-Meier wrappers, follow-up,
landmark analysis.

Endpoints as Zent et al. (Cancer 2010;116:2201-7, Methods, "Statistical Analysis") define them:

* overall survival (OS): registration to death from any cause; alive patients censored at the
  last follow-up (``last_contact_day``);
* progression-free survival (PFS): registration to progression or death from any cause,
  whichever comes first; else censored at the last follow-up;
* duration of response: the day a response was first documented to the earliest documented
  progression; else censored at the last follow-up (a death without progression is censored:
  the paper's definition counts progression only).

Times are in days from registration (day 0); months = days / (365.25 / 12).

This module merges the cohort branch's first versions of ``os_table``, ``pfs_table``,
``response_duration_table`` and ``km_median`` (used by :mod:`helpers.fidelity`) into one
implementation each: ``km_median(durations, events)`` still unpacks as ``median, lower, upper``.

Kaplan-Meier figures are computed from lifelines' event table (``KaplanMeierFitter``) with the
Greenwood variance written out here, so the confidence band can use any of the three transforms
R's ``survfit`` offers (``conf.type``):

* ``"log-log"``: lifelines' only band ("exponential Greenwood"; Kalbfleisch & Prentice,
  *The Statistical Analysis of Failure Time Data*, Wiley 2002) and R's ``conf.type="log-log"``;
* ``"log"``: R's default (``conf.type="log"``), symmetric on the log-survival scale;
* ``"plain"``: the untransformed Greenwood interval S +/- z SE(S), clipped to [0, 1].

Greenwood M. *Reports on Public Health and Medical Subjects* 1926;33 (the variance); Brookmeyer R,
Crowley J. *Biometrics* 1982;38:29-41 (a median's CI read off the bands); Schemper M, Smith TL.
*Control Clin Trials* 1996;17:343-346 (reverse Kaplan-Meier follow-up); Anderson JR, Cain KC,
Gelber RD. *J Clin Oncol* 1983;1:710-719 (landmark analysis of survival by response).

For teaching only: nothing here is meant for clinical decisions. The patient rows are a
reconstructed, synthetic cohort.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.data import DAYS_PER_MONTH  # 365.25 / 12, one definition for the collection
CONF_TYPES = ("log-log", "log", "plain")
AT_RISK_CONVENTIONS = ("gt", "ge")
LANDMARK_BY = ("response", "mobilized")
ENDPOINTS = ("os", "pfs")
MEDIAN_TIES = ("first", "midpoint")


# ---------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------

def _check_choice(field: str, value: Any, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{field}={value!r} is not allowed; allowed values: {', '.join(map(repr, allowed))}")


def _check_alpha(alpha: float) -> float:
    if not (isinstance(alpha, (int, float)) and 0 < float(alpha) < 1):
        raise ValueError(f"alpha={alpha!r} is not allowed; it must be a number strictly between 0 and 1 (0.05 for a 95% CI)")
    return float(alpha)


def _as_arrays(durations: Any, events: Any = None, time_col: str = "time_months") -> tuple[np.ndarray, np.ndarray]:
    """Accept either (durations, events) or one endpoint table (``time_col`` and ``event`` columns)."""
    if isinstance(durations, pd.DataFrame):
        table = durations
        for col in (time_col, "event"):
            if col not in table.columns:
                raise ValueError(f"survival table has no column {col!r}; columns present: {list(table.columns)}")
        durations, events = table[time_col], table["event"]
    t = np.asarray(pd.to_numeric(pd.Series(durations), errors="coerce"), dtype=float)
    if events is None:
        e = np.ones_like(t, dtype=bool)
    else:
        ev = pd.Series(events)
        bad = ev[~ev.isin([0, 1, True, False])]
        if len(bad):
            raise ValueError(f"events contains {bad.iloc[0]!r} at position {bad.index[0]}; allowed: True/False or 1/0")
        e = ev.astype(bool).to_numpy()
    if t.ndim != 1 or len(t) == 0:
        raise ValueError(f"durations has {t.size} values; at least one duration is needed")
    if len(e) != len(t):
        raise ValueError(f"events has {len(e)} values but durations has {len(t)}; they must have the same length")
    if np.isnan(t).any():
        i = int(np.flatnonzero(np.isnan(t))[0])
        raise ValueError(f"durations[{i}] is missing or not a number; every duration must be a number >= 0")
    if (t < 0).any():
        i = int(np.flatnonzero(t < 0)[0])
        raise ValueError(f"durations[{i}]={t[i]!r} is negative; durations are times >= 0 from registration")
    return t, e


# ---------------------------------------------------------------------------------------------
# endpoint tables, as the paper defines them
# ---------------------------------------------------------------------------------------------

def _patients(patients: pd.DataFrame | None) -> pd.DataFrame:
    if patients is None:
        from helpers.data import load_patients
        patients = load_patients()
    needed = ("patient_id", "death_day", "progression_day", "last_contact_day")
    missing = [c for c in needed if c not in patients.columns]
    if missing:
        raise ValueError(f"patients table lacks column(s) {missing}; needed: {list(needed)}")
    return patients


def _day(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def _endpoint_frame(patients: pd.DataFrame, time_days: pd.Series, event: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({
        "patient_id": patients["patient_id"].astype(str).to_numpy(),
        "time_days": time_days.to_numpy(dtype=float),
        "event": event.to_numpy(dtype=bool),
    })
    out["time_months"] = out["time_days"] / DAYS_PER_MONTH
    bad = out[out["time_days"].isna() | (out["time_days"] < 0)]
    if len(bad):
        row = bad.iloc[0]
        raise ValueError(f"patient {row.patient_id}: time_days={row.time_days!r}; needs a last_contact_day >= 0")
    return out[["patient_id", "time_days", "time_months", "event"]]


def os_table(patients: pd.DataFrame | None = None) -> pd.DataFrame:
    """Overall survival, one row per patient: ``patient_id, time_days, time_months, event``.

    Event = death from any cause (``death_day``); otherwise censored at ``last_contact_day``.
    Times in days (and months = days / (365.25/12)) from registration.
    """
    p = _patients(patients)
    death = _day(p["death_day"])
    time = death.where(death.notna(), _day(p["last_contact_day"]))
    return _endpoint_frame(p, time, death.notna())


def pfs_table(patients: pd.DataFrame | None = None) -> pd.DataFrame:
    """Progression-free survival, one row per patient: ``patient_id, time_days, time_months, event``.

    Event = documented progression or death from any cause, whichever is first; otherwise
    censored at ``last_contact_day``. Days (and months) from registration.
    """
    p = _patients(patients)
    first = pd.concat([_day(p["progression_day"]), _day(p["death_day"])], axis=1).min(axis=1, skipna=True)
    time = first.where(first.notna(), _day(p["last_contact_day"]))
    return _endpoint_frame(p, time, first.notna())


def response_duration_table(patients: pd.DataFrame | None = None) -> pd.DataFrame:
    """Duration of response, one row per responder (``response_day`` present).

    Columns: ``patient_id, best_response, onset_days, onset_months, time_days, time_months, event``
    where onset = first documented response (days/months from registration) and time = onset to
    the earliest documented progression (event) or to the last follow-up (censored, ``event`` False;
    the paper prints such a duration with a "+"). A death without progression is censored: the
    paper's definition counts progression only.
    """
    p = _patients(patients)
    if "response_day" not in p.columns:
        raise ValueError("patients table lacks column 'response_day'; needed for duration of response")
    r = p[_day(p["response_day"]).notna()].copy()
    onset = _day(r["response_day"])
    prog = _day(r["progression_day"])
    end = prog.where(prog.notna(), _day(r["last_contact_day"]))
    out = pd.DataFrame({
        "patient_id": r["patient_id"].astype(str).to_numpy(),
        "best_response": (r["best_response"].astype(str).to_numpy() if "best_response" in r else None),
        "onset_days": onset.to_numpy(),
        "onset_months": onset.to_numpy() / DAYS_PER_MONTH,
        "time_days": (end - onset).to_numpy(),
        "event": prog.notna().to_numpy(),
    })
    out["time_months"] = out["time_days"] / DAYS_PER_MONTH
    bad = out[out["time_days"] < 0]
    if len(bad):
        row = bad.iloc[0]
        raise ValueError(f"patient {row.patient_id}: response_day after the end of follow-up (duration {row.time_days} days)")
    cols = ["patient_id", "best_response", "onset_days", "onset_months", "time_days", "time_months", "event"]
    return out[cols].sort_values("onset_days", kind="stable").reset_index(drop=True)


def format_duration(months: float, event: bool, digits: int = 1) -> str:
    """A duration as the paper prints it: ``"8.9+"`` when censored."""
    return f"{months:.{digits}f}" + ("" if event else "+")


# ---------------------------------------------------------------------------------------------
# Kaplan-Meier with Greenwood arithmetic
# ---------------------------------------------------------------------------------------------

def _z(alpha: float) -> float:
    return float(norm.ppf(1 - _check_alpha(alpha) / 2))


def _band(surv: np.ndarray, se_log: np.ndarray, conf_type: str, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits for S given SE(log S) = sqrt(Greenwood sum); R survfit_confint's formulas.

    NaN where the transform is undefined (S = 0 for "log"; S = 0 or 1 for "log-log"); the tidy
    table fills those as R prints them (see :func:`km_table`).
    """
    _check_choice("conf_type", conf_type, CONF_TYPES)
    s = np.asarray(surv, dtype=float)
    se = np.asarray(se_log, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * se * s
            lower, upper = np.clip(s - half, 0, 1), np.clip(s + half, 0, 1)
        elif conf_type == "log":
            xx = np.where(s > 0, s, np.nan)
            lower = np.exp(np.log(xx) - z * se)
            upper = np.minimum(np.exp(np.log(xx) + z * se), 1.0)
        else:  # log-log
            xx = np.where((s > 0) & (s < 1), s, np.nan)
            k = z * se / np.log(xx)
            lower = np.exp(-np.exp(np.log(-np.log(xx)) - k))
            upper = np.exp(-np.exp(np.log(-np.log(xx)) + k))
    return lower, upper


def _event_counts(t: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct times (0 always included, as in lifelines' event table), number at risk (time >= t),
    events and censorings at each time."""
    times = np.unique(np.concatenate([[0.0], t]))
    at = t[None, :] == times[:, None]
    n_risk = (t[None, :] >= times[:, None]).sum(axis=1)
    n_event = (at & e[None, :]).sum(axis=1)
    n_censor = (at & ~e[None, :]).sum(axis=1)
    return times, n_risk, n_event, n_censor


def logrank_p(durations: Any, groups: Any, events: Any) -> float:
    """P-value of the k-group log-rank test (chi-square, k-1 df); NaN with fewer than two groups.

    Standard O - E statistic with the hypergeometric variance (as lifelines'
    ``multivariate_logrank_test``; a test checks they agree). Written in NumPy for speed.
    """
    from scipy.stats import chi2

    t, e = _as_arrays(durations, events)
    g = np.asarray(pd.Series(list(groups)).astype(str))
    labels = np.unique(g)
    k = len(labels)
    if k < 2:
        return math.nan
    times = np.unique(t[e])
    at_risk = (t[None, :] >= times[:, None]).astype(float)       # (times, patients)
    dies = ((t[None, :] == times[:, None]) & e[None, :]).astype(float)
    member = (g[None, :] == labels[:, None]).astype(float)        # (groups, patients)
    n_g = at_risk @ member.T                                      # (times, groups)
    d_g = dies @ member.T
    n = n_g.sum(axis=1)
    d = d_g.sum(axis=1)
    oe = (d_g - n_g * (d / n)[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, d * (n - d) / (n - 1), 0.0) / n ** 2
    v = np.zeros((k, k))
    for j in range(len(times)):
        v += factor[j] * (np.diag(n_g[j]) * n[j] - np.outer(n_g[j], n_g[j]))
    stat = float(oe[:-1] @ np.linalg.pinv(v[:-1, :-1]) @ oe[:-1])
    return float(chi2.sf(stat, k - 1))


def km_table(durations: Any, events: Any = None, *, conf_type: str = "log-log", alpha: float = 0.05,
             time_col: str = "time_months") -> pd.DataFrame:
    """The Kaplan-Meier estimate at every distinct observed time, as a tidy frame.

    ``durations`` is an array of times (any unit; output times are in the same unit) with
    ``events`` (True = event, False = censored), or an endpoint table from :func:`os_table` /
    :func:`pfs_table` (then ``time_col`` is used, months by default).

    Columns: ``time, n_risk`` (time >= t), ``n_event, n_censor, survival`` (S(t), product of
    1 - d/n), ``greenwood`` (the sum of d/(n(n-d)), i.e. Var(log S)), ``std_err`` (SE of S =
    S*sqrt(greenwood)), ``lower, upper`` (the band for ``conf_type``). The first row is time 0
    with S = 1. Where S = 1 the band is [1, 1]; where a transform is undefined (S = 0) the band
    is NaN, as R prints NA. The counts are those of lifelines' ``KaplanMeierFitter.event_table``
    (computed here with NumPy for speed; a test checks they agree).
    """
    _check_choice("conf_type", conf_type, CONF_TYPES)
    z = _z(alpha)
    t, e = _as_arrays(durations, events, time_col)
    times, n_risk, n_event, n_censor = _event_counts(t, e)
    n = n_risk.astype(float)
    d = n_event.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - d / n)
        terms = np.where(d > 0, d / (n * (n - d)), 0.0)
    terms = np.where(np.isinf(terms), np.nan, terms)  # n == d: S drops to 0, variance undefined
    greenwood = np.cumsum(terms)
    lower, upper = _band(surv, np.sqrt(greenwood), conf_type, z)
    one = surv >= 1.0
    lower = np.where(one, 1.0, lower)
    upper = np.where(one, 1.0, upper)
    out = pd.DataFrame({
        "time": times,
        "n_risk": n_risk,
        "n_event": n_event,
        "n_censor": n_censor,
        "survival": surv,
        "greenwood": greenwood,
        "std_err": surv * np.sqrt(greenwood),
        "lower": lower,
        "upper": upper,
    })
    if out["time"].iloc[0] > 0:  # lifelines starts at 0 already; keep the guarantee explicit
        out = pd.concat([pd.DataFrame([{"time": 0.0, "n_risk": len(t), "n_event": 0, "n_censor": 0, "survival": 1.0,
                                        "greenwood": 0.0, "std_err": 0.0, "lower": 1.0, "upper": 1.0}]), out],
                        ignore_index=True)
    out.attrs.update(conf_type=conf_type, alpha=alpha)
    return out


def _step_value(table: pd.DataFrame, column: str, times: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(table["time"].to_numpy(), times, side="right") - 1
    values = table[column].to_numpy(dtype=float)
    return np.where(idx >= 0, values[np.clip(idx, 0, None)], np.nan)


def _first_crossing(times: np.ndarray, curve: np.ndarray, p: float, tie: str) -> float:
    """First time the step curve is <= p (math.inf if never). ``tie="midpoint"``: where the curve
    sits exactly at p, the midpoint between that time and the next time the curve changes (R)."""
    ok = ~np.isnan(curve)
    tt, cc = times[ok], curve[ok]
    hits = np.flatnonzero(cc <= p + 1e-12)
    if len(hits) == 0:
        return math.inf
    i = int(hits[0])
    if tie == "midpoint" and abs(cc[i] - p) < 1e-8:
        later = np.flatnonzero(cc[i + 1:] < cc[i] - 1e-12)
        if len(later):
            return float((tt[i] + tt[i + 1 + int(later[0])]) / 2)
        return float(tt[i])  # R: flat at p until the end -> the first time
    return float(tt[i])


class MedianCI(NamedTuple):
    """A median survival time with its confidence interval (unpacks as ``median, lower, upper``).
    ``math.inf`` = not reached."""

    median: float
    lower: float
    upper: float

    def format(self, digits: int = 1) -> str:
        """``"10.5 (4.9-20.7)"``; a limit not reached prints as ``NR``."""
        def f(x: float) -> str:
            return "NR" if not math.isfinite(x) else f"{x:.{digits}f}"
        return f"{f(self.median)} ({f(self.lower)}-{f(self.upper)})"


def km_median(durations: Any, events: Any = None, *, conf_type: str = "log-log", alpha: float = 0.05,
              tie: str = "first", time_col: str = "time_months") -> MedianCI:
    """Median survival and its confidence interval, read off the curve and the bands.

    The median is the first time S(t) <= 0.5; the lower (upper) limit is the first time the
    lower (upper) band is <= 0.5 (Brookmeyer & Crowley 1982). With ``conf_type="log-log"`` and
    ``tie="first"`` this equals lifelines' ``median_survival_time_`` and
    ``median_survival_times(kmf.confidence_interval_)``, except where the curve drops to 0
    (lifelines fills its band with 0 there and reports that time; R's band is NA there and so is
    ours, giving "not reached"). ``tie="midpoint"`` follows R's
    ``quantile.survfit``: where a curve sits exactly at 0.5, the midpoint to the next drop.
    A limit the curve never reaches is ``math.inf`` ("not reached"). Units as the input
    (months for an endpoint table).
    """
    _check_choice("tie", tie, MEDIAN_TIES)
    tab = km_table(durations, events, conf_type=conf_type, alpha=alpha, time_col=time_col)
    times = tab["time"].to_numpy()
    return MedianCI(
        _first_crossing(times, tab["survival"].to_numpy(), 0.5, tie),
        _first_crossing(times, tab["lower"].to_numpy(), 0.5, tie),
        _first_crossing(times, tab["upper"].to_numpy(), 0.5, tie),
    )


def median_table(tables: dict[str, pd.DataFrame], *, conf_types: Iterable[str] = ("log-log",),
                 alpha: float = 0.05) -> pd.DataFrame:
    """Tidy medians: one row per (endpoint, conf_type) with ``n, events, median, lower, upper, text``.

    ``tables`` maps a name (e.g. ``"OS"``) to an endpoint table; times in months.
    """
    rows = []
    for name, tab in tables.items():
        t, e = _as_arrays(tab)
        for ct in conf_types:
            m = km_median(t, e, conf_type=ct, alpha=alpha)
            rows.append({"endpoint": name, "conf_type": ct, "n": len(t), "events": int(e.sum()),
                         "median": m.median, "lower": m.lower, "upper": m.upper, "text": m.format()})
    return pd.DataFrame(rows)


def survival_at(durations: Any, times: Iterable[float], events: Any = None, *, conf_type: str = "log-log",
                alpha: float = 0.05, time_col: str = "time_months") -> pd.DataFrame:
    """S(t) with its band at chosen times (same unit as the durations): ``time, survival, lower,
    upper, n_risk`` (n_risk = number with time >= t). Times beyond the last observation give NaN."""
    tab = km_table(durations, events, conf_type=conf_type, alpha=alpha, time_col=time_col)
    t, _ = _as_arrays(durations, events, time_col)
    q = np.asarray(list(times), dtype=float)
    if np.isnan(q).any() or (q < 0).any():
        raise ValueError(f"times={list(q)} must all be numbers >= 0")
    out = pd.DataFrame({"time": q})
    for col in ("survival", "lower", "upper"):
        out[col] = _step_value(tab, col, q)
    beyond = q > t.max()
    out.loc[beyond, ["survival", "lower", "upper"]] = np.nan
    out["n_risk"] = [int((t >= x).sum()) for x in q]
    return out


def at_risk_table(durations: Any, times: Iterable[float], events: Any = None, *, convention: str = "gt",
                  time_col: str = "time_months") -> pd.DataFrame:
    """Numbers at risk, censored and with an event at chosen times: ``time, at_risk, censored, events``.

    ``convention="gt"`` (default) is what lifelines' ``add_at_risk_counts`` prints by default
    (lifelines 0.30.3, ``plotting.py``: it subtracts ``removed`` from ``at_risk`` at the last
    event-table time <= t): at_risk = number with time **> t**; censored and events = cumulative
    counts with time <= t (so the three add up to n).
    ``convention="ge"``: at_risk = number with time **>= t** (R's ``n.risk``, ``survminer``); censored
    and events = cumulative counts with time < t. The two differ only at a tick that equals an
    observed time.
    """
    _check_choice("convention", convention, AT_RISK_CONVENTIONS)
    t, e = _as_arrays(durations, events, time_col)
    rows = []
    for x in times:
        x = float(x)
        if math.isnan(x):
            raise ValueError("times contains NaN; at-risk times must be numbers")
        past = (t <= x) if convention == "gt" else (t < x)
        rows.append({"time": x, "at_risk": int((~past).sum()), "censored": int((past & ~e).sum()),
                     "events": int((past & e).sum())})
    return pd.DataFrame(rows, columns=["time", "at_risk", "censored", "events"])


def kmf(durations: Any, events: Any = None, *, label: str | None = None, alpha: float = 0.05,
        time_col: str = "time_months"):
    """A fitted lifelines ``KaplanMeierFitter`` (log-log bands) for an endpoint table or arrays."""
    from lifelines import KaplanMeierFitter
    t, e = _as_arrays(durations, events, time_col)
    return KaplanMeierFitter(alpha=_check_alpha(alpha)).fit(t, e, label=label)


# ---------------------------------------------------------------------------------------------
# follow-up
# ---------------------------------------------------------------------------------------------

def _cutoff_day(patients: pd.DataFrame, study: dict | None) -> pd.Series:
    """Days from each patient's registration to the data cut-off (``study["data_cutoff"]``)."""
    if study is None:
        from helpers.data import load_study
        study = load_study()
    if "data_cutoff" not in study:
        raise ValueError(f"study has no 'data_cutoff'; keys present: {sorted(study)}")
    if "registration_date" not in patients.columns:
        raise ValueError("patients table lacks column 'registration_date'; needed for follow-up to the data cut-off")
    cutoff = pd.Timestamp(study["data_cutoff"])
    reg = pd.to_datetime(patients["registration_date"])
    days = (cutoff - reg).dt.days.astype(float)
    days.index = patients.index
    return days


def reverse_km_table(patients: pd.DataFrame | None = None, study: dict | None = None, *,
                     end: str = "cutoff") -> pd.DataFrame:
    """Follow-up time table for the reverse Kaplan-Meier method (Schemper & Smith 1996).

    The roles are swapped: a death *censors* follow-up; a patient alive at the end is a follow-up
    "event". ``end="cutoff"`` (default): an alive patient's follow-up runs from registration to the
    data cut-off of ``study.csv`` (the contract states alive patients were alive at the cut-off),
    so the method estimates the median *potential* follow-up. ``end="last_contact"``: the alive
    patient's last contact instead (the classic textbook form).
    Columns: ``patient_id, time_days, time_months, event`` (event = alive at the end of follow-up).
    """
    _check_choice("end", end, ("cutoff", "last_contact"))
    p = _patients(patients)
    death = _day(p["death_day"])
    alive = death.isna()
    if end == "cutoff":
        cutoff = _cutoff_day(p, study)
        last = _day(p["last_contact_day"])
        late = alive & (last > cutoff)
        if late.any():
            pid = p.loc[late, "patient_id"].iloc[0]
            raise ValueError(f"patient {pid}: last_contact_day is after the data cut-off; every contact must be on or before it")
        follow = cutoff.where(alive, death)
    else:
        follow = _day(p["last_contact_day"]).where(alive, death)
    return _endpoint_frame(p, follow, alive)


def follow_up_summary(patients: pd.DataFrame | None = None, study: dict | None = None) -> pd.DataFrame:
    """Ways to summarise follow-up, in months: ``method, n, median, low, high, note``.

    * ``alive, last contact``: the paper's "median follow-up for patients still alive" (median
      and range of the last contact of the patients without a death);
    * ``reverse KM (cut-off)`` and ``reverse KM (last contact)``: :func:`reverse_km_table`, median
      with its 95% log-log CI;
    * ``potential (cut-off), all``: median and range of registration -> data cut-off, all patients.
    """
    p = _patients(patients)
    alive = _day(p["death_day"]).isna()
    last_alive = _day(p.loc[alive, "last_contact_day"]) / DAYS_PER_MONTH
    rows = [{"method": "alive, last contact", "n": int(alive.sum()), "median": float(last_alive.median()),
             "low": float(last_alive.min()), "high": float(last_alive.max()), "note": "median (range)"}]
    for end, label in (("cutoff", "reverse KM (cut-off)"), ("last_contact", "reverse KM (last contact)")):
        m = km_median(reverse_km_table(p, study, end=end))
        rows.append({"method": label, "n": len(p), "median": m.median, "low": m.lower, "high": m.upper,
                     "note": "median (95% CI, log-log)"})
    pot = _cutoff_day(p, study) / DAYS_PER_MONTH
    rows.append({"method": "potential (cut-off), all", "n": len(p), "median": float(pot.median()),
                 "low": float(pot.min()), "high": float(pot.max()), "note": "median (range)"})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# landmark analysis (the responder trap)
# ---------------------------------------------------------------------------------------------

def mobilization_days(patients: pd.DataFrame | None = None, nodes: pd.DataFrame | None = None) -> pd.Series:
    """Day the mobilization was documented, per mobilized patient (NaN for the others).

    Our reading (the paper gives no per-patient day): the day of the maximum node decrease, i.e.
    the smallest node burden (sum over sites of length x width, cm^2) after day 0, as the data
    contract defines it; the paper reports it at a median of 43 days (range 29-242). Index:
    ``patient_id``. If the patients table carries a ``mobilization_day`` column, that is used.
    """
    p = _patients(patients)
    if "mobilized" not in p.columns:
        raise ValueError("patients table lacks column 'mobilized'")
    ids = p["patient_id"].astype(str)
    if "mobilization_day" in p.columns:
        return pd.Series(_day(p["mobilization_day"]).to_numpy(), index=ids.to_numpy(), name="mobilization_day")
    if nodes is None:
        from helpers.data import load_nodes
        nodes = load_nodes()
    from helpers.data import node_burden
    burden = node_burden(nodes).rename(columns={"node_spd_cm2": "spd"})
    burden = burden[burden["day"].astype(float) > 0]
    # first day with the smallest burden after day 0
    best = burden.sort_values(["patient_id", "spd", "day"]).groupby("patient_id", observed=True).head(1)
    day_of = dict(zip(best["patient_id"].astype(str), best["day"].astype(float)))
    mob = p["mobilized"].astype(bool).to_numpy()
    values = [day_of.get(pid, np.nan) if m else np.nan for pid, m in zip(ids, mob)]
    return pd.Series(values, index=ids.to_numpy(), name="mobilization_day")


def _status_days(p: pd.DataFrame, by: str, nodes: pd.DataFrame | None) -> pd.Series:
    if by == "response":
        if "response_day" not in p.columns:
            raise ValueError("patients table lacks column 'response_day'")
        return pd.Series(_day(p["response_day"]).to_numpy(), index=p["patient_id"].astype(str).to_numpy())
    return mobilization_days(p, nodes)


GROUP_LABELS = {"response": ("responder", "non-responder"), "mobilized": ("mobilized", "not mobilized")}


def naive_table(patients: pd.DataFrame | None = None, by: str = "response", endpoint: str = "os") -> pd.DataFrame:
    """The biased comparison: OS (or PFS) from registration, grouped by the status a patient
    *eventually* reached (responder = any documented response; mobilized = the paper's flag).

    Columns: ``patient_id, group, time_days, time_months, event``. Responders must survive long
    enough to respond, so they get survival time for free ("immortal time"; Anderson et al. 1983).
    """
    _check_choice("by", by, LANDMARK_BY)
    _check_choice("endpoint", endpoint, ENDPOINTS)
    p = _patients(patients)
    tab = os_table(p) if endpoint == "os" else pfs_table(p)
    yes, no = GROUP_LABELS[by]
    flag = _day(p["response_day"]).notna() if by == "response" else p["mobilized"].astype(bool)
    tab.insert(1, "group", np.where(flag.to_numpy(), yes, no))
    return tab


def landmark_table(patients: pd.DataFrame | None = None, landmark_days: float = 0.0, by: str = "response",
                   endpoint: str = "os", nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Landmark analysis (Anderson, Cain & Gelber 1983): classify at the landmark, count from it.

    Every patient gets a row: ``patient_id, included, drop_reason, group, status_day, time_days,
    time_months, event``. A patient is *included* when still under follow-up and event-free at the
    landmark (endpoint time > landmark); the others are dropped with the reason (``"event before
    landmark"`` or ``"censored before landmark"``). The group is the status *known at the
    landmark*: responder if a response was documented on or before the landmark day (``by=
    "response"``), mobilized if the mobilization was documented on or before it (``by=
    "mobilized"``, see :func:`mobilization_days`). Time runs from the landmark (days, months).

    ``landmark_days`` in days from registration (>= 0). A landmark on or beyond the last
    follow-up leaves nobody to analyse: ValueError naming the value and the last follow-up.
    The table's ``attrs`` hold ``landmark_days``, ``by``, ``endpoint`` and ``n_dropped``.
    """
    _check_choice("by", by, LANDMARK_BY)
    _check_choice("endpoint", endpoint, ENDPOINTS)
    try:
        lm = float(landmark_days)
    except (TypeError, ValueError):
        raise ValueError(f"landmark_days={landmark_days!r} is not a number; give days from registration >= 0") from None
    if not math.isfinite(lm) or lm < 0:
        raise ValueError(f"landmark_days={landmark_days!r} is not allowed; give days from registration >= 0")
    p = _patients(patients)
    tab = os_table(p) if endpoint == "os" else pfs_table(p)
    last = float(tab["time_days"].max())
    if lm >= last:
        raise ValueError(
            f"landmark_days={lm:g} ({lm / DAYS_PER_MONTH:.1f} months) is at or beyond the last follow-up "
            f"({last:g} days = {last / DAYS_PER_MONTH:.1f} months): no patient is left to analyse; "
            f"choose a landmark below {last / DAYS_PER_MONTH:.1f} months")
    status = _status_days(p, by, nodes).reindex(tab["patient_id"]).to_numpy()
    included = tab["time_days"].to_numpy() > lm
    reason = np.where(included, "", np.where(tab["event"].to_numpy(), "event before landmark", "censored before landmark"))
    yes, no = GROUP_LABELS[by]
    known = ~np.isnan(status) & (status <= lm)
    group = np.where(included, np.where(known, yes, no), None)
    out = pd.DataFrame({
        "patient_id": tab["patient_id"], "included": included, "drop_reason": reason, "group": group,
        "status_day": status, "time_days": np.where(included, tab["time_days"] - lm, np.nan),
        "event": tab["event"] & included,
    })
    out["time_months"] = out["time_days"] / DAYS_PER_MONTH
    out = out[["patient_id", "included", "drop_reason", "group", "status_day", "time_days", "time_months", "event"]]
    out.attrs.update(landmark_days=lm, by=by, endpoint=endpoint, n_dropped=int((~included).sum()))
    return out


def group_summary(table: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Per group of a :func:`naive_table` or :func:`landmark_table`: ``group, n, events, median,
    lower, upper, text`` (months; log-log CI), plus the log-rank p-value across groups in
    ``attrs["logrank_p"]`` (NaN with fewer than two non-empty groups)."""
    tab = table[table["included"]] if "included" in table.columns else table
    rows = []
    for g, sub in tab.groupby("group", sort=True):
        m = km_median(sub, alpha=alpha)
        rows.append({"group": g, "n": len(sub), "events": int(sub["event"].sum()), "median": m.median,
                     "lower": m.lower, "upper": m.upper, "text": m.format()})
    out = pd.DataFrame(rows, columns=["group", "n", "events", "median", "lower", "upper", "text"])
    out.attrs["logrank_p"] = logrank_p(tab["time_months"], tab["group"], tab["event"]) if len(out) >= 2 else math.nan
    return out


@dataclass(frozen=True)
class LandmarkView:
    """Everything the landmark explorer shows for one setting (pure; built by :func:`landmark_view`)."""

    landmark_months: float
    by: str
    table: pd.DataFrame | None
    summary: pd.DataFrame | None
    n_dropped: int
    message: str
    error: str | None = None


def landmark_view(patients: pd.DataFrame | None = None, landmark_months: float = 6.0, by: str = "response",
                  endpoint: str = "os", nodes: pd.DataFrame | None = None) -> LandmarkView:
    """Landmark table, per-group summary and a one-paragraph message for a landmark in months.

    A bad landmark (beyond the last follow-up, negative) does not raise: the view carries the
    ValueError's text in ``error`` and ``message`` so a widget can show it.
    """
    try:
        try:
            lm_days = float(landmark_months) * DAYS_PER_MONTH
        except (TypeError, ValueError):
            raise ValueError(f"landmark_months={landmark_months!r} is not a number; give months >= 0") from None
        tab = landmark_table(patients, lm_days, by=by, endpoint=endpoint, nodes=nodes)
    except ValueError as exc:
        return LandmarkView(float(landmark_months) if isinstance(landmark_months, (int, float)) else math.nan,
                            by, None, None, 0, f"Cannot analyse this landmark: {exc}", str(exc))
    summ = group_summary(tab)
    reasons = tab.loc[~tab["included"], "drop_reason"].value_counts()
    dropped = ", ".join(f"{n} {r}" for r, n in reasons.items()) or "none"
    groups = "; ".join(f"{r.group}: n={r.n}, events {r.events}, median {r.text} months" for r in summ.itertuples())
    p = summ.attrs["logrank_p"]
    ptxt = f"log-rank p = {p:.3f}" if math.isfinite(p) else "log-rank test needs two groups"
    msg = (f"Landmark {float(landmark_months):.1f} months: {tab.attrs['n_dropped']} of {len(tab)} patients dropped "
           f"({dropped}). From the landmark: {groups}. {ptxt}.")
    return LandmarkView(float(landmark_months), by, tab, summ, tab.attrs["n_dropped"], msg)


def last_follow_up_months(patients: pd.DataFrame | None = None, endpoint: str = "os") -> float:
    """The longest follow-up (months) of the endpoint: the largest usable landmark is below it."""
    _check_choice("endpoint", endpoint, ENDPOINTS)
    p = _patients(patients)
    tab = os_table(p) if endpoint == "os" else pfs_table(p)
    return float(tab["time_months"].max())


def registration_cutoff_days(patients: pd.DataFrame | None = None, study: dict | None = None) -> pd.Series:
    """Days from each registration to the data cut-off (index ``patient_id``)."""
    p = _patients(patients)
    s = _cutoff_day(p, study)
    s.index = p["patient_id"].astype(str).to_numpy()
    return s


__all__ = [
    "DAYS_PER_MONTH", "CONF_TYPES", "MedianCI", "LandmarkView",
    "os_table", "pfs_table", "response_duration_table", "format_duration",
    "km_table", "km_median", "logrank_p", "median_table", "survival_at", "at_risk_table", "kmf",
    "reverse_km_table", "follow_up_summary", "registration_cutoff_days",
    "mobilization_days", "naive_table", "landmark_table", "group_summary", "landmark_view",
    "last_follow_up_months",
]
