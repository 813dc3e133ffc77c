"""Toxicity: CTC grading of blood counts, iwCLL's hematologic-toxicity scale, and Table 2.

Two grading systems for the same blood count, side by side:

* **NCI CTCAE version 3.0** (Cancer Therapy Evaluation Program, NCI, 2003; publish date
  9 Aug 2006), the version the paper used (Zent et al., Cancer 2010, Methods). Grades are
  *absolute*: "<LLN - 10.0" means below the lower limit of normal (LLN) and at least 10.0.
  A patient whose disease already keeps a count low starts at grade 1-3 before any drug.
* **iwCLL 2008** (Hallek M, et al. Blood 2008;111:5446-5456, Table 5), written for CLL because
  of that problem: platelets and hemoglobin are graded by the *fall* from the pretreatment
  value (and only once below normal), the ANC on absolute nadir values, and a patient whose
  baseline is already severely low is *not evaluable* (``None``) rather than graded.

Everything below is for teaching: nothing here is meant for clinical decisions.

Units: hemoglobin in g/dL; WBC, ANC, lymphocytes and platelets in x10^9/L (= x10^3/uL).
Other units are accepted only where the conversion is exact (g/L, /uL, /mm3) and only when the
caller names them; anything else raises ``ValueError`` saying what is allowed.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.data import ATTRIBUTIONS, RELATED

# --------------------------------------------------------------------------------------------
# CTCAE v3.0 blood/bone-marrow criteria
# --------------------------------------------------------------------------------------------

CTCAE_V3_CITATION = (
    "Cancer Therapy Evaluation Program. Common Terminology Criteria for Adverse Events, "
    "Version 3.0. DCTD, NCI, NIH, DHHS; March 31, 2003 (publish date August 9, 2006)."
)
IWCLL_2008_CITATION = (
    "Hallek M, Cheson BD, Catovsky D, et al. Guidelines for the diagnosis and treatment of "
    "chronic lymphocytic leukemia: a report from the International Workshop on Chronic "
    "Lymphocytic Leukemia updating the National Cancer Institute-Working Group 1996 guidelines. "
    "Blood. 2008;111(12):5446-5456, Table 5."
)


@dataclass(frozen=True)
class CtcCriterion:
    """One CTCAE v3.0 blood/bone-marrow term.

    ``cutoffs`` are the lower edges of grades 1..3 below the LLN, in ``unit``: grade 2 is
    ``value < cutoffs[0]`` (and >= cutoffs[1]), grade 3 ``value < cutoffs[1]``, grade 4
    ``value < cutoffs[2]``. Grade 1 is ``LLN > value >= cutoffs[0]``.
    """

    term: str
    ctcae_name: str
    lab: str
    unit: str
    cutoffs: tuple[float, float, float]
    default_lln: float
    lln_source: str
    verified: bool
    source: str


#: The five terms. ``verified`` says whether the v3.0 cut-offs were checked against a v3.0 text
#: (not a later version). Hemoglobin was (criteria-reference note 11.1, tag C:S17: v3 is the
#: version with 6.5 g/dL). For the other four, the same numbers appear in CTCAE v4.0-era texts
#: found in public code, but no v3.0 text could be found with the search tools available while
#: this module was written (Nov 2026), so they stay ``verified=False``.
#: The default LLNs are ASSUMPTIONS (typical adult reference intervals; sex-, age- and
#: laboratory-specific in reality): pass the reporting laboratory's LLN with ``lln=``.
CTC_V3_BLOOD: dict[str, CtcCriterion] = {
    "anemia": CtcCriterion(
        "anemia", "Hemoglobin", "hb", "g/dL", (10.0, 8.0, 6.5), 12.0,
        "assumption: typical adult lower limit (women 12.0, men about 13.5 g/dL); not sourced",
        True, CTCAE_V3_CITATION + " Blood/Bone marrow: Hemoglobin."),
    "leukopenia": CtcCriterion(
        "leukopenia", "Leukocytes (total WBC)", "wbc", "x10^9/L", (3.0, 2.0, 1.0), 4.0,
        "assumption: typical adult lower limit; not sourced",
        False, CTCAE_V3_CITATION + " Blood/Bone marrow: Leukocytes (total WBC). "
        "Cut-offs match the v4.0 text; v3.0 wording not verified."),
    "lymphopenia": CtcCriterion(
        "lymphopenia", "Lymphopenia", "alc", "x10^9/L", (0.8, 0.5, 0.2), 1.0,
        "assumption: typical adult lower limit; not sourced",
        False, CTCAE_V3_CITATION + " Blood/Bone marrow: Lymphopenia. "
        "Cut-offs match the v4.0 text; v3.0 wording not verified."),
    "neutropenia": CtcCriterion(
        "neutropenia", "Neutrophils/granulocytes (ANC/AGC)", "anc", "x10^9/L", (1.5, 1.0, 0.5), 2.0,
        "assumption: typical adult lower limit; not sourced",
        False, CTCAE_V3_CITATION + " Blood/Bone marrow: Neutrophils/granulocytes (ANC/AGC). "
        "Cut-offs match the v4.0 text; v3.0 wording not verified."),
    "thrombocytopenia": CtcCriterion(
        "thrombocytopenia", "Platelets", "plt", "x10^9/L", (75.0, 50.0, 25.0), 150.0,
        "assumption: typical adult lower limit; not sourced",
        False, CTCAE_V3_CITATION + " Blood/Bone marrow: Platelets. "
        "Cut-offs match the v4.0 text (v6 lowers grade 3/4 to 50-10/<10: do not mix versions); "
        "v3.0 wording not verified."),
}

#: Other names a fellow might type for a term (lab column names, the count's name).
TERM_ALIASES: dict[str, str] = {
    "anemia": "anemia", "anaemia": "anemia", "hemoglobin": "anemia", "haemoglobin": "anemia",
    "hb": "anemia", "hgb": "anemia",
    "neutropenia": "neutropenia", "anc": "neutropenia", "neutrophils": "neutropenia",
    "thrombocytopenia": "thrombocytopenia", "platelets": "thrombocytopenia", "plt": "thrombocytopenia",
    "leukopenia": "leukopenia", "leucopenia": "leukopenia", "wbc": "leukopenia",
    "leukocytes": "leukopenia",
    "lymphopenia": "lymphopenia", "alc": "lymphopenia", "lymphocytes": "lymphopenia",
}

#: Accepted unit spellings (lower case, no spaces) -> divisor to the native unit (division, not
#: multiplication by 1e-3, so that 800/uL becomes exactly the float 0.8 and boundaries stay exact).
_COUNT_UNITS: dict[str, float] = {
    "x10^9/l": 1.0, "10^9/l": 1.0, "x10^3/ul": 1.0, "10^3/ul": 1.0, "x10^3/µl": 1.0, "10^3/µl": 1.0,
    "/ul": 1000.0, "/µl": 1000.0, "cells/ul": 1000.0, "cells/µl": 1000.0, "/mm3": 1000.0,
    "/mm^3": 1000.0, "cells/mm3": 1000.0,
}
_HB_UNITS: dict[str, float] = {"g/dl": 1.0, "g/l": 10.0}
ALLOWED_UNITS = {
    "g/dL": ("g/dL", "g/L"),
    "x10^9/L": ("x10^9/L", "10^9/L", "x10^3/uL", "/uL", "cells/uL", "/mm3", "cells/mm3"),
}


def _resolve_term(term: str) -> CtcCriterion:
    if not isinstance(term, str):
        raise ValueError(f"term={term!r} must be a string; allowed: {', '.join(sorted(CTC_V3_BLOOD))}")
    key = TERM_ALIASES.get(term.strip().lower())
    if key is None:
        raise ValueError(
            f"term={term!r} is not graded here; allowed terms: {', '.join(sorted(CTC_V3_BLOOD))} "
            f"(or the lab names {', '.join(sorted(c.lab for c in CTC_V3_BLOOD.values()))})")
    return CTC_V3_BLOOD[key]


def _check_number(field: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise ValueError(f"{field}={value!r} must be a finite number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field}={value!r} must be a finite number") from None
    if not math.isfinite(x):
        raise ValueError(f"{field}={value!r} must be a finite number (missing values cannot be graded)")
    if x < 0:
        raise ValueError(f"{field}={value!r} must be >= 0")
    return x


def to_native_unit(term: str, value: float, unit: str | None) -> float:
    """Convert ``value`` given in ``unit`` to the term's native unit (g/dL or x10^9/L).

    ``unit=None`` means the native unit. Only exact conversions are accepted: g/L -> g/dL
    (divide by 10) and per-microlitre or per-mm3 counts -> x10^9/L (divide by 1000).
    """
    crit = _resolve_term(term)
    x = _check_number("value", value)
    if unit is None:
        return x
    if not isinstance(unit, str):
        raise ValueError(f"unit={unit!r} must be a string; allowed: {', '.join(ALLOWED_UNITS[crit.unit])}")
    key = unit.strip().lower().replace("×", "x").replace("μ", "µ").replace(" ", "")
    table = _HB_UNITS if crit.unit == "g/dL" else _COUNT_UNITS
    if key not in table:
        raise ValueError(
            f"unit={unit!r} is not allowed for {crit.term} ({crit.ctcae_name}); "
            f"allowed: {', '.join(ALLOWED_UNITS[crit.unit])} (native unit {crit.unit})")
    return x / table[key]


def ctc_lln(term: str) -> float:
    """The default lower limit of normal used for ``term`` (an assumption; see ``CTC_V3_BLOOD``)."""
    return _resolve_term(term).default_lln


def ctc_grade(term: str, value: float, lln: float | None = None, unit: str | None = None) -> int:
    """Grade one blood count by NCI CTCAE v3.0 (0 = not below the LLN, 1-4).

    Parameters
    ----------
    term : ``anemia`` (hemoglobin), ``neutropenia`` (ANC), ``thrombocytopenia`` (platelets),
        ``leukopenia`` (WBC) or ``lymphopenia`` (lymphocytes); lab names (``hb``, ``anc``,
        ``plt``, ``wbc``, ``alc``) are accepted too.
    value : the count, in ``unit`` (default: hemoglobin g/dL, counts x10^9/L).
    lln : lower limit of normal in the same unit as ``value``; default ``ctc_lln(term)``
        (an assumption: pass the laboratory's own LLN).
    unit : the unit of ``value`` and ``lln``; only exact conversions are accepted
        (g/L for hemoglobin; /uL or /mm3 for counts).

    Boundaries are those printed: "<LLN - 10.0" includes 10.0 (grade 1 at exactly 10.0 g/dL),
    "<10.0 - 8.0" is below 10.0 and at least 8.0, grade 4 is strictly below the last cut-off.
    Grade 5 (death) is not a laboratory value and is never returned.

    >>> ctc_grade("anemia", 8.0)
    2
    >>> ctc_grade("neutropenia", 900, unit="/uL")
    3
    """
    crit = _resolve_term(term)
    x = to_native_unit(crit.term, value, unit)
    if lln is None:
        limit = crit.default_lln
    else:
        limit = to_native_unit(crit.term, _check_number("lln", lln), unit)
        if limit == 0:
            raise ValueError(f"lln={lln!r} must be > 0")
    c2, c3, c4 = crit.cutoffs
    if x < c4:
        return 4
    if x < c3:
        return 3
    if x < c2:
        return 2
    if x < limit:
        return 1
    return 0


def ctc_bands(term: str, lln: float | None = None) -> list[tuple[int, float, float]]:
    """Grade bands of ``term`` as ``(grade, low, high)`` in the native unit: ``low <= value < high``.

    Grade 0 runs from the LLN to infinity; an empty grade-1 band (LLN at or below the grade-2
    cut-off) is left out. Used to shade the plots.
    """
    crit = _resolve_term(term)
    limit = crit.default_lln if lln is None else _check_number("lln", lln)
    c2, c3, c4 = crit.cutoffs
    bands = [(4, 0.0, c4), (3, c4, c3), (2, c3, c2)]
    if limit > c2:
        bands.append((1, c2, limit))
    bands.append((0, max(limit, c2), math.inf))
    return bands


# --------------------------------------------------------------------------------------------
# iwCLL 2008 hematologic-toxicity scale (Hallek, Blood 2008, Table 5)
# --------------------------------------------------------------------------------------------

#: Verified against Table 5 of Hallek et al. 2008 (PMC2972576, read through the search tool).
IWCLL_FALL_EDGES = (10.0, 25.0, 50.0, 75.0)
#: The table prints 0: "no change to 10%", 1: "11%-24%", 2: "25%-49%", 3: "50%-74%", 4: ">= 75%".
#: Falls between printed integers (e.g. 10.5%, 24.5%) are assigned by this convention, an
#: ASSUMPTION of this collection: d <= 10 -> 0; 10 < d < 25 -> 1; 25 <= d < 50 -> 2;
#: 50 <= d < 75 -> 3; d >= 75 -> 4.
IWCLL_GAP_CONVENTION_VERIFIED = False
IWCLL_ANC_EDGES = (2.0, 1.5, 1.0, 0.5)  # x10^9/L; grade 0 >= 2.0, ..., grade 4 < 0.5
IWCLL_PLT_GRADE4_BELOW = 20.0  # x10^9/L: any platelet count below 20 is grade 4
IWCLL_PARAMETERS = {"platelets": "thrombocytopenia", "hemoglobin": "anemia", "anc": "neutropenia"}
_IWCLL_ALIASES = {"platelets": "platelets", "plt": "platelets", "thrombocytopenia": "platelets",
                  "hemoglobin": "hemoglobin", "hb": "hemoglobin", "hgb": "hemoglobin",
                  "anemia": "hemoglobin", "anc": "anc", "neutrophils": "anc", "neutropenia": "anc"}


def iwcll_grade(parameter: str, baseline: float, nadir: float, lln: float | None = None,
                unit: str | None = None, *, died_of_toxicity: bool = False,
                plt_not_evaluable_below: float = 20.0) -> int | None:
    """Grade hematologic toxicity in CLL by the iwCLL 2008 scale; ``None`` = not evaluable.

    parameter : ``platelets`` (x10^9/L), ``hemoglobin`` (g/dL) or ``anc`` (x10^9/L).
    baseline, nadir : pretreatment value and nadir, in ``unit`` (default the native unit).
        Hemoglobin must be measured before any transfusion (the scale says so).
    lln : lower limit of normal for platelets and hemoglobin (default: the CTC default, an
        assumption). Grades 1-4 need the nadir below normal.
    died_of_toxicity : death from the toxicity is grade 5 at any level.
    plt_not_evaluable_below : baseline platelets under this are "severely low" (the table's
        example is 20 x10^9/L): the patient is not evaluable for platelet toxicity.

    How it differs from CTCAE v3.0: platelets and hemoglobin are graded by the percent fall from
    the patient's own baseline (so a patient who starts at 60 x10^9/L platelets is not grade 2
    before any drug, as under CTCAE), any platelet count < 20 is grade 4, the ANC keeps absolute
    thresholds (grade 3 below 1.0 x10^9/L), patients with a baseline ANC < 1.0 (or severely low
    platelets) are not evaluable, and WBC and lymphocyte falls are not graded at all (lowering
    them is the aim of CLL therapy).
    """
    if not isinstance(parameter, str) or parameter.strip().lower() not in _IWCLL_ALIASES:
        raise ValueError(f"parameter={parameter!r} is not on the iwCLL scale; allowed: platelets, hemoglobin, anc "
                         "(iwCLL does not grade falls in WBC or lymphocytes)")
    param = _IWCLL_ALIASES[parameter.strip().lower()]
    term = IWCLL_PARAMETERS[param]
    b = to_native_unit(term, _check_number("baseline", baseline), unit)
    n = to_native_unit(term, _check_number("nadir", nadir), unit)
    if died_of_toxicity:  # "death occurring as a result of toxicity at any level ... grade 5"
        return 5
    if param == "anc":
        if b < 1.0:
            return None
        g0, g1, g2, g3 = IWCLL_ANC_EDGES
        if n >= g0:
            return 0
        if n >= g1:
            return 1
        if n >= g2:
            return 2
        if n >= g3:
            return 3
        return 4
    limit = ctc_lln(term) if lln is None else to_native_unit(term, _check_number("lln", lln), unit)
    if param == "platelets" and b < plt_not_evaluable_below:
        return None
    if b == 0:
        raise ValueError(f"baseline={baseline!r} must be > 0 to compute a fall")
    if n >= limit:
        return 0
    if param == "platelets" and n < IWCLL_PLT_GRADE4_BELOW:
        return 4
    fall = 100.0 * (b - n) / b
    e1, e2, e3, e4 = IWCLL_FALL_EDGES
    if fall <= e1:
        return 0
    if fall < e2:
        return 1
    if fall < e3:
        return 2
    if fall < e4:
        return 3
    return 4


# --------------------------------------------------------------------------------------------
# Adverse-event tables (Table 2 and the worst-grade summaries)
# --------------------------------------------------------------------------------------------

#: ``ATTRIBUTIONS`` (the codes) and ``RELATED`` (the paper's definition of toxicity, Methods:
#: possibly, probably or definitely related) come from :mod:`helpers.data`: one definition.
#: Table 2's category order and printed headings.
TABLE2_CATEGORIES: dict[str, str] = {
    "hematology": "Hematology",
    "infection": "Infection/febrile neutropenia",
    "metabolic/laboratory": "Metabolic/laboratory",
    "pulmonary": "Pulmonary",
    "constitutional": "Constitutional symptoms",
    "gastrointestinal": "Gastrointestinal",
}
#: Table 2's row order within each category, and printed labels. Terms not listed follow,
#: alphabetically, labelled with a capital first letter.
TABLE2_TERMS: dict[str, str] = {
    "anemia": "Anemia",
    "leukopenia": "Leukopenia",
    "neutropenia": "Neutropenia",
    "thrombocytopenia": "Thrombocytopenia",
    "pneumonia": "Pneumonia",
    "sepsis": "Sepsis",
    "cellulitis": "Cellulitis",
    "hypertriglyceridemia": "Hypertriglyceridemia",
    "ards": "ARDS (secondary to infection)",
    "adult respiratory distress syndrome": "ARDS (secondary to infection)",
    "fatigue": "Fatigue",
    "diarrhea": "Diarrhea",
}
_AE_COLUMNS = ("patient_id", "term", "grade", "attribution")


def _check_events(adverse_events: pd.DataFrame, extra: Sequence[str] = ()) -> pd.DataFrame:
    if not isinstance(adverse_events, pd.DataFrame):
        raise ValueError(f"adverse_events must be a pandas DataFrame, got {type(adverse_events).__name__}")
    missing = [c for c in (*_AE_COLUMNS, *extra) if c not in adverse_events.columns]
    if missing:
        raise ValueError(f"adverse_events is missing column(s) {missing}; required: {list(_AE_COLUMNS) + list(extra)}")
    ae = adverse_events.copy()
    for col in ("patient_id", "term", "attribution", *[c for c in extra if c != "day"]):
        ae[col] = ae[col].astype(str)
    ae["term"] = ae["term"].str.strip().str.lower()
    ae["attribution"] = ae["attribution"].str.strip().str.lower()
    bad = ~ae["attribution"].isin(ATTRIBUTIONS)
    if bad.any():
        i = ae.index[bad][0]
        raise ValueError(f"adverse_events row {i}: attribution={ae.at[i, 'attribution']!r}; allowed: {ATTRIBUTIONS}")
    grades = pd.to_numeric(ae["grade"], errors="coerce")
    bad = grades.isna() | ~grades.isin([1, 2, 3, 4, 5])
    if bad.any():
        i = ae.index[bad][0]
        raw = adverse_events.at[i, "grade"]
        raw = raw.item() if isinstance(raw, np.generic) else raw
        raise ValueError(f"adverse_events row {i}: grade={raw!r}; allowed: 1-5")
    ae["grade"] = grades.astype(int)
    return ae


def _check_attribution(attribution: Iterable[str] | None) -> tuple[str, ...] | None:
    if attribution is None:
        return None
    if isinstance(attribution, str):
        attribution = (attribution,)
    values = tuple(str(a).strip().lower() for a in attribution)
    bad = [a for a in values if a not in ATTRIBUTIONS]
    if bad or not values:
        raise ValueError(f"attribution={tuple(attribution)!r}: each must be one of {ATTRIBUTIONS} (or None for all)")
    return values


def _check_min_grade(min_grade: int) -> int:
    if isinstance(min_grade, bool) or not isinstance(min_grade, (int, np.integer)) or not 1 <= min_grade <= 5:
        raise ValueError(f"min_grade={min_grade!r} must be an integer 1-5")
    return int(min_grade)


def _check_n(n_patients: int) -> int:
    if isinstance(n_patients, bool) or not isinstance(n_patients, (int, np.integer)) or n_patients < 1:
        raise ValueError(f"n_patients={n_patients!r} must be a positive integer")
    return int(n_patients)


def filter_events(adverse_events: pd.DataFrame, min_grade: int = 3,
                  attribution: Iterable[str] | None = RELATED) -> pd.DataFrame:
    """Rows with grade >= ``min_grade`` and, unless ``attribution`` is None, attribution in it."""
    ae = _check_events(adverse_events)
    min_grade = _check_min_grade(min_grade)
    attribution = _check_attribution(attribution)
    keep = ae["grade"] >= min_grade
    if attribution is not None:
        keep &= ae["attribution"].isin(attribution)
    return ae[keep]


def worst_grade_per_patient(adverse_events: pd.DataFrame, by: str | Sequence[str] = "term",
                            min_grade: int = 1, attribution: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per patient (and ``by`` group) with the worst grade reached: patients, not events."""
    by = [by] if isinstance(by, str) else list(by)
    ae = _check_events(adverse_events, extra=[c for c in by if c != "term"])
    ae = filter_events(ae, min_grade, attribution)
    return (ae.groupby(["patient_id", *by], observed=True)["grade"].max()
            .rename("worst_grade").reset_index())


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    values = list(dict.fromkeys(values))
    known = [v for v in order if v in values]
    return known + sorted(v for v in values if v not in order)


