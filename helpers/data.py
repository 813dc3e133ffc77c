"""Typed, validating loaders for the reconstructed cohort (``datasets/*.csv``).

The rows are a **reconstructed, synthetic cohort**: 22 invented patients whose summaries reproduce
the numbers printed by Zent et al., Cancer 2010;116:2201-7 (doi:10.1002/cncr.25005). Individual
rows are not trial data. See ``datasets/README.md`` for every column, the published number that
constrains it and which values are invented; ``python -m helpers.fidelity`` checks the summaries.

Every loader takes an optional ``path`` (a CSV file, or a folder holding it) so a fellow can load an
edited copy; nothing here writes anywhere. Each loader validates on load and raises
:class:`DataValidationError` (a ``ValueError``) naming the file, the 1-based CSV line (the header is
line 1), the column, the value and what is allowed.

Units: time in days from registration (day 0); months = days / (365.25 / 12)
(:data:`DAYS_PER_MONTH`, :func:`to_months`); blood counts x10^9/L; hemoglobin g/dL; node
dimensions cm; liver and spleen cm below the costal margin.
"""
from __future__ import annotations

import datetime
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.paths import datasets_dir

#: One-line notice for every place that shows patient rows.
DATA_NOTICE = ("Reconstructed, synthetic cohort: 22 invented patients whose summaries reproduce the numbers "
               "printed by Zent et al., Cancer 2010; individual rows are not trial data. For teaching only.")

#: Days per month used everywhere (the paper's months): 365.25 / 12 = 30.4375.
DAYS_PER_MONTH: float = 365.25 / 12

VARIANTS = ("CLL", "SLL")
RESPONSES = ("CR", "PR", "SD", "PD", "NE")
DEATH_CAUSES = ("progression", "infection_treatment", "infection_unrelated", "unknown")
OFF_REASONS = ("progression", "toxicity", "died", "refused")
SITES = ("cervical", "axillary", "inguinal")
AE_CATEGORIES = ("hematologic", "nonhematologic")
CTCAE_CATEGORIES = ("hematology", "infection", "metabolic/laboratory", "pulmonary", "constitutional",
                    "gastrointestinal")
ATTRIBUTIONS = ("unrelated", "unlikely", "possible", "probable", "definite")
#: Attributions that make an adverse event a "toxicity" in the paper's Methods.
RELATED = ("possible", "probable", "definite")
DOSES = ("10 mg daily", "5 mg daily", "5 mg every other day", "5 mg every third day")
DELAY_REASONS = ("hematologic", "hospitalization", "laboratory")
REDUCTION_REASONS = ("hematologic", "mucositis", "infection")
ROUNDINGS = ("round", "truncate")


class DataValidationError(ValueError):
    """A dataset file broke a rule; the message names file, line, column, value and what is allowed."""


def to_months(days: Any) -> Any:
    """Days from registration -> months (days / 30.4375). Scalars, arrays and Series are accepted."""
    if isinstance(days, pd.Series):
        return days.astype("float64") / DAYS_PER_MONTH
    if np.isscalar(days):
        return float(days) / DAYS_PER_MONTH
    return np.asarray(days, dtype=float) / DAYS_PER_MONTH


# ----------------------------------------------------------------------------------------------
# Column specifications
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # str | int | float | bool | date | cat
    nullable: bool = False
    codes: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    pattern: str | None = None
    unit: str = ""


_DAY = dict(kind="int", lo=0, hi=5000)
_COUNT = dict(kind="float", lo=0, hi=2000)

