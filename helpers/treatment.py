"""Treatment rules of Zent et al. (Cancer 2010;116:2201-7): retreatment, dose ladder, dose
intensity and the restaging calendar.

The Methods' rules, as code:

* **Cycle**: everolimus 10 mg by mouth daily; 4 weeks (28 days) = 1 cycle.
* **Retreatment** (checked before each cycle): platelets >= 40 x10^9/L, ANC >= 1 x10^9/L and no
  grade 3 or 4 non-hematologic toxicity (NCI Common Toxicity Criteria v3.0) -> the next cycle at
  full dose. Otherwise treatment is held until recovery, then the dose steps down:
  10 mg daily -> 5 mg daily -> 5 mg every other day -> 5 mg every third day.
* **Restaging** after cycles 2 and 6 (paper); "then every 3 cycles" is the data contract's
  reading of the later visits (:data:`RESTAGING_SOURCE`), not a sentence of the paper.

Readings we had to choose (the paper does not spell them out), each stated where it is used:

1. "Full dose" after a reduction = the patient's current step: the Methods describe no
   re-escalation, so a patient who recovers stays on the reduced dose.
2. A patient who fails the retreatment criteria while already on the last step (5 mg every
   third day) has no step left and goes off study for toxicity.
3. Missing pre-cycle counts: the decision waits for them (a delay without a reduction); the
   paper records one delay "because of a delay in getting laboratory results".
4. Milligrams per 28-day cycle count whole doses taken on days 1, 1+k, 1+2k, ... <= 28:
   10 mg daily 280 mg, 5 mg daily 140 mg, every other day 14 doses = 70 mg, every third day
   10 doses = 50 mg.

Units: counts x10^9/L, days from registration. For teaching only, not for treating patients.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# Attributions that make an adverse event a *toxicity* in the paper ("possibly, probably, or
# definitely related to study treatment", Methods): one definition, in helpers.data.
from helpers.data import RELATED

CYCLE_DAYS = 28

#: Retreatment thresholds (Methods). Toxicity grades: NCI Common Toxicity Criteria v3.0.
RETREATMENT = {
    "plt_min": 40.0,   # x10^9/L, platelets >= this
    "anc_min": 1.0,    # x10^9/L, ANC >= this
    "blocking_nonhematologic_grades": (3, 4),
}
RETREATMENT_SOURCE = ("Zent et al. 2010, Methods: \u201cIf the platelet count was \u226540 \u00d7 10^9/L, "
                      "ANC was \u22651 \u00d7 10^9/L, and there were no grade 3 or 4 nonhematological "
                      "toxicities\u201d (NCI CTC v3.0)")


@dataclass(frozen=True)
class DoseLevel:
    """One step of the dose ladder: ``mg`` every ``every_days`` days (level 0 = full dose)."""

    level: int
    label: str
    mg: float
    every_days: int

    def doses_per_cycle(self, cycle_days: int = CYCLE_DAYS) -> int:
        """Whole doses on days 1, 1+k, 1+2k, ... <= cycle_days (reading 4)."""
        return math.ceil(cycle_days / self.every_days)

    def mg_per_cycle(self, cycle_days: int = CYCLE_DAYS) -> float:
        """Milligrams in one cycle of ``cycle_days`` days at this level."""
        return self.mg * self.doses_per_cycle(cycle_days)


DOSE_LADDER: tuple[DoseLevel, ...] = (
    DoseLevel(0, "10 mg daily", 10.0, 1),
    DoseLevel(1, "5 mg daily", 5.0, 1),
    DoseLevel(2, "5 mg every other day", 5.0, 2),
    DoseLevel(3, "5 mg every third day", 5.0, 3),
)
FULL_DOSE = DOSE_LADDER[0]
DOSE_LABELS = tuple(d.label for d in DOSE_LADDER)

#: Restaging calendar: the paper gives cycles 2 and 6; "then every 3 cycles" is the reading of
#: the collection's data contract (unverified against the protocol).
RESTAGING_SOURCE = {"after cycles 2 and 6": "Zent et al. 2010, Methods (verified)",
                    "then every 3 cycles": "data contract of this collection (verified=False)"}


def dose_ladder_table(cycle_days: int = CYCLE_DAYS) -> pd.DataFrame:
    """The ladder as a table: level, dose, mg per dose, interval, doses and mg per cycle, and the
    fraction of the full dose."""
    full = FULL_DOSE.mg_per_cycle(cycle_days)
    return pd.DataFrame([{
        "level": d.level, "dose": d.label, "mg_per_dose": d.mg, "every_days": d.every_days,
        "doses_per_cycle": d.doses_per_cycle(cycle_days), "mg_per_cycle": d.mg_per_cycle(cycle_days),
        "fraction_of_full": d.mg_per_cycle(cycle_days) / full,
    } for d in DOSE_LADDER])


def dose_level(dose: DoseLevel | str | int) -> DoseLevel:
    """The :class:`DoseLevel` for a label (``"5 mg daily"``), a level (0-3) or a DoseLevel."""
    if isinstance(dose, DoseLevel):
        return dose
    if isinstance(dose, (int, np.integer)) and not isinstance(dose, bool):
        if 0 <= dose < len(DOSE_LADDER):
            return DOSE_LADDER[int(dose)]
        raise ValueError(f"dose level {dose!r}: allowed levels are 0..{len(DOSE_LADDER) - 1}")
    if isinstance(dose, str):
        key = " ".join(dose.strip().lower().split())
        for d in DOSE_LADDER:
            if d.label == key:
                return d
    raise ValueError(f"dose {dose!r}: allowed doses are {', '.join(repr(x) for x in DOSE_LABELS)} "
                     f"(or levels 0..{len(DOSE_LADDER) - 1})")


def next_level(dose: DoseLevel | str | int) -> DoseLevel | None:
    """One step down the ladder; ``None`` below the last step."""
    d = dose_level(dose)
    return DOSE_LADDER[d.level + 1] if d.level + 1 < len(DOSE_LADDER) else None


# --------------------------------------------------------------------------------------------
# Retreatment decision
# --------------------------------------------------------------------------------------------
RETREAT, HOLD_REDUCE, OFF_STUDY, AWAIT_LABS = "retreat", "hold then reduce", "off study (toxicity)", "await labs"
TOXICITY_CATEGORIES = ("hematologic", "nonhematologic")


@dataclass(frozen=True)
class Decision:
    """What the rules prescribe for the next cycle.

    ``action``: ``retreat`` (next cycle now, same dose), ``hold then reduce`` (hold until
    recovery, then one step down), ``off study (toxicity)`` (criteria failed on the last step),
    ``await labs`` (counts missing: delay, no reduction). ``delay`` and ``reduce`` are what
    the data's ``delayed`` / ``reduced`` flags should show.
    """

    action: str
    dose: DoseLevel
    next_dose: DoseLevel | None
    criteria: dict[str, str]
    reasons: tuple[str, ...]

    @property
    def delay(self) -> bool:
        return self.action in (HOLD_REDUCE, AWAIT_LABS)

    @property
    def reduce(self) -> bool:
        return self.action == HOLD_REDUCE

    def __str__(self) -> str:
        nxt = self.next_dose.label if self.next_dose else "none"
        return f"{self.action}: {self.dose.label} -> {nxt} ({'; '.join(self.reasons)})"


def _count(labs: Mapping[str, Any], name: str, units: Mapping[str, str]) -> float | None:
    from helpers.eligibility import _column, _is_missing

    value = labs.get(name)
    if _is_missing(value):
        return None
    return float(_column(name, [value], units.get(name), None)[0])


def _toxicity_rows(toxicities: Any) -> list[dict[str, Any]]:
    if toxicities is None:
        return []
    if isinstance(toxicities, pd.DataFrame):
        return toxicities.to_dict("records")
    if isinstance(toxicities, Mapping):
        return [dict(toxicities)]
    rows = list(toxicities)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"toxicities[{i}] = {row!r}: each toxicity must be a mapping with "
                             "'category' (hematologic / nonhematologic) and 'grade' (1-5)")
    return [dict(r) for r in rows]


def next_cycle_decision(dose: DoseLevel | str | int, labs: Mapping[str, Any],
                        toxicities: Iterable[Mapping[str, Any]] | pd.DataFrame | None = (), *,
                        units: Mapping[str, str] | None = None,
                        plt_min: float = RETREATMENT["plt_min"],
                        anc_min: float = RETREATMENT["anc_min"]) -> Decision:
    """Apply the retreatment rule before the next cycle.

    ``dose``: the current dose (label, level 0-3 or :class:`DoseLevel`).
    ``labs``: the pre-cycle counts, ``{"plt": x10^9/L, "anc": x10^9/L}`` (other units via
    ``units={"anc": "/uL"}``); a missing count leaves its criterion unknown.
    ``toxicities``: the events since the last decision, each a mapping with ``category``
    (``hematologic`` / ``nonhematologic``) and ``grade`` (1-5, NCI CTC v3.0); ``term`` optional.
    Hematologic events act only through the platelet and ANC thresholds.

    Readings (module docstring): the full dose is the current step (no re-escalation); failing
    on the last step = off study for toxicity; missing counts = await labs.
    """
    units = dict(units or {})
    for key in units:
        if key not in ("plt", "anc"):
            raise ValueError(f"units: field {key!r} is not a retreatment count; allowed: plt, anc")
    if isinstance(labs, pd.Series):
        labs = labs.to_dict()
    if not isinstance(labs, Mapping):
        raise ValueError(f"labs must be a mapping with 'plt' and 'anc' (x10^9/L), got {type(labs).__name__}")
    from helpers.eligibility import _check_fields

    for key in labs:
        if key in ("platelets", "platelet", "neutrophils", "neutrophil"):
            raise ValueError(f"labs: field {key!r} is not recognised; allowed: 'plt' and 'anc' (x10^9/L)")
    _check_fields([k for k in labs if isinstance(k, str)], ["plt", "anc"], {})
    for name, value in (("plt_min", plt_min), ("anc_min", anc_min)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not math.isfinite(value) or value < 0:
            raise ValueError(f"threshold {name!r} = {value!r}: must be a finite number >= 0 (x10^9/L)")
    current = dose_level(dose)
    plt = _count(labs, "plt", units)
    anc = _count(labs, "anc", units)
    criteria: dict[str, str] = {}
    reasons: list[str] = []
    if plt is None:
        criteria["plt"] = "unknown"
        reasons.append(f"platelets missing (need >= {plt_min:g} x10^9/L)")
    else:
        criteria["plt"] = "passed" if plt >= plt_min else "failed"
        reasons.append(f"platelets {plt:g} {'>=' if plt >= plt_min else '<'} {plt_min:g} x10^9/L")
    if anc is None:
        criteria["anc"] = "unknown"
        reasons.append(f"ANC missing (need >= {anc_min:g} x10^9/L)")
    else:
        criteria["anc"] = "passed" if anc >= anc_min else "failed"
        reasons.append(f"ANC {anc:g} {'>=' if anc >= anc_min else '<'} {anc_min:g} x10^9/L")
    blocking, deaths = [], []
    for i, tox in enumerate(_toxicity_rows(toxicities)):
        cat, grade = tox.get("category"), tox.get("grade")
        if cat not in TOXICITY_CATEGORIES:
            raise ValueError(f"toxicities[{i}]: category {cat!r} is not allowed; allowed: "
                             f"{', '.join(TOXICITY_CATEGORIES)}")
        if isinstance(grade, bool) or not isinstance(grade, (int, np.integer, float, np.floating)) \
                or grade != int(grade) or not 1 <= grade <= 5:
            raise ValueError(f"toxicities[{i}]: grade {grade!r} is not allowed; allowed: 1-5 (NCI CTC v3.0)")
        term = tox.get("term", cat)
        if cat == "nonhematologic" and int(grade) in RETREATMENT["blocking_nonhematologic_grades"]:
            blocking.append(f"{term} grade {int(grade)}")
        if int(grade) == 5:
            deaths.append(f"{term} grade 5")
    criteria["nonhematologic"] = "failed" if blocking else "passed"
    reasons.append("grade 3-4 non-hematologic toxicity: " + ", ".join(blocking) if blocking
                   else "no grade 3-4 non-hematologic toxicity")
    if deaths:
        return Decision(OFF_STUDY, current, None, criteria, tuple(reasons + [f"{', '.join(deaths)}: death"]))
    if "failed" in criteria.values():
        step = next_level(current)
        if step is None:
            return Decision(OFF_STUDY, current, None, criteria,
                            tuple(reasons + ["criteria failed on the last step (reading 2)"]))
        return Decision(HOLD_REDUCE, current, step, criteria, tuple(reasons))
    if "unknown" in criteria.values():
        return Decision(AWAIT_LABS, current, current, criteria, tuple(reasons))
    return Decision(RETREAT, current, current, criteria, tuple(reasons))


def recovery_day(labs: pd.DataFrame, after_day: int, *, plt_min: float = RETREATMENT["plt_min"],
                 anc_min: float = RETREATMENT["anc_min"]) -> int | None:
    """First day >= ``after_day`` whose counts meet both thresholds (``labs``: columns day,
    plt, anc in x10^9/L, one patient); ``None`` when no later row recovers."""
    for col in ("day", "plt", "anc"):
        if col not in labs.columns:
            raise ValueError(f"labs: column {col!r} is missing; need day, plt, anc")
    rows = labs[(labs["day"] >= after_day) & (labs["plt"] >= plt_min) & (labs["anc"] >= anc_min)]
    return int(rows["day"].min()) if len(rows) else None


# --------------------------------------------------------------------------------------------
# Dose intensity
# --------------------------------------------------------------------------------------------
def dose_intensity(cycles: pd.DataFrame, cycle_days: int = CYCLE_DAYS) -> pd.DataFrame:
    """Dose intensity per patient from one row per patient-cycle (``patient_id``, ``cycle``,
    ``dose`` as a ladder label; ``start_day`` optional).

    Columns: ``cycles``; ``delivered_mg`` (sum of mg per cycle at each cycle's dose);
    ``planned_mg`` (cycles x 280 mg, 10 mg daily); ``relative_dose_intensity`` =
    delivered / planned; ``lowest_dose``; and, when ``start_day`` is present,
    ``mg_per_day_elapsed`` = delivered / days from the first start to the end of the last cycle
    (holds between cycles lower it; the planned value is 10 mg/day). Every cycle received is
    taken as complete (assumption: the rows do not record a stop inside a cycle).
    """
    for col in ("patient_id", "cycle", "dose"):
        if col not in cycles.columns:
            raise ValueError(f"cycles: column {col!r} is missing; need patient_id, cycle, dose")
    if cycle_days <= 0:
        raise ValueError(f"cycle_days = {cycle_days!r}: must be > 0")
    mg = {d.label: d.mg_per_cycle(cycle_days) for d in DOSE_LADDER}
    bad = sorted(set(map(str, cycles["dose"])) - set(mg))
    if bad:
        raise ValueError(f"cycles: dose {bad[0]!r} is not allowed; allowed: {', '.join(DOSE_LABELS)}")
    frame = cycles.copy()
    frame["dose"] = frame["dose"].astype(str)
    frame["mg"] = frame["dose"].map(mg)
    frame["level"] = frame["dose"].map({d.label: d.level for d in DOSE_LADDER})
    rows = []
    for pid, g in frame.sort_values(["patient_id", "cycle"]).groupby("patient_id", sort=True, observed=True):
        delivered = float(g["mg"].sum())
        planned = len(g) * FULL_DOSE.mg_per_cycle(cycle_days)
        row = {"patient_id": pid, "cycles": len(g), "delivered_mg": delivered, "planned_mg": planned,
               "relative_dose_intensity": delivered / planned,
               "lowest_dose": DOSE_LADDER[int(g["level"].max())].label}
        if "start_day" in g.columns:
            elapsed = float(g["start_day"].max() + cycle_days - g["start_day"].min())
            row["mg_per_day_elapsed"] = delivered / elapsed
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Restaging calendar
# --------------------------------------------------------------------------------------------
def restaging_cycles(max_cycle: int = 18) -> tuple[int, ...]:
    """Cycles after which the patient is restaged, up to ``max_cycle``: 2, 6, then every 3
    (9, 12, 15, 18, ...). All from the paper: 2 and 6 in the Methods, and the Discussion's
    "after Cycles 2 and 6 and every 3 cycles thereafter" (``restage_every_cycles``)."""
    if isinstance(max_cycle, bool) or not isinstance(max_cycle, (int, np.integer)) or max_cycle < 0:
        raise ValueError(f"max_cycle = {max_cycle!r}: must be a whole number >= 0")
    out = [c for c in (2, 6) if c <= max_cycle]
    out += list(range(9, int(max_cycle) + 1, 3))
    return tuple(out)


def is_restaging_cycle(cycle: int) -> bool:
    """True when a restaging is due after ``cycle`` (cycle >= 1)."""
    if isinstance(cycle, bool) or not isinstance(cycle, (int, np.integer)) or cycle < 1:
        raise ValueError(f"cycle = {cycle!r}: must be a whole number >= 1")
    return cycle in (2, 6) or (cycle >= 9 and cycle % 3 == 0)


def restaging_calendar(max_cycle: int = 18, cycle_days: int = CYCLE_DAYS) -> pd.DataFrame:
    """Scheduled restagings without delays: after which cycle, and on which day from the start
    (end of that cycle = cycle x 28), with the source of each."""
    return pd.DataFrame([{"after_cycle": c, "scheduled_day": c * cycle_days,
                          "source": "paper (Methods, Discussion)" if c in (2, 6) else "paper (Discussion)"}
                         for c in restaging_cycles(max_cycle)])


# --------------------------------------------------------------------------------------------
# The rules against the recorded cycles
# --------------------------------------------------------------------------------------------


def _truthy(x: Any) -> bool:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return False
    if isinstance(x, str):
        return x.strip().lower() in ("true", "1", "yes")
    return bool(x)


def _reason_text(x: Any) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return ""
    return str(x)


def rules_vs_records(cycles: pd.DataFrame, labs: pd.DataFrame,
                     adverse_events: pd.DataFrame | None = None, *,
                     cycle_days: int = CYCLE_DAYS, related_only: bool = True,
                     toxicity_window: str = "ongoing") -> pd.DataFrame:
    """Apply :func:`next_cycle_decision` before every cycle >= 2 and set it beside the record.

    For cycle c of a patient: the decision point is the scheduled day ``s`` = start of cycle
    c-1 + 28. The counts used are the last labs row in (start of c-1, s]; if there is none, the
    first row in (s, start of c]. Toxicities are the non-hematologic adverse events (with
    ``related_only``, only those at least possibly related: the paper's definition of toxicity)
    that count at the decision, in one of two readings of "there were no grade 3 or 4
    nonhematological toxicities":

    * ``toxicity_window="ongoing"`` (default): the event is still present on the scheduled day
      (onset <= s <= ``end_day``; without an ``end_day`` column or value, onset within cycle c-1):
      the retreatment criteria are assessed at the pre-cycle visit;
    * ``toxicity_window="previous_cycle"``: any onset within cycle c-1 ([start of c-1, s]), even
      if it resolved before the visit.

    The dose the rule starts from is the recorded dose of cycle c-1.

    One row per patient-cycle: ``patient_id, cycle, scheduled_day, start_day, labs_day, plt, anc,
    toxicity, rule_action, rule_delay, rule_reduce, recorded_delayed, delay_reason,
    recorded_reduced, reduction_reason, agree, explanation``. ``explanation`` says why rule and
    record differ (or "agree").
    """
    need = {"cycles": (cycles, ("patient_id", "cycle", "start_day", "dose", "delayed", "reduced")),
            "labs": (labs, ("patient_id", "day", "plt", "anc"))}
    for name, (frame, cols) in need.items():
        for col in cols:
            if col not in frame.columns:
                raise ValueError(f"{name}: column {col!r} is missing; need {', '.join(cols)}")
    if toxicity_window not in ("ongoing", "previous_cycle"):
        raise ValueError(f"toxicity_window = {toxicity_window!r}; allowed: 'ongoing', 'previous_cycle'")
    if adverse_events is not None:
        for col in ("patient_id", "category", "grade", "day"):
            if col not in adverse_events.columns:
                raise ValueError(f"adverse_events: column {col!r} is missing")
    rows = []
    lab_groups: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for pid, g in labs.sort_values(["patient_id", "day"]).groupby(labs["patient_id"].astype(str), observed=True):
        lab_groups[pid] = (g["day"].to_numpy(dtype=float), pd.to_numeric(g["plt"]).to_numpy(dtype=float),
                           pd.to_numeric(g["anc"]).to_numpy(dtype=float))
    ae_groups: dict[str, list[dict[str, Any]]] = {}
    if adverse_events is not None:
        ae = adverse_events
        if related_only and "attribution" in ae.columns:
            ae = ae[ae["attribution"].astype(str).isin(RELATED)]
        ae = ae[ae["category"].astype(str) == "nonhematologic"]
        for rec in ae.to_dict("records"):
            end = rec.get("end_day")
            rec["_end"] = None if end is None or end is pd.NA or (isinstance(end, float) and math.isnan(end)) else end
            ae_groups.setdefault(str(rec["patient_id"]), []).append(rec)
    use_end = toxicity_window == "ongoing" and adverse_events is not None and "end_day" in adverse_events.columns
    empty = (np.array([]), np.array([]), np.array([]))
    records = cycles.sort_values(["patient_id", "cycle"]).to_dict("records")
    by_patient: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_patient.setdefault(str(rec["patient_id"]), []).append(rec)
    for pid in sorted(by_patient):
        g = by_patient[pid]
        days, plts, ancs = lab_groups.get(pid, empty)
        pae = ae_groups.get(pid, [])
        for i in range(1, len(g)):
            prev, cur = g[i - 1], g[i]
            p_start, start = int(prev["start_day"]), int(cur["start_day"])
            sched = p_start + cycle_days
            before = np.flatnonzero((days > p_start) & (days <= sched))
            after = np.flatnonzero((days > sched) & (days <= start))
            k = before[-1] if len(before) else (after[0] if len(after) else None)
            lab_values = {} if k is None else {"plt": float(plts[k]), "anc": float(ancs[k])}
            tox = []
            for t in pae:
                in_cycle = p_start <= t["day"] <= sched
                if use_end:
                    counts = (t["day"] <= sched <= t["_end"]) if t["_end"] is not None else in_cycle
                else:
                    counts = in_cycle
                if counts:
                    tox.append({"term": t.get("term", "event"), "category": "nonhematologic", "grade": int(t["grade"])})
            decision = next_cycle_decision(str(prev["dose"]), lab_values, tox)
            rec_delay, rec_reduce = _truthy(cur["delayed"]), _truthy(cur["reduced"])
            d_reason = _reason_text(cur.get("delay_reason"))
            r_reason = _reason_text(cur.get("reduction_reason"))
            blocking = [f"{t['term']} g{t['grade']}" for t in tox if t["grade"] in (3, 4)]
            rows.append({
                "patient_id": pid, "cycle": int(cur["cycle"]), "scheduled_day": sched, "start_day": start,
                "labs_day": None if k is None else int(days[k]),
                "plt": lab_values.get("plt"), "anc": lab_values.get("anc"),
                "toxicity": ", ".join(blocking),
                "rule_action": decision.action, "rule_delay": decision.delay, "rule_reduce": decision.reduce,
                "recorded_delayed": rec_delay, "delay_reason": d_reason,
                "recorded_reduced": rec_reduce, "reduction_reason": r_reason,
                # a cycle given where the rule says off study is a disagreement, not a match
                "agree": (decision.action != OFF_STUDY and decision.delay == rec_delay
                          and decision.reduce == rec_reduce),
                "explanation": _explain(decision, rec_delay, rec_reduce, d_reason, r_reason),
            })
    return pd.DataFrame(rows)


def _explain(decision: Decision, rec_delay: bool, rec_reduce: bool, d_reason: str, r_reason: str) -> str:
    if decision.action == OFF_STUDY:
        return ("rule would take the patient off study (no step left or a death); the record shows "
                "the cycle given")
    if decision.delay == rec_delay and decision.reduce == rec_reduce:
        return "agree"
    parts = []
    if rec_delay and not decision.delay:
        parts.append(f"delayed for a reason the counts do not show ({d_reason or 'no reason recorded'})")
    if rec_reduce and not decision.reduce:
        parts.append(f"reduced for a reason outside the count/grade 3-4 rule ({r_reason or 'no reason recorded'})")
    if decision.delay and not rec_delay:
        parts.append("rule would hold, record shows no delay (physician discretion, or counts recovered "
                     "before the visit)")
    if decision.reduce and not rec_reduce:
        if rec_delay:
            parts.append("held but resumed at the same dose (physician discretion)")
        else:
            parts.append("rule would step down, record kept the dose (physician discretion)")
    return "; ".join(parts)


def modification_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Patients and cycles with a delay / a reduction, recorded and by the rules, from
    :func:`rules_vs_records` (cycle >= 2 rows)."""
    out = {}
    for label, col in (("recorded_delayed", "recorded_delayed"), ("recorded_reduced", "recorded_reduced"),
                       ("rule_delay", "rule_delay"), ("rule_reduce", "rule_reduce")):
        sub = frame[frame[col].astype(bool)]
        out[f"{label}_cycles"] = int(len(sub))
        out[f"{label}_patients"] = int(sub["patient_id"].nunique())
    out["disagreements"] = int((~frame["agree"].astype(bool)).sum())
    return out