def toxicity_table(adverse_events: pd.DataFrame, min_grade: int = 3,
                   attribution: Iterable[str] | None = RELATED, n_patients: int = 22) -> pd.DataFrame:
    """Table 2's layout: patients by worst grade per term, grouped by ``ctcae_category``.

    Rows: a MultiIndex (category heading, term label) in the paper's order (unlisted categories
    and terms follow alphabetically). Columns: a MultiIndex (grade, ``No.``/``%``) for grades
    ``min_grade``..5; ``%`` is 100 * No. / ``n_patients`` (unrounded; the paper prints integers).
    Each patient counts once per term, in the column of the worst grade reached; a grade
    with no patient holds 0 (the paper leaves it blank). ``attribution=None`` counts every event.
    """
    n_patients = _check_n(n_patients)
    min_grade = _check_min_grade(min_grade)
    counts = worst_grade_table(adverse_events, min_grade, attribution)
    grades = list(range(min_grade, 6))
    columns = pd.MultiIndex.from_product([grades, ["No.", "%"]], names=["grade", ""])
    if counts.empty:
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_tuples([], names=["category", "term"]))
    worst = counts.index.to_frame(index=False)
    rows = []
    for cat in _ordered(worst["ctcae_category"], list(TABLE2_CATEGORIES)):
        terms = worst.loc[worst["ctcae_category"] == cat, "term"]
        for term in _ordered(terms, list(TABLE2_TERMS)):
            rows.append((cat, term))
    out = pd.DataFrame(index=pd.MultiIndex.from_tuples(
        [(TABLE2_CATEGORIES.get(c, c.capitalize()), TABLE2_TERMS.get(t, t.capitalize())) for c, t in rows],
        names=["category", "term"]), columns=columns, dtype=float)
    for (cat, term), label in zip(rows, out.index):
        for g in grades:
            n = int(counts.loc[(cat, term), g])
            out.loc[label, (g, "No.")] = n
            out.loc[label, (g, "%")] = 100.0 * n / n_patients
    for g in grades:
        out[(g, "No.")] = out[(g, "No.")].astype(int)
    return out