SCHEMAS: dict[str, list[Col]] = {
    "patients": [
        Col("patient_id", "str", pattern=r"P\d\d"),
        Col("age", "int", lo=18, hi=110, unit="years"),
        Col("sex", "cat", codes=("M", "F")),
        Col("variant", "cat", codes=VARIANTS),
        Col("years_since_diagnosis", "float", lo=0, hi=80, unit="years"),
        Col("prior_therapies", "int", lo=0, hi=50),
        Col("ecog", "int", lo=0, hi=4),
        Col("alc", **_COUNT), Col("anc", **_COUNT),
        Col("hb", "float", lo=2, hi=25, unit="g/dL"),
        Col("plt", **_COUNT),
        Col("largest_node_cm", "float", lo=0, hi=40, unit="cm"),
        Col("registration_date", "date"),
        Col("best_response", "cat", codes=RESPONSES),
        Col("response_day", nullable=True, **_DAY),
        Col("progression_day", nullable=True, **_DAY),
        Col("death_day", nullable=True, **_DAY),
        Col("death_cause", "cat", nullable=True, codes=DEATH_CAUSES),
        Col("last_contact_day", **_DAY),
        Col("off_treatment_day", nullable=True, **_DAY),
        Col("off_treatment_reason", "cat", nullable=True, codes=OFF_REASONS),
        Col("cycles", "int", lo=0, hi=200),
        Col("mobilized", "bool"),
        Col("creatinine_xunl", "float", lo=0, hi=20, unit="x UNL"),
        Col("bilirubin_total_xunl", "float", lo=0, hi=20, unit="x UNL"),
        Col("bilirubin_direct_xunl", "float", lo=0, hi=20, unit="x UNL"),
        Col("ast_xunl", "float", lo=0, hi=50, unit="x UNL"),
        Col("liver_involvement", "bool"),
        Col("life_expectancy_ge_3_months", "bool"),
        Col("hiv_known", "bool"),
        Col("months_since_recurrence_biopsy", "float", lo=0, hi=120, unit="months"),
        Col("weight_kg", "float", lo=20, hi=250, unit="kg"),
        Col("height_cm", "float", lo=100, hi=230, unit="cm"),
    ],
    "labs": [
        Col("patient_id", "str", pattern=r"P\d\d"), Col("day", **_DAY),
        Col("wbc", nullable=True, **_COUNT), Col("alc", nullable=True, **_COUNT),
        Col("anc", nullable=True, **_COUNT), Col("hb", "float", nullable=True, lo=2, hi=25, unit="g/dL"),
        Col("plt", nullable=True, **_COUNT),
    ],
    "nodes": [
        Col("patient_id", "str", pattern=r"P\d\d"), Col("day", **_DAY),
        Col("site", "cat", codes=SITES),
        Col("length_cm", "float", lo=0, hi=40, unit="cm"), Col("width_cm", "float", lo=0, hi=40, unit="cm"),
    ],
    "assessments": [
        Col("patient_id", "str", pattern=r"P\d\d"), Col("day", **_DAY), Col("restaging", "bool"),
        Col("liver_cm", "float", lo=0, hi=40, unit="cm"), Col("spleen_cm", "float", lo=0, hi=40, unit="cm"),
        Col("new_node", "bool"), Col("symptoms", "bool"),
        Col("marrow_lymph_pct", "float", nullable=True, lo=0, hi=100, unit="%"),
        Col("transfused", "bool"), Col("epo", "bool"), Col("gcsf", "bool"), Col("richter", "bool"),
    ],
    "adverse_events": [
        Col("patient_id", "str", pattern=r"P\d\d"), Col("term", "str", pattern=r"[a-z][a-z0-9 /\-]*"),
        Col("ctcae_category", "cat", codes=CTCAE_CATEGORIES), Col("category", "cat", codes=AE_CATEGORIES),
        Col("grade", "int", lo=1, hi=5), Col("attribution", "cat", codes=ATTRIBUTIONS),
        Col("day", **_DAY), Col("end_day", nullable=True, **_DAY), Col("note", "str", nullable=True),
    ],
    "cycles": [
        Col("patient_id", "str", pattern=r"P\d\d"), Col("cycle", "int", lo=1, hi=200),
        Col("start_day", **_DAY), Col("dose", "cat", codes=DOSES), Col("delayed", "bool"),
        Col("delay_reason", "cat", nullable=True, codes=DELAY_REASONS), Col("reduced", "bool"),
        Col("reduction_reason", "cat", nullable=True, codes=REDUCTION_REASONS),
    ],
    "published_numbers": [
        Col("key", "str", pattern=r"[a-z0-9_]+"), Col("quantity", "str"),
        Col("value", "str", pattern=r"-?\d+(\.\d+)?|\d{4}-\d\d"),
        Col("low", "str", nullable=True, pattern=r"-?\d+(\.\d+)?"),
        Col("high", "str", nullable=True, pattern=r"-?\d+(\.\d+)?"),
        Col("unit", "str"), Col("source", "str"), Col("rounding", "cat", codes=ROUNDINGS),
        Col("note", "str", nullable=True),
    ],
    "study": [Col("key", "str", pattern=r"[a-z_]+"), Col("value", "str")],
}