def percent(n: int, d: int) -> int:
    """100 * n / d rounded half up to a whole percent, as the paper prints (5/22 -> 23)."""
    return int(math.floor(100.0 * n / d + 0.5))


def worst_grade_by_category(adverse_events: pd.DataFrame, min_grade: int = 3,
                            attribution: Iterable[str] | None = RELATED) -> pd.DataFrame:
    """Patients by worst grade per ``category`` (``hematologic`` / ``nonhematologic``).

    Index: category (both always present); columns: the grades ``min_grade``..5 (integers: the
    number of patients whose worst grade in the category was that grade) and ``total`` (patients
    with any event of grade >= ``min_grade``; the grade columns add up to it).
    ``attribution=None`` counts every event (the paper's first sentence on toxicity);
    ``attribution=RELATED`` only possibly/probably/definitely related ones (Table 2's basis).
    :mod:`helpers.fidelity` calls this with positional ``(ae, 3, attribution)``.
    """
    min_grade = _check_min_grade(min_grade)
    worst = worst_grade_per_patient(adverse_events, by="category", min_grade=min_grade,
                                    attribution=attribution)
    grades = list(range(min_grade, 6))
    table = (worst.groupby(["category", "worst_grade"]).size().unstack("worst_grade")
             .reindex(columns=grades))
    order = _ordered(list(table.index) + ["hematologic", "nonhematologic"], ["hematologic", "nonhematologic"])
    table = table.reindex(order).fillna(0).astype(int)
    table.columns = grades
    table["total"] = table[grades].sum(axis=1)
    table.index.name = "category"
    return table


def worst_grade_table(adverse_events: pd.DataFrame, min_grade: int = 3,
                      attribution: Iterable[str] | None = RELATED) -> pd.DataFrame:
    """Patients by worst grade per term: index (``ctcae_category``, ``term``), columns grade ``min_grade``..5.

    The counting core of :func:`toxicity_table` (which adds labels, order and percentages).
    ``attribution``: the attributions kept (default: possible, probable, definite, as Table 2);
    ``None`` keeps all. :mod:`helpers.fidelity` calls this with positional ``(ae, 3, RELATED)``.
    """
    min_grade = _check_min_grade(min_grade)
    worst = worst_grade_per_patient(adverse_events, by=["ctcae_category", "term"],
                                    min_grade=min_grade, attribution=attribution)
    grades = list(range(min_grade, 6))
    if worst.empty:
        return pd.DataFrame(columns=grades, index=pd.MultiIndex.from_tuples([], names=["ctcae_category", "term"]),
                            dtype=int)
    table = (worst.groupby(["ctcae_category", "term", "worst_grade"]).size().unstack("worst_grade")
             .reindex(columns=grades).fillna(0).astype(int))
    table.columns = grades
    return table


# --------------------------------------------------------------------------------------------
# Consistency between hematologic adverse events and the recorded blood counts
# --------------------------------------------------------------------------------------------