KEYS = {
    "patients": ["patient_id"], "labs": ["patient_id", "day"], "nodes": ["patient_id", "day", "site"],
    "assessments": ["patient_id", "day"], "adverse_events": ["patient_id", "term", "day"],
    "cycles": ["patient_id", "cycle"], "published_numbers": ["key"], "study": ["key"],
}

_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


def _resolve(name: str, path: str | Path | None) -> Path:
    if path is None:
        return datasets_dir() / f"{name}.csv"
    p = Path(path)
    if p.is_dir():
        p = p / f"{name}.csv"
    if not p.is_file():
        raise FileNotFoundError(f"{name}: no such file {p}")
    return p


def _fail(file: Path, line: int | None, column: str | None, value: Any, problem: str, allowed: str) -> None:
    where = file.name + (f", line {line}" if line is not None else "") + (f", column {column!r}" if column else "")
    raise DataValidationError(f"{where}: value {value!r} {problem}; allowed: {allowed}")


def _parse_cell(file: Path, line: int, col: Col, raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        if col.nullable:
            return None
        _fail(file, line, col.name, raw, "is empty", "a value is required in this column")
    if col.kind in ("str", "cat"):
        if col.codes and raw not in col.codes:
            _fail(file, line, col.name, raw, "is not an allowed code", ", ".join(col.codes))
        if col.pattern and not re.fullmatch(col.pattern, raw):
            _fail(file, line, col.name, raw, "has the wrong form", f"text matching {col.pattern}")
        return raw
    if col.kind == "bool":
        low = raw.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        _fail(file, line, col.name, raw, "is not a boolean", "True or False")
    if col.kind == "date":
        try:
            return pd.Timestamp(_parse_date(raw))
        except ValueError:
            _fail(file, line, col.name, raw, "is not a valid date", "an ISO date YYYY-MM-DD")
    try:
        num = float(raw)
    except ValueError:
        _fail(file, line, col.name, raw, "is not a number", f"a {'whole ' if col.kind == 'int' else ''}number")
    if not math.isfinite(num):
        _fail(file, line, col.name, raw, "is not finite", "a finite number")
    if col.kind == "int" and num != int(num):
        _fail(file, line, col.name, raw, "is not a whole number", "a whole number")
    rng = f"{col.lo:g} to {col.hi:g}" + (f" {col.unit}" if col.unit else "")
    if col.lo is not None and num < col.lo:
        _fail(file, line, col.name, raw, "is below the allowed range" + (" (negative)" if num < 0 else ""), rng)
    if col.hi is not None and num > col.hi:
        _fail(file, line, col.name, raw, "is above the allowed range", rng)
    return int(num) if col.kind == "int" else num


def _parse_date(raw: str) -> datetime.date:
    """ISO date YYYY-MM-DD; ValueError otherwise (including impossible days such as Feb 30)."""
    return datetime.date.fromisoformat(raw)


_CACHE: dict[tuple, pd.DataFrame] = {}


def _cached(name: str, path: str | Path | None, build) -> pd.DataFrame:
    """Validate each file version once per session; callers always get a fresh copy."""
    file = _resolve(name, path)
    key = (name, file.name, hashlib.sha256(file.read_bytes()).hexdigest())
    if key not in _CACHE:
        _CACHE[key] = build(file)
    out = _CACHE[key].copy()
    out.attrs["source"] = str(file)
    return out


def _read(name: str, path: str | Path | None) -> tuple[pd.DataFrame, Path]:
    file = _resolve(name, path)
    return _cached(name, file, lambda f: _parse_file(name, f)), file


def _parse_file(name: str, file: Path) -> pd.DataFrame:
    raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    schema = SCHEMAS[name]
    missing = [c.name for c in schema if c.name not in raw.columns]
    if missing:
        _fail(file, 1, missing[0], None, "is missing from the header",
              "a header with the columns " + ", ".join(c.name for c in schema))
    data: dict[str, list[Any]] = {}
    for col in schema:
        vals = raw[col.name].tolist()
        data[col.name] = [_parse_cell(file, i + 2, col, v) for i, v in enumerate(vals)]
    extra = [c for c in raw.columns if c not in data]
    df = pd.DataFrame({c.name: pd.Series(data[c.name], dtype=object) for c in schema})
    for c in extra:
        df[c] = raw[c]
    key = KEYS[name]
    dup = df.duplicated(key, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        _fail(file, i + 2, key[-1], tuple(df.loc[i, key]) if len(key) > 1 else df.loc[i, key[0]],
              "repeats a key already used on an earlier line", f"one row per ({', '.join(key)})")
    df.attrs["source"] = str(file)
    return df


def _typed(df: pd.DataFrame, name: str) -> pd.DataFrame:
    out = df.copy()
    for col in SCHEMAS[name]:
        s = out[col.name]
        if col.kind == "cat":
            out[col.name] = pd.Categorical(s, categories=list(col.codes))
        elif col.kind == "int":
            out[col.name] = pd.array([pd.NA if x is None else x for x in s], dtype="Int64")
        elif col.kind == "float":
            out[col.name] = pd.array([np.nan if x is None else x for x in s], dtype="float64")
        elif col.kind == "bool":
            out[col.name] = s.astype("bool")
        elif col.kind == "date":
            out[col.name] = pd.to_datetime(s)
        else:
            out[col.name] = s.astype("string") if col.nullable else s.astype(str)
    return out


def _check_refs(df: pd.DataFrame, file: Path, patient_ids: set[str]) -> None:
    for i, pid in enumerate(df["patient_id"]):
        if pid not in patient_ids:
            _fail(file, i + 2, "patient_id", pid, "does not refer to a patient in patients.csv",
                  f"one of {min(patient_ids)}..{max(patient_ids)}")


def _sibling_patients(path: str | Path | None) -> pd.DataFrame:
    if path is not None:
        p = Path(path)
        folder = p if p.is_dir() else p.parent
        if (folder / "patients.csv").is_file():
            return load_patients(folder)
    return load_patients()


# ----------------------------------------------------------------------------------------------
# Loaders
# ----------------------------------------------------------------------------------------------
def load_patients(path: str | Path | None = None) -> pd.DataFrame:
    """One row per patient: 22 rows, 33 columns (reconstructed, synthetic cohort).

    Columns (units): patient_id (P01..P22, by registration date); age (years); sex (M/F); variant
    (CLL/SLL, as diagnosed before registration: SLL = never an ALC > 5 x10^9/L before registration);
    years_since_diagnosis; prior_therapies (regimens); ecog (0-2); alc, anc, plt (x10^9/L) and hb
    (g/dL) at baseline (equal to the day-0 labs); largest_node_cm (cm, day-0 examination);
    registration_date (datetime); best_response (CR/PR/SD/PD/NE as the paper assessed it);
    response_day, progression_day, death_day, off_treatment_day, last_contact_day (Int64 days from
    registration, <NA> when absent); death_cause; off_treatment_reason; cycles (28-day cycles
    received); mobilized (bool, the paper's 8); eligibility extras creatinine_xunl,
    bilirubin_total_xunl, bilirubin_direct_xunl, ast_xunl (multiples of the upper normal limit),
    liver_involvement, life_expectancy_ge_3_months, hiv_known (bool), months_since_recurrence_biopsy;
    weight_kg, height_cm (invented, for blood-volume estimates).

    Provenance: rows invented by ``datasets/build/reconstruct.py`` so that Table 1, the response,
    survival, treatment and mobilization summaries of Zent et al. 2010 are reproduced exactly.

    Validation: required columns, codes, ranges, unique patient_id, parsable dates, response_day
    only for responders, death_day = last_contact_day for the dead, days within follow-up.
    """
    return _cached("patients_typed", _resolve("patients", path), _build_patients)


def _build_patients(path: Path) -> pd.DataFrame:
    """Parse and validate patients.csv (cached per file version by :func:`load_patients`)."""
    df, file = _read("patients", path)
    for i, r in df.iterrows():
        line = i + 2
        if r["response_day"] is not None and r["best_response"] not in ("CR", "PR"):
            _fail(file, line, "response_day", r["response_day"], f"is given for best_response {r['best_response']}",
                  "a response day only for CR or PR")
        if r["best_response"] in ("CR", "PR") and r["response_day"] is None:
            _fail(file, line, "response_day", "", "is empty for a responder", "the day the response was first documented")
        if (r["death_day"] is None) != (r["death_cause"] is None):
            _fail(file, line, "death_cause", r["death_cause"], "does not match death_day",
                  "a cause exactly when death_day is given")
        if r["death_day"] is not None and r["death_day"] != r["last_contact_day"]:
            _fail(file, line, "last_contact_day", r["last_contact_day"], "differs from death_day",
                  "last_contact_day = death_day for a patient who died")
        for c in ("response_day", "progression_day", "off_treatment_day"):
            if r[c] is not None and r[c] > r["last_contact_day"]:
                _fail(file, line, c, r[c], "falls after last_contact_day", f"a day <= {r['last_contact_day']}")
        if (r["off_treatment_day"] is None) != (r["off_treatment_reason"] is None):
            _fail(file, line, "off_treatment_reason", r["off_treatment_reason"], "does not match off_treatment_day",
                  "a reason exactly when off_treatment_day is given")
    for i, d in enumerate(df["registration_date"]):
        if not (pd.Timestamp("2006-01-01") <= d <= pd.Timestamp("2008-07-31")):
            _fail(file, i + 2, "registration_date", d.date().isoformat(), "is outside the enrollment period",
                  "2006-01-01 to 2008-07-31")
    return _typed(df, "patients")


def load_study(path: str | Path | None = None) -> dict[str, Any]:
    """Study-level facts as a dict: data_cutoff, enrollment_start, enrollment_end (datetime.date),
    cycle_days (int, 28), n_enrolled (int), seed, paper, notice (str).

    Provenance: enrollment period and cycle length from the paper; the data cut-off is invented
    (on or after every last contact, before submission in June 2009).
    """
    df, file = _read("study", path)
    out: dict[str, Any] = dict(zip(df["key"], df["value"]))
    for key in ("data_cutoff", "enrollment_start", "enrollment_end", "cycle_days"):
        if key not in out:
            _fail(file, None, "key", key, "is missing", "rows data_cutoff, enrollment_start, enrollment_end, cycle_days")
    lines = {k: i + 2 for i, k in enumerate(df["key"])}
    for key in ("data_cutoff", "enrollment_start", "enrollment_end"):
        try:
            out[key] = _parse_date(out[key])
        except ValueError:
            _fail(file, lines[key], "value", out[key], f"is not a valid date for {key}", "an ISO date YYYY-MM-DD")
    for key in ("cycle_days", "n_enrolled"):
        if key in out:
            try:
                out[key] = int(out[key])
            except ValueError:
                _fail(file, lines[key], "value", out[key], f"is not a whole number for {key}", "a whole number")
    return out


def load_labs(path: str | Path | None = None) -> pd.DataFrame:
    """Blood counts over time, long: one row per (patient_id, day); about 250 rows.

    Columns: patient_id; day (Int64, days from registration; 0 = pretreatment); wbc, alc, anc, plt
    (x10^9/L) and hb (g/dL). Weekly in cycle 1, then before each cycle, at every assessment and
    on the days an adverse event was graded. ``alc`` is NaN where the study did not record it
    (about once a cycle; the paper's first post-treatment ALC came a median of 29 days in).

    Provenance: day-0 rows equal the Table-1-constrained baselines; the nadirs behind every
    hematologic adverse event and cycle delay and the mobilized patients' ALC values are anchors;
    other values are seeded fluctuations around baseline (invented).

    Validation: codes, ranges (no negative counts), unique (patient_id, day), patient references,
    one day-0 row per patient equal to the baseline in patients.csv.
    """
    df, file = _read("labs", path)
    pats = _sibling_patients(path)
    _check_refs(df, file, set(pats["patient_id"]))
    base = pats.set_index("patient_id")
    seen = set()
    for i, r in df[df["day"] == 0].iterrows():
        seen.add(r["patient_id"])
        for c in ("alc", "anc", "hb", "plt"):
            b = float(base.loc[r["patient_id"], c])
            if r[c] is None or abs(float(r[c]) - b) > 1e-9:
                _fail(file, i + 2, c, r[c], f"on day 0 differs from the baseline in patients.csv ({b:g})",
                      "day-0 labs equal to the patient's baseline")
    for pid in pats["patient_id"]:
        if pid not in seen:
            _fail(file, None, "day", pid, "has no day-0 row", "one day-0 (baseline) row per patient")
    return _typed(df, "labs")


def load_nodes(path: str | Path | None = None) -> pd.DataFrame:
    """Clinical lymph-node measurements, long: one row per (patient_id, day, site); about 500 rows.

    Columns: patient_id; day (Int64); site (cervical/axillary/inguinal: the largest node of each
    site on examination); length_cm, width_cm (cm; 0 = no palpable node). SPD on a day = sum over
    sites of length x width (cm^2); day 0 is baseline. Nodes were examined at cycle visits and at
    the formal restagings.

    Provenance: baseline sizes constrained by Table 1 (13 patients with a node >= 5 cm) and the
    mobilization subgroup's node decreases (median 75.5%, range 38-93%); other sizes invented.

    Validation: codes, ranges, width <= length, unique (patient_id, day, site), patient references.
    """
    df, file = _read("nodes", path)
    _check_refs(df, file, set(_sibling_patients(path)["patient_id"]))
    bad = np.flatnonzero((df["width_cm"].astype(float) > df["length_cm"].astype(float)).to_numpy())
    if bad.size:
        i = int(bad[0])
        _fail(file, i + 2, "width_cm", df.loc[i, "width_cm"], f"exceeds length_cm ({df.loc[i, 'length_cm']:g})",
              "width (short axis) <= length (greatest dimension)")
    return _typed(df, "nodes")


def load_assessments(path: str | Path | None = None) -> pd.DataFrame:
    """Clinical assessments, long: one row per (patient_id, day); about 170 rows.

    Columns: patient_id; day (Int64; 0 = baseline); restaging (bool: formal restaging after cycles
    2 and 6, then every 3 cycles); liver_cm, spleen_cm (cm below the costal margin, 0 = not
    palpable); new_node, symptoms (constitutional), transfused, epo, gcsf, richter (bool);
    marrow_lymph_pct (% lymphocytes in marrow, NaN unless examined). Counts come from labs.csv and
    nodes from nodes.csv on the same day (see :func:`load_visits`).

    Provenance: assessment days follow each patient's cycle calendar; progression visits carry a
    new node (and growth); all invented within the paper's constraints.

    Validation: codes, ranges, unique (patient_id, day), patient references, a day-0 row per patient.
    """
    df, file = _read("assessments", path)
    pats = _sibling_patients(path)
    _check_refs(df, file, set(pats["patient_id"]))
    have0 = set(df.loc[df["day"] == 0, "patient_id"])
    for pid in pats["patient_id"]:
        if pid not in have0:
            _fail(file, None, "day", pid, "has no day-0 assessment", "one baseline (day-0) assessment per patient")
    return _typed(df, "assessments")


def load_adverse_events(path: str | Path | None = None) -> pd.DataFrame:
    """Adverse-event episodes: one row per (patient_id, term, onset day); about 45 rows.

    Columns: patient_id; term (lower case, e.g. anemia, neutropenia, thrombocytopenia, leukopenia,
    pneumonia, sepsis, ards); ctcae_category (Table 2's grouping); category (hematologic /
    nonhematologic); grade (1-5, worst of the episode, NCI CTC v3.0); attribution (unrelated,
    unlikely, possible, probable, definite); day (Int64 onset); end_day (Int64 resolution, invented);
    note (free text).

    Provenance: every cell of Table 2 and the grade >= 3 totals with and without attribution;
    hematologic grades agree with the CTC v3.0 grade of the lab nadir on the onset day.

    Validation: codes, grade 1-5, days, end_day >= day, unique (patient_id, term, day), patient references.
    """
    df, file = _read("adverse_events", path)
    _check_refs(df, file, set(_sibling_patients(path)["patient_id"]))
    for i, r in df.iterrows():
        if r["end_day"] is not None and r["end_day"] < r["day"]:
            _fail(file, i + 2, "end_day", r["end_day"], f"is before the onset day {r['day']}", "end_day >= day")
        want = "hematologic" if r["ctcae_category"] == "hematology" else "nonhematologic"
        if r["category"] != want:
            _fail(file, i + 2, "category", r["category"], f"contradicts ctcae_category {r['ctcae_category']!r}",
                  want)
    return _typed(df, "adverse_events")


def load_cycles(path: str | Path | None = None) -> pd.DataFrame:
    """Treatment cycles: one row per (patient_id, cycle); about 140 rows.

    Columns: patient_id; cycle (1, 2, ...); start_day (Int64); dose (10 mg daily, 5 mg daily, 5 mg
    every other day, 5 mg every third day); delayed (bool) with delay_reason (hematologic,
    hospitalization, laboratory); reduced (bool: this cycle starts one step down the ladder) with
    reduction_reason (hematologic, mucositis, infection).

    Provenance: the paper's delays (9 patients, 12 cycles) and reductions (9 patients, 11 cycles)
    with their reasons; start days fixed by restaging and response days; the rest invented.

    Validation: codes, ranges, unique (patient_id, cycle), patient references, a reason exactly when
    delayed/reduced, cycles numbered 1..n with increasing start days, cycle 1 on day 0.
    """
    df, file = _read("cycles", path)
    _check_refs(df, file, set(_sibling_patients(path)["patient_id"]))
    prev: dict[str, tuple[int, int]] = {}
    prev_level: dict[str, int] = {}
    for i, r in df.iterrows():
        line = i + 2
        for flag, reason in (("delayed", "delay_reason"), ("reduced", "reduction_reason")):
            if r[flag] != (r[reason] is not None):
                _fail(file, line, reason, r[reason], f"does not match {flag}={r[flag]}",
                      f"a reason exactly when {flag} is True")
        pid = r["patient_id"]
        level = DOSES.index(r["dose"])
        if pid in prev:
            want = prev_level[pid] + (1 if r["reduced"] else 0)
            if level != want and not (r["reduced"] and prev_level[pid] == len(DOSES) - 1):
                _fail(file, line, "dose", r["dose"], f"does not follow {DOSES[prev_level[pid]]!r} with reduced={r['reduced']}",
                      f"{DOSES[min(want, len(DOSES) - 1)]!r} (one ladder step down exactly when reduced)")
        elif level != 0:
            _fail(file, line, "dose", r["dose"], "starts a patient below the full dose", repr(DOSES[0]))
        prev_level[pid] = level
        if pid not in prev:
            if r["cycle"] != 1 or r["start_day"] != 0:
                _fail(file, line, "start_day", r["start_day"], f"starts patient {pid}'s cycles",
                      "cycle 1 on day 0 as the first row of each patient")
        else:
            c0, d0 = prev[pid]
            if r["cycle"] != c0 + 1 or r["start_day"] <= d0:
                _fail(file, line, "start_day", r["start_day"], f"does not follow cycle {c0} on day {d0}",
                      "consecutive cycle numbers with increasing start days")
        prev[pid] = (r["cycle"], r["start_day"])
    return _typed(df, "cycles")


def load_published(path: str | Path | None = None) -> pd.DataFrame:
    """The numbers printed by Zent et al. 2010, one row per quantity (about 165 rows).

    Columns: key (stable id); quantity (words); value, low, high (strings exactly as printed, so
    the printed precision is kept; low/high empty when no range); unit; source (Abstract, Table 1,
    Results, Table 2 ...); rounding (round / truncate: how the paper printed the exact value);
    note (the reading we chose where the paper strains).

    Provenance: our own reading of the paper (``datasets/build/published.py``).
    """
    df, _file = _read("published_numbers", path)
    return _typed(df, "published_numbers")


def node_burden(nodes: pd.DataFrame) -> pd.DataFrame:
    """Per (patient_id, day): node_spd_cm2 (sum of length x width, cm^2) and largest_node_cm."""
    n = nodes.assign(product=nodes["length_cm"] * nodes["width_cm"])
    g = n.groupby(["patient_id", "day"], observed=True)
    out = pd.DataFrame({"node_spd_cm2": g["product"].sum().round(4), "largest_node_cm": g["length_cm"].max()})
    return out.reset_index()


def load_visits(path: str | Path | None = None) -> pd.DataFrame:
    """One row per clinical assessment (patient_id, day), ready for the response criteria.

    Joins assessments with the same-day labs (alc, anc, hb, plt, wbc; NaN where not drawn or not
    recorded) and node burden (node_spd_cm2 = SPD in cm^2, largest_node_cm), plus the patient's
    ``variant``. Columns: patient_id, day, variant, restaging, alc, anc, hb, plt, wbc,
    node_spd_cm2, largest_node_cm, liver_cm, spleen_cm, new_node, symptoms, marrow_lymph_pct,
    transfused, epo, gcsf, richter. Day 0 is the baseline. ``path`` is a folder holding the CSVs.
    """
    folder = None if path is None else Path(path)
    pats = load_patients(folder)
    a = load_assessments(folder)
    labs = load_labs(folder)
    burden = node_burden(load_nodes(folder))
    v = a.merge(labs, on=["patient_id", "day"], how="left", indicator="_labs")
    v = v.merge(burden, on=["patient_id", "day"], how="left")
    file = _resolve("assessments", folder)
    for i in range(len(v)):
        if v["_labs"].iloc[i] != "both":
            _fail(file, i + 2, "day", int(v["day"].iloc[i]), f"has no labs.csv row for {v['patient_id'].iloc[i]}",
                  "an assessment day with a same-day blood count")
        if pd.isna(v["node_spd_cm2"].iloc[i]):
            _fail(file, i + 2, "day", int(v["day"].iloc[i]), f"has no nodes.csv rows for {v['patient_id'].iloc[i]}",
                  "an assessment day with same-day node measurements")
    v = v.merge(pats[["patient_id", "variant"]], on="patient_id", how="left")
    cols = ["patient_id", "day", "variant", "restaging", "alc", "anc", "hb", "plt", "wbc", "node_spd_cm2",
            "largest_node_cm", "liver_cm", "spleen_cm", "new_node", "symptoms", "marrow_lymph_pct",
            "transfused", "epo", "gcsf", "richter"]
    return v[cols].sort_values(["patient_id", "day"]).reset_index(drop=True)


__all__ = [
    "DAYS_PER_MONTH", "DATA_NOTICE", "to_months", "DataValidationError", "load_patients", "load_study", "load_labs",
    "load_nodes", "load_assessments", "load_adverse_events", "load_cycles", "load_published",
    "load_visits", "node_burden", "RELATED",
]