HEMATOLOGIC_TERMS = ("anemia", "leukopenia", "lymphopenia", "neutropenia", "thrombocytopenia")


def lab_consistency(adverse_events: pd.DataFrame, labs: pd.DataFrame, window: int = 7,
                    lln: dict[str, float] | None = None) -> pd.DataFrame:
    """Compare each hematologic adverse event's grade with the CTC v3.0 grade of the lab nadir.

    For each event whose term is one of ``HEMATOLOGIC_TERMS``, take the patient's lab rows with
    ``day`` within ``window`` days of the onset day (inclusive on both sides), the lowest value
    of the matching count (hb, wbc, alc, anc, plt) and its ``ctc_grade``. Returns one row per event:
    ``patient_id, term, day, ae_grade, nadir, nadir_day, lab_grade, agrees, note``; nothing is
    dropped: events with no lab in the window get ``agrees = False`` and a note.
    ``lln`` maps term -> LLN (native unit) to override the defaults.
    """
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"window={window!r} must be a whole number of days >= 0")
    ae = _check_events(adverse_events, extra=["day"])
    for col in ("patient_id", "day"):
        if col not in labs.columns:
            raise ValueError(f"labs is missing column {col!r}")
    lln = dict(lln or {})
    for key in lln:
        _resolve_term(key)
    ae = ae[ae["term"].isin(HEMATOLOGIC_TERMS)]
    rows = []
    for _, ev in ae.iterrows():
        crit = CTC_V3_BLOOD[ev["term"]]
        if crit.lab not in labs.columns:
            raise ValueError(f"labs is missing column {crit.lab!r} needed to check {crit.term}")
        day = float(ev["day"])
        sub = labs[(labs["patient_id"].astype(str) == ev["patient_id"])
                   & (labs["day"].astype(float) >= day - window)
                   & (labs["day"].astype(float) <= day + window)]
        sub = sub[sub[crit.lab].notna()]
        row = {"patient_id": ev["patient_id"], "term": ev["term"], "day": int(day),
               "ae_grade": int(ev["grade"]), "nadir": np.nan, "nadir_day": pd.NA,
               "lab_grade": pd.NA, "agrees": False, "note": ""}
        if sub.empty:
            row["note"] = f"no {crit.lab} value within {window} days of onset"
        else:
            i = sub[crit.lab].astype(float).idxmin()
            nadir = float(sub.at[i, crit.lab])
            g = ctc_grade(crit.term, nadir, lln=lln.get(crit.term))
            row.update(nadir=nadir, nadir_day=int(sub.at[i, "day"]), lab_grade=g,
                       agrees=(g == int(ev["grade"])))
            if g != int(ev["grade"]):
                row["note"] = (f"recorded grade {int(ev['grade'])}, nadir {nadir:g} {crit.unit} "
                               f"is CTC v3.0 grade {g}")
        rows.append(row)
    out = pd.DataFrame(rows, columns=["patient_id", "term", "day", "ae_grade", "nadir", "nadir_day",
                                      "lab_grade", "agrees", "note"])
    out["agrees"] = out["agrees"].astype(bool)
    return out


# --------------------------------------------------------------------------------------------
# Time to the first grade 3+ event (cumulative incidence with death as a competing risk)
# --------------------------------------------------------------------------------------------

#: ASSUMPTION: adverse events are collected until 30 days after the last dose (common protocol
#: practice; the paper does not say).
AE_WINDOW_AFTER_OFF_TREATMENT = 30

#: What ``first_event_data`` may count as the competing event.
COMPETING_CHOICES = ("death", "death_or_off_treatment")


def first_event_data(adverse_events: pd.DataFrame, patients: pd.DataFrame, category: str = "hematologic",
                     min_grade: int = 3, attribution: Iterable[str] | None = None,
                     window_after_off: int = AE_WINDOW_AFTER_OFF_TREATMENT,
                     competing: str = "death") -> pd.DataFrame:
    """Per patient: days to the first ``category`` event of grade >= ``min_grade``, or a competing event.

    ``event`` = 1 for the event, 2 for the competing event before it, 0 for censoring at the end
    of adverse-event collection (``off_treatment_day + window_after_off``, else last contact).
    ``competing="death"``: only death is competing. ``competing="death_or_off_treatment"``: going
    off treatment also ends the exposure, so a patient whose collection window closed after the
    last dose (``off_treatment_day + window_after_off``, day) without the event has the competing
    event then (this is not uninformative censoring: the patient can no longer have a
    treatment-emergent event). Returns ``patient_id, duration, event`` (duration in days).
    """
    if competing not in COMPETING_CHOICES:
        raise ValueError(f"competing={competing!r}; allowed: {', '.join(COMPETING_CHOICES)}")
    ae = _check_events(adverse_events, extra=["category", "day"])
    ae = filter_events(ae, min_grade, attribution)
    ae = ae[ae["category"] == category]
    first = ae.groupby("patient_id")["day"].min()
    rows = []
    for _, p in patients.iterrows():
        pid = str(p["patient_id"])
        last = float(p["last_contact_day"])
        end = last
        if pd.notna(p.get("off_treatment_day")):
            end = min(last, float(p["off_treatment_day"]) + window_after_off)
        death = p.get("death_day")
        if pid in first.index and float(first[pid]) <= end:
            rows.append((pid, float(first[pid]), 1))
        elif pd.notna(death) and float(death) <= end:
            rows.append((pid, float(death), 2))
        elif (competing == "death_or_off_treatment" and pd.notna(p.get("off_treatment_day"))
              and float(p["off_treatment_day"]) + window_after_off <= last):
            rows.append((pid, end, 2))
        else:
            rows.append((pid, end, 0))
    return pd.DataFrame(rows, columns=["patient_id", "duration", "event"])


def cumulative_incidence(data: pd.DataFrame, seed: int = 0):
    """Aalen-Johansen cumulative incidence of event 1 with event 2 competing (lifelines).

    lifelines breaks tied times by a small seeded jitter; ``seed`` keeps the result fixed.
    Returns the fitted ``AalenJohansenFitter`` (``cumulative_density_`` indexed by days).
    """
    from lifelines import AalenJohansenFitter

    ajf = AalenJohansenFitter(seed=seed, calculate_variance=True)
    ajf.fit(data["duration"], data["event"], event_of_interest=1, label="first grade 3+ event")
    return ajf


# --------------------------------------------------------------------------------------------
# Dose delays and reductions
# --------------------------------------------------------------------------------------------


def modifications_by_reason(cycles: pd.DataFrame, kind: str = "delayed") -> pd.DataFrame:
    """Cycles and patients with a dose delay (``kind="delayed"``) or reduction (``"reduced"``), by reason.

    Rows: each reason (``delay_reason`` / ``reduction_reason``) and ``total``; columns ``cycles``,
    ``patients``. Patients are counted once per reason and once in the total (so reasons may add
    up to more than the total when a patient had several reasons).
    """
    if kind not in ("delayed", "reduced"):
        raise ValueError(f"kind={kind!r}; allowed: 'delayed', 'reduced'")
    reason = "delay_reason" if kind == "delayed" else "reduction_reason"
    for col in ("patient_id", kind, reason):
        if col not in cycles.columns:
            raise ValueError(f"cycles is missing column {col!r}")
    flag = cycles[kind].astype("boolean").fillna(False).astype(bool)
    sub = cycles[flag]
    by = sub.groupby(sub[reason].astype(str), observed=True).agg(
        cycles=("patient_id", "size"), patients=("patient_id", "nunique"))
    by = by.sort_values(["cycles", "patients"], ascending=False)
    by.loc["total"] = [len(sub), sub["patient_id"].nunique()]
    by.index.name = reason
    return by.astype(int)


def incidence_at(ajf, months: float) -> float:
    """Cumulative incidence from a fitted Aalen-Johansen model at ``months`` (days / (365.25/12))."""
    if isinstance(months, bool) or not isinstance(months, (int, float)) or not months >= 0:
        raise ValueError(f"months={months!r} must be a number >= 0")
    cif = ajf.cumulative_density_.iloc[:, 0]
    days = months * 365.25 / 12
    before = cif[cif.index <= days]
    return float(before.iloc[-1]) if len(before) else 0.0


# --------------------------------------------------------------------------------------------
# Ours against the paper's printed numbers (datasets/published_numbers.csv)
# --------------------------------------------------------------------------------------------


def published_value(published: pd.DataFrame, key: str) -> float | None:
    """The paper's printed value for ``key`` in ``published_numbers.csv`` (None if not printed)."""
    rows = published.loc[published["key"] == key, "value"]
    if rows.empty:
        return None
    return float(rows.iloc[0])


def table2_against_published(table2: pd.DataFrame, published: pd.DataFrame, n_patients: int = 22) -> pd.DataFrame:
    """Every Table 2 cell of ``published`` beside the same cell of ``table2`` (a :func:`toxicity_table`).

    One row per published ``t2_<term>_g<grade>_n`` key: ``term`` (code), ``row`` (printed label),
    ``grade``, ``ours_n``, ``paper_n``, ``ours_pct`` (rounded as the paper rounds), ``paper_pct``
    (None for a blank cell), ``blank`` (the paper leaves the cell empty) and ``match``.
    """
    n_patients = _check_n(n_patients)
    keys = published.loc[published["key"].astype(str).str.match(r"^t2_.+_g\d_n$"), "key"]
    rows = []
    for key in keys:
        term, grade = key[3:-5], int(key[-3])
        label = TABLE2_TERMS.get(term, term.capitalize())
        hit = [ix for ix in table2.index if ix[1] == label]
        ours_n = int(table2.loc[hit[0], (grade, "No.")]) if hit and (grade, "No.") in table2.columns else 0
        paper_n = int(published_value(published, key))
        paper_pct = published_value(published, f"t2_{term}_g{grade}_pct")
        ours_pct = percent(ours_n, n_patients)
        match = ours_n == paper_n and (paper_pct is None and ours_n == 0 or paper_pct == ours_pct)
        rows.append({"term": term, "row": label, "grade": grade, "ours_n": ours_n, "paper_n": paper_n,
                     "ours_pct": ours_pct, "paper_pct": None if paper_pct is None else int(paper_pct),
                     "blank": paper_n == 0, "match": bool(match)})
    return pd.DataFrame(rows)


def totals_against_published(adverse_events: pd.DataFrame, published: pd.DataFrame, min_grade: int = 3) -> pd.DataFrame:
    """Grade 3+ patients per category and worst grade, all attributions and attributed, beside the paper.

    Keys ``ae_<hem|nonhem>_<g3plus|g3|g4|g5>_<all|attr>`` of ``published_numbers.csv``.
    Returns ``key, quantity, ours, paper, match``.
    """
    rows = []
    for attr_key, attribution in (("all", None), ("attr", RELATED)):
        t = worst_grade_by_category(adverse_events, min_grade, attribution)
        for category, short in (("hematologic", "hem"), ("nonhematologic", "nonhem")):
            for what, col in (("g3plus", "total"), ("g3", 3), ("g4", 4), ("g5", 5)):
                key = f"ae_{short}_{what}_{attr_key}"
                paper = published_value(published, key)
                if paper is None:
                    continue
                ours = int(t.loc[category, col])
                label = (f"{category}, {'all attributions' if attr_key == 'all' else 'attributed'}, "
                         f"{'grade 3+' if what == 'g3plus' else 'worst grade ' + what[1:]}")
                rows.append({"key": key, "quantity": label, "ours": ours, "paper": int(paper),
                             "match": ours == int(paper)})
    return pd.DataFrame(rows)


def rates_against_published(table2: pd.DataFrame, published: pd.DataFrame, n_patients: int = 22) -> pd.DataFrame:
    """Grade 3-4 anemia, neutropenia and thrombocytopenia (% of patients) beside the paper's 23/32/50%.

    Patients with worst grade 3 plus worst grade 4 in ``table2`` (each patient once), over
    ``n_patients``, rounded as the paper rounds. Returns ``term, patients, ours_pct, paper_pct, match``.
    """
    n_patients = _check_n(n_patients)
    rows = []
    for term in ("anemia", "neutropenia", "thrombocytopenia"):
        label = TABLE2_TERMS[term]
        hit = [ix for ix in table2.index if ix[1] == label]
        n = sum(int(table2.loc[hit[0], (g, "No.")]) for g in (3, 4)) if hit else 0
        paper = published_value(published, f"rate_{term}_g34")
        ours = percent(n, n_patients)
        rows.append({"term": term, "patients": n, "ours_pct": ours,
                     "paper_pct": None if paper is None else int(paper),
                     "match": paper is not None and ours == int(paper)})
    return pd.DataFrame(rows)


def ctc_vs_iwcll(labs: pd.DataFrame, patient_ids: Iterable[str] | None = None,
                 lln: dict[str, float] | None = None) -> pd.DataFrame:
    """Each patient's on-study nadir of hemoglobin, platelets and ANC graded both ways.

    Baseline = the day-0 row; nadir = the lowest value after day 0. Returns one row per patient
    and parameter: ``patient_id, parameter, baseline, nadir, nadir_day, fall_pct, ctc_grade,
    iwcll_grade`` (``iwcll_grade`` is ``pd.NA`` when not evaluable). Both use the same LLN
    (default: the documented assumption). No attribution here: a lab value does not know why
    it fell.
    """
    lln = dict(lln or {})
    ids = sorted(labs["patient_id"].astype(str).unique()) if patient_ids is None else [str(p) for p in patient_ids]
    rows = []
    for pid in ids:
        sub = labs[labs["patient_id"].astype(str) == pid]
        for param, col in (("hemoglobin", "hb"), ("platelets", "plt"), ("anc", "anc")):
            term = IWCLL_PARAMETERS[param]
            base = sub.loc[sub["day"] == 0, col].dropna()
            after = sub.loc[sub["day"] > 0, ["day", col]].dropna()
            if base.empty or after.empty:
                continue
            i = after[col].astype(float).idxmin()
            b, n = float(base.iloc[0]), float(after.at[i, col])
            limit = lln.get(term)
            iw = iwcll_grade(param, b, n, lln=limit)
            rows.append({"patient_id": pid, "parameter": param, "baseline": b, "nadir": n,
                         "nadir_day": int(after.at[i, "day"]), "fall_pct": 100.0 * (b - n) / b if b else np.nan,
                         "ctc_grade": ctc_grade(term, n, lln=limit), "iwcll_grade": pd.NA if iw is None else iw})
    out = pd.DataFrame(rows)
    if not out.empty:
        out["iwcll_grade"] = out["iwcll_grade"].astype("Int64")
    return out


def one_minus_km(data: pd.DataFrame):
    """1 - Kaplan-Meier for event 1, treating competing events (2) as censored: a function of months.

    Shown beside :func:`cumulative_incidence` to teach why that is biased upwards when
    competing events occur.
    """
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter().fit(data["duration"], (data["event"] == 1).astype(int))

    def at(months: float) -> float:
        return float(1.0 - kmf.survival_function_at_times(months * 365.25 / 12).iloc[0])

    return at


def unrecorded_lab_toxicity(adverse_events: pd.DataFrame, labs: pd.DataFrame, min_grade: int = 3,
                            window: int = 7, terms: Sequence[str] = ("anemia", "leukopenia", "neutropenia",
                                                                    "thrombocytopenia"),
                            lln: dict[str, float] | None = None) -> pd.DataFrame:
    """The other direction of :func:`lab_consistency`: lab values at CTC grade >= ``min_grade``
    with no adverse event of that term (any grade, any attribution) starting within ``window`` days.

    Returns one row per such lab value: ``patient_id, term, day, value, ctc_grade``. Lymphopenia is
    left out by default: in CLL the lymphocyte count is the disease, and nobody records it as an
    adverse event.
    """
    min_grade = _check_min_grade(min_grade)
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"window={window!r} must be a whole number of days >= 0")
    ae = _check_events(adverse_events, extra=["day"])
    lln = dict(lln or {})
    rows = []
    for term in terms:
        crit = _resolve_term(term)
        if crit.lab not in labs.columns:
            raise ValueError(f"labs is missing column {crit.lab!r} needed to check {crit.term}")
        sub = labs[["patient_id", "day", crit.lab]].dropna()
        onsets = ae.loc[ae["term"] == crit.term, ["patient_id", "day"]]
        for _, r in sub.iterrows():
            g = ctc_grade(crit.term, float(r[crit.lab]), lln=lln.get(crit.term))
            if g < min_grade:
                continue
            pid, day = str(r["patient_id"]), float(r["day"])
            near = onsets[(onsets["patient_id"] == pid) & ((onsets["day"].astype(float) - day).abs() <= window)]
            if near.empty:
                rows.append({"patient_id": pid, "term": crit.term, "day": int(day),
                             "value": float(r[crit.lab]), "ctc_grade": g})
    return pd.DataFrame(rows, columns=["patient_id", "term", "day", "value", "ctc_grade"])
