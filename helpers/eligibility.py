"""Eligibility criteria of Zent et al. (Cancer 2010;116:2201-7) as executable rules.

The Methods' eligibility list is encoded as data (:data:`RULES`, one :class:`Rule` per
criterion), checked per patient by :func:`check_eligibility` and per population by
:func:`evaluate_population` / :func:`screening_funnel`. A synthetic screening population
(:func:`screening_population`) lets a fellow see how each threshold shapes who enters a trial.

Conventions
-----------
* Units (canonical): blood counts x10^9/L, hemoglobin g/dL, organ function as multiples of the
  upper normal limit (x UNL), node size cm, ages years, times months (days / (365.25/12)).
  Other units are accepted only when named (``units={"anc": "/uL"}``) and converted exactly.
* Three-valued logic: every rule is ``passed``, ``failed`` or ``unknown``. A missing value is
  ``unknown``, never a pass. Rules with an "or" (measurable disease; the bilirubin exception)
  pass when either branch passes, fail when both fail, and are unknown otherwise.
* Thresholds are overridable by parameter name (``anc_min=0.5``); :data:`PARAMETERS` lists them.
* Bad input raises ``ValueError`` naming the field, the value and what is allowed.

Every rule's ``source`` paraphrases the paper's Methods; only a few short phrases are quoted
(in quotation marks), so the table never reproduces the eligibility paragraph.
For teaching only: not for clinical decisions or real trial screening.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

PAPER = "Zent et al., Cancer 2010;116:2201-7, Methods"

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"
_P, _F, _U = 1, 0, -1  # internal codes (int8 arrays)
_CODE_TO_STATUS = {_P: PASSED, _F: FAILED, _U: UNKNOWN}

COMPARISONS = (">=", "<=", ">", "<", "==", "in")

# --------------------------------------------------------------------------------------------
# Variables: canonical unit, accepted units (exact conversions), allowed ranges
# --------------------------------------------------------------------------------------------
_COUNT_UNITS = {
    "x10^9/L": (1, 1), "×10^9/L": (1, 1), "10^9/L": (1, 1), "G/L": (1, 1),
    "x10^3/uL": (1, 1), "x10^3/µL": (1, 1), "K/uL": (1, 1), "K/µL": (1, 1),
    "/uL": (1, 1000), "/µL": (1, 1000), "/mm3": (1, 1000), "cells/uL": (1, 1000),
    "cells/µL": (1, 1000),
}
_XUNL_UNITS = {"x UNL": (1, 1), "xUNL": (1, 1), "× UNL": (1, 1)}


@dataclass(frozen=True)
class Variable:
    """One patient variable the rules read.

    ``units`` maps each accepted unit to ``(multiply, divide)`` so a value in that unit becomes
    canonical as ``value * multiply / divide`` (division keeps 1000/uL -> 1.0 exact).
    ``plausible_max`` catches values given in the wrong unit (e.g. ANC 1500 meant per uL).
    """

    name: str
    label: str
    unit: str
    kind: str  # "number", "integer", "bool", "category"
    units: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    minimum: float | None = 0.0
    plausible_max: float | None = None
    categories: tuple[str, ...] = ()

    def to_canonical(self, value: float, unit: str) -> float:
        if unit == self.unit:
            return value
        if unit not in self.units:
            allowed = ", ".join(sorted({self.unit, *self.units}))
            raise ValueError(f"field {self.name!r}: unknown unit {unit!r}; allowed units: {allowed}")
        mul, div = self.units[unit]
        return value * mul / div


VARIABLES: dict[str, Variable] = {v.name: v for v in (
    Variable("variant", "diagnosis (CLL or SLL variant)", "", "category", categories=("CLL", "SLL"),
             minimum=None),
    Variable("age", "age", "years", "number", {"years": (1, 1), "y": (1, 1)}, 0, 120),
    Variable("life_expectancy_ge_3_months", "life expectancy of at least 3 months (clinical judgement)",
             "", "bool", minimum=None),
    Variable("ecog", "ECOG performance status", "ECOG grade", "integer", {"ECOG": (1, 1)}, 0, 5),
    Variable("hiv_known", "known HIV infection", "", "bool", minimum=None),
    Variable("prior_therapies", "prior therapies", "regimens", "integer", {"regimens": (1, 1)}, 0, 50),
    Variable("months_since_recurrence_biopsy", "time since the biopsy proving recurrence", "months",
             "number", {"months": (1, 1), "days": (12, 365.25)}, 0, 600),
    Variable("largest_node_cm", "largest lesion, greatest dimension", "cm", "number",
             {"cm": (1, 1), "mm": (1, 10)}, 0, 60),
    Variable("alc", "absolute lymphocyte count (ALC)", "x10^9/L", "number", _COUNT_UNITS, 0, 2000),
    Variable("anc", "absolute neutrophil count (ANC)", "x10^9/L", "number", _COUNT_UNITS, 0, 100),
    Variable("plt", "platelet count", "x10^9/L", "number", _COUNT_UNITS, 0, 3000),
    Variable("hb", "hemoglobin", "g/dL", "number", {"g/dL": (1, 1), "g/L": (1, 10)}, 0, 25),
    Variable("creatinine_xunl", "serum creatinine", "x UNL", "number", _XUNL_UNITS, 0, 50),
    Variable("bilirubin_total_xunl", "total bilirubin", "x UNL", "number", _XUNL_UNITS, 0, 50),
    Variable("bilirubin_direct_xunl", "direct bilirubin", "x UNL", "number", _XUNL_UNITS, 0, 50),
    Variable("ast_xunl", "aspartate aminotransferase (AST)", "x UNL", "number", _XUNL_UNITS, 0, 100),
    Variable("liver_involvement", "liver involvement by CLL/SLL", "", "bool", minimum=None),
)}


def convert(value: float, variable: str, unit: str) -> float:
    """Convert ``value`` given in ``unit`` to the canonical unit of ``variable``.

    >>> convert(1500, "anc", "/uL")   # 1500 cells per microlitre = 1.5 x10^9/L
    1.5
    """
    if variable not in VARIABLES:
        raise ValueError(f"field {variable!r} is not an eligibility variable; allowed: {', '.join(VARIABLES)}")
    return VARIABLES[variable].to_canonical(float(value), unit)


# --------------------------------------------------------------------------------------------
# Rules as data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    """``variable comparison threshold``; ``param`` is the override key (None = fixed)."""

    variable: str
    comparison: str
    threshold: Any
    param: str | None = None

    def __post_init__(self) -> None:
        if self.variable not in VARIABLES:
            close = difflib.get_close_matches(self.variable, VARIABLES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"condition variable {self.variable!r} is unknown{hint}; "
                             f"allowed: {', '.join(VARIABLES)}")
        if self.comparison not in COMPARISONS:
            raise ValueError(f"condition on {self.variable!r}: comparison {self.comparison!r} "
                             f"is not one of {COMPARISONS}")

    @property
    def unit(self) -> str:
        return VARIABLES[self.variable].unit

    def text(self) -> str:
        var = VARIABLES[self.variable]
        if var.kind == "bool":
            return f"{self.variable} is {'true' if self.threshold else 'false'}"
        if self.comparison == "in":
            return f"{self.variable} in {{{', '.join(self.threshold)}}}"
        unit = f" {var.unit}" if var.unit and var.kind != "integer" else ""
        return f"{self.variable} {self.comparison} {_fmt(self.threshold)}{unit}"


@dataclass(frozen=True)
class Rule:
    """One eligibility criterion.

    ``condition`` must hold; two kinds of exception are encoded as data:

    * ``alternative`` with ``switch=None``: an "or" (the rule also passes when the alternative
      holds): measurable disease (node or ALC) and the bilirubin exception;
    * ``alternative`` with ``switch="flag"``: when the flag variable is true, the alternative
      *replaces* the condition: AST <= 3x UNL, or <= 5x UNL with liver involvement.

    ``source`` paraphrases the paper (short quotes in quotation marks); ``verified`` is False for a reading we could
    not check against the source.
    """

    name: str
    label: str
    condition: Condition
    source: str
    alternative: Condition | None = None
    switch: str | None = None
    verified: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        if self.switch is not None:
            if self.switch not in VARIABLES or VARIABLES[self.switch].kind != "bool":
                raise ValueError(f"rule {self.name!r}: switch {self.switch!r} must be a yes/no variable")
            if self.alternative is None:
                raise ValueError(f"rule {self.name!r}: a switch needs an alternative condition")

    # the flat view the brief asks for: variable, comparison, threshold, unit
    @property
    def variable(self) -> str:
        return self.condition.variable

    @property
    def comparison(self) -> str:
        return self.condition.comparison

    @property
    def threshold(self) -> Any:
        return self.condition.threshold

    @property
    def unit(self) -> str:
        return self.condition.unit

    @property
    def variables(self) -> tuple[str, ...]:
        out = [self.condition.variable]
        if self.alternative is not None and self.alternative.variable not in out:
            out.append(self.alternative.variable)
        if self.switch is not None:
            out.append(self.switch)
        return tuple(out)

    @property
    def params(self) -> dict[str, Any]:
        """Overridable thresholds of this rule: parameter name -> current value."""
        out = {}
        for cond in (self.condition, self.alternative):
            if cond is not None and cond.param is not None:
                out[cond.param] = cond.threshold
        return out

    def exception_text(self) -> str:
        if self.alternative is None:
            return ""
        if self.switch is None:
            return f"or {self.alternative.text()}"
        return f"{self.alternative.text()} if {self.switch} is true"


RULES: tuple[Rule, ...] = (
    Rule("diagnosis", "CLL (NCI-WG 1996) or SLL variant (WHO)",
         Condition("variant", "in", ("CLL", "SLL")),
         "CLL by the NCI Working Group 1996 criteria, or the SLL variant by the WHO definition",
         note="SLL as defined by the WHO (Muller-Hermelink HK et al., in: Jaffe E et al., eds. "
              "Tumours of Haematopoietic and Lymphoid Tissues, IARC Press 2001:127-130)"),
    Rule("prior_therapy", "Previously treated",
         Condition("prior_therapies", ">=", 1, "prior_therapies_min"),
         "treated before for the lymphoid malignancy",
         note="no upper limit: 'There was no limit on the number of prior therapies'"),
    Rule("recurrence_biopsy", "Biopsy-proven recurrence within 6 months",
         Condition("months_since_recurrence_biopsy", "<=", 6, "recurrence_biopsy_max_months"),
         "recurrence confirmed by biopsy in the 6 months before enrollment",
         note="recurrent disease or refractory to the last treatment; no biopsy on record = unknown"),
    Rule("age", "Adult", Condition("age", ">=", 18, "age_min"), "adults, 18 years or older"),
    Rule("measurable_disease", "Measurable disease: a lesion > 2 cm or ALC > 5 x10^9/L",
         Condition("largest_node_cm", ">", 2, "node_min_cm"),
         "a lesion on CT or MRI with a single greatest dimension \"of >2 cm\", or an ALC above 5 × 10^9/L",
         alternative=Condition("alc", ">", 5, "alc_min"),
         note="a lesion on CT or MRI; the data hold the largest lesion's greatest dimension as largest_node_cm"),
    Rule("life_expectancy", "Life expectancy >= 3 months",
         Condition("life_expectancy_ge_3_months", "==", True),
         "expected to live at least 3 months",
         note="a yes/no clinical judgement at screening, recorded as such in patients.csv"),
    Rule("ecog", "ECOG performance status 0, 1 or 2", Condition("ecog", "<=", 2, "ecog_max"),
         "ECOG performance status from 0 to 2"),
    Rule("anc", "Neutrophils", Condition("anc", ">=", 1.0, "anc_min"),
         "neutrophils at least 1 × 10^9/L"),
    Rule("plt", "Platelets", Condition("plt", ">=", 75.0, "plt_min"), "platelets at least 75 × 10^9/L"),
    Rule("hb", "Hemoglobin", Condition("hb", ">=", 8.0, "hb_min"), "hemoglobin at least 8 g/dL"),
    Rule("creatinine", "Serum creatinine",
         Condition("creatinine_xunl", "<=", 2.0, "creatinine_max_xunl"),
         "creatinine up to twice the upper normal limit (UNL)"),
    Rule("bilirubin", "Serum bilirubin (with the direct-bilirubin exception)",
         Condition("bilirubin_total_xunl", "<=", 2.0, "bilirubin_total_max_xunl"),
         "bilirubin up to 2 × UNL; above that, accepted when the direct bilirubin is below 1.5 × UNL",
         alternative=Condition("bilirubin_direct_xunl", "<", 1.5, "bilirubin_direct_max_xunl"),
         note="a raised, mostly indirect bilirubin (hemolysis, Gilbert syndrome) does not exclude"),
    Rule("ast", "AST (limit depends on liver involvement)",
         Condition("ast_xunl", "<=", 3.0, "ast_max_xunl"),
         "AST up to 3 × UNL, or up to 5 × UNL \"if liver involvement was present\"",
         alternative=Condition("ast_xunl", "<=", 5.0, "ast_liver_max_xunl"), switch="liver_involvement"),
    Rule("hiv", "No known HIV infection", Condition("hiv_known", "==", False),
         "no known HIV infection"),
)

#: Overridable thresholds: parameter name -> (rule name, default value, unit).
PARAMETERS: dict[str, tuple[str, Any, str]] = {}
for _r in RULES:
    for _c in (_r.condition, _r.alternative):
        if _c is not None and _c.param is not None:
            PARAMETERS[_c.param] = (_r.name, _c.threshold, _c.unit)
del _r, _c


def _fmt(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return f"{float(x):g}"
    return str(x)


def _resolve_rules(rules: Iterable[Rule | str] | None) -> tuple[Rule, ...]:
    if rules is None:
        return RULES
    if isinstance(rules, (str, Rule)):
        rules = [rules]
    by_name = {r.name: r for r in RULES}
    out = []
    for r in rules:
        if isinstance(r, Rule):
            out.append(r)
        elif isinstance(r, str) and r in by_name:
            out.append(by_name[r])
        else:
            raise ValueError(f"rules: {r!r} is not a Rule or a rule name; rule names: {', '.join(by_name)}")
    names = [r.name for r in out]
    if len(set(names)) != len(names):
        raise ValueError(f"rules: duplicate rule names in {names}")
    return tuple(out)


def with_thresholds(rules: Iterable[Rule | str] | None = None, **overrides: float) -> tuple[Rule, ...]:
    """Return ``rules`` (default :data:`RULES`) with thresholds replaced by parameter name.

    ``with_thresholds(anc_min=0.5, plt_min=50)``. Unknown names and negative or non-numeric
    values raise ``ValueError`` listing what is allowed.
    """
    resolved = _resolve_rules(rules)
    known = {p for r in resolved for p in r.params}
    for key, value in overrides.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"threshold {key!r} is unknown{hint}; allowed: {', '.join(sorted(known))}")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not math.isfinite(float(value)) or value < 0:
            raise ValueError(f"threshold {key!r} = {value!r}: must be a finite number >= 0 "
                             f"(unit {PARAMETERS.get(key, ('', '', ''))[2] or 'as the rule'})")
    if not overrides:
        return resolved
    out = []
    for r in resolved:
        cond, alt = r.condition, r.alternative
        if cond.param in overrides:
            cond = replace(cond, threshold=overrides[cond.param])
        if alt is not None and alt.param in overrides:
            alt = replace(alt, threshold=overrides[alt.param])
        out.append(replace(r, condition=cond, alternative=alt))
    return tuple(out)


def criteria_table(rules: Iterable[Rule | str] | None = None) -> pd.DataFrame:
    """The criteria as a table: one row per rule (name, criterion, variable, comparison,
    threshold, unit, exception, override parameters, source phrase, verified)."""
    rows = []
    for r in _resolve_rules(rules):
        thr = r.threshold
        rows.append({
            "rule": r.name,
            "criterion": r.label,
            "variable": r.variable,
            "comparison": r.comparison,
            "threshold": ", ".join(thr) if isinstance(thr, tuple) else _fmt(thr),
            "unit": r.unit,
            "exception": r.exception_text(),
            "parameters": ", ".join(r.params),
            "paper (Methods), paraphrased": r.source,
            "verified": r.verified,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Input validation: mapping or frame -> canonical arrays
# --------------------------------------------------------------------------------------------
def _is_missing(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, (float, np.floating)) and math.isnan(x))
    except TypeError:
        return False


def _check_fields(columns: Iterable[str], needed: Iterable[str], units: Mapping[str, str]) -> None:
    columns = list(columns)
    needed = list(needed)
    for key in units:
        if key not in VARIABLES:
            raise ValueError(f"units: field {key!r} is not an eligibility variable; "
                             f"allowed: {', '.join(VARIABLES)}")
    absent = [v for v in needed if v not in columns]
    for col in columns:
        if col in VARIABLES or not isinstance(col, str):
            continue
        close = difflib.get_close_matches(col, absent, n=1, cutoff=0.75)
        if close:
            raise ValueError(f"field {col!r} is not an eligibility variable (did you mean {close[0]!r}?); "
                             f"allowed: {', '.join(VARIABLES)}")


def _column(name: str, raw: Sequence[Any], unit: str | None, ids: Sequence[Any]) -> np.ndarray:
    """Validate one column and return it canonical: float array (NaN = missing) or object array."""
    var = VARIABLES[name]
    n = len(raw)
    if var.kind == "category":
        out = np.empty(n, dtype=object)
        for i, x in enumerate(raw):
            if _is_missing(x):
                out[i] = None
            elif str(x) in var.categories:
                out[i] = str(x)
            else:
                raise ValueError(f"field {name!r} = {x!r}{_where(ids, i)}: allowed values are "
                                 f"{', '.join(var.categories)}")
        return out
    out = np.full(n, np.nan)
    if var.kind == "bool":
        for i, x in enumerate(raw):
            if _is_missing(x):
                continue
            if isinstance(x, (bool, np.bool_)) or (isinstance(x, (int, np.integer)) and x in (0, 1)):
                out[i] = float(bool(x))
            else:
                raise ValueError(f"field {name!r} = {x!r}{_where(ids, i)}: allowed values are "
                                 "True / False (or 1 / 0); leave it empty when not known")
        return out
    unit = var.unit if unit is None else unit
    if unit != var.unit and unit not in var.units:
        allowed = ", ".join(sorted({var.unit, *var.units} - {""}))
        raise ValueError(f"field {name!r}: unknown unit {unit!r}; allowed units: {allowed}")
    for i, x in enumerate(raw):
        if _is_missing(x):
            continue
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
            raise ValueError(f"field {name!r} = {x!r}{_where(ids, i)}: must be a number in {var.unit or 'units'}")
        value = float(x)
        if not math.isfinite(value):
            raise ValueError(f"field {name!r} = {x!r}{_where(ids, i)}: must be finite (leave it empty when unknown)")
        value = var.to_canonical(value, unit)
        if var.minimum is not None and value < var.minimum:
            raise ValueError(f"field {name!r} = {x!r}{_where(ids, i)}: must be >= {_fmt(var.minimum)} "
                             f"{var.unit} (a count or a measurement cannot be negative)")
        if var.kind == "integer" and value != int(value):
            raise ValueError(f"field {name!r} = {x!r}{_where(ids, i)}: must be a whole number "
                             f"{_fmt(var.minimum)}..{_fmt(var.plausible_max)}")
        if var.plausible_max is not None and value > var.plausible_max:
            alt = [u for u, (m, d) in var.units.items() if d > m]
            hint = f"; a value in another unit must be declared, e.g. units={{{name!r}: {alt[0]!r}}}" if alt else ""
            raise ValueError(f"field {name!r} = {x!r}{_where(ids, i)}: above the plausible maximum "
                             f"{_fmt(var.plausible_max)} {var.unit}{hint}")
        out[i] = value
    return out


def _where(ids: Sequence[Any], i: int) -> str:
    return f" (patient {ids[i]})" if ids is not None and len(ids) > 1 else ""


def _prepare(frame: pd.DataFrame, variables: Iterable[str], units: Mapping[str, str] | None,
             ids: Sequence[Any] | None = None) -> dict[str, np.ndarray]:
    units = dict(units or {})
    variables = list(dict.fromkeys(variables))
    _check_fields(frame.columns, variables, units)
    n = len(frame)
    data = {}
    for name in variables:
        raw = frame[name].tolist() if name in frame.columns else [None] * n
        data[name] = _column(name, raw, units.get(name), ids)
    return data


# --------------------------------------------------------------------------------------------
# Evaluation (vectorized; three-valued)
# --------------------------------------------------------------------------------------------
def _cond_codes(values: np.ndarray, cond: Condition) -> np.ndarray:
    if cond.comparison == "in":
        return np.array([_U if v is None else (_P if v in cond.threshold else _F) for v in values],
                        dtype=np.int8)
    thr = float(cond.threshold)
    missing = np.isnan(values)
    with np.errstate(invalid="ignore"):
        ok = {">=": values >= thr, "<=": values <= thr, ">": values > thr, "<": values < thr,
              "==": values == thr}[cond.comparison]
    return np.where(missing, _U, np.where(ok, _P, _F)).astype(np.int8)


def _rule_codes(rule: Rule, data: Mapping[str, np.ndarray]) -> np.ndarray:
    main = _cond_codes(data[rule.condition.variable], rule.condition)
    if rule.alternative is None:
        return main
    alt = _cond_codes(data[rule.alternative.variable], rule.alternative)
    if rule.switch is None:  # Kleene OR
        return np.where((main == _P) | (alt == _P), _P,
                        np.where((main == _F) & (alt == _F), _F, _U)).astype(np.int8)
    flag = data[rule.switch]
    return np.where(flag == 1, alt, np.where(flag == 0, main, np.where(main == alt, main, _U))).astype(np.int8)


def evaluate_population(population: pd.DataFrame, rules: Iterable[Rule | str] | None = None, *,
                        units: Mapping[str, str] | None = None, **overrides: float) -> pd.DataFrame:
    """Status of every rule for every row: a frame (index as ``population``; one column per
    rule, values ``passed`` / ``failed`` / ``unknown``) plus ``eligible`` (bool: every rule passed).
    """
    resolved = with_thresholds(rules, **overrides)
    codes = _codes(population, resolved, units)
    out = pd.DataFrame({name: pd.Categorical.from_codes(c + 1, [UNKNOWN, FAILED, PASSED])
                        for name, c in codes.items()}, index=population.index)
    out["eligible"] = np.all(np.stack(list(codes.values())) == _P, axis=0) if codes else True
    return out


def _codes(population: pd.DataFrame, rules: Sequence[Rule], units: Mapping[str, str] | None
           ) -> dict[str, np.ndarray]:
    if not isinstance(population, pd.DataFrame):
        raise ValueError(f"population must be a pandas DataFrame, got {type(population).__name__}")
    ids = population["patient_id"].tolist() if "patient_id" in population.columns else list(population.index)
    data = _prepare(population, [v for r in rules for v in r.variables], units, ids)
    return {r.name: _rule_codes(r, data) for r in rules}


# --------------------------------------------------------------------------------------------
# One patient, with reasons
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleResult:
    rule: str
    label: str
    status: str  # passed / failed / unknown
    reason: str
    values: dict[str, Any]


@dataclass(frozen=True)
class EligibilityReport:
    """Per-rule results for one patient; ``status`` is ``eligible`` only when every rule passed,
    ``ineligible`` when any failed, else ``unknown`` (some value missing)."""

    results: tuple[RuleResult, ...]

    @property
    def status(self) -> str:
        states = {r.status for r in self.results}
        if FAILED in states:
            return "ineligible"
        if UNKNOWN in states:
            return "unknown"
        return "eligible"

    @property
    def eligible(self) -> bool:
        return self.status == "eligible"

    @property
    def failed(self) -> list[str]:
        return [r.rule for r in self.results if r.status == FAILED]

    @property
    def unknown(self) -> list[str]:
        return [r.rule for r in self.results if r.status == UNKNOWN]

    def __getitem__(self, rule: str) -> RuleResult:
        for r in self.results:
            if r.rule == rule:
                return r
        raise KeyError(f"no rule {rule!r}; rules: {', '.join(r.rule for r in self.results)}")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"rule": r.rule, "criterion": r.label, "status": r.status, "reason": r.reason}
                             for r in self.results])


def _value_text(name: str, value: Any) -> str:
    var = VARIABLES[name]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{name} missing"
    if var.kind == "bool":
        return f"{name} = {'yes' if value == 1 else 'no'}"
    if var.kind == "category":
        return f"{name} = {value}"
    unit = f" {var.unit}" if var.unit and var.kind != "integer" else ""
    return f"{name} = {_fmt(value)}{unit}"


_NEG = {">=": "<", "<=": ">", ">": "<=", "<": ">=", "==": "!="}


def _cond_reason(value: Any, cond: Condition, code: int) -> str:
    v = _value_text(cond.variable, value)
    if code == _U:
        return f"{v}: cannot confirm {cond.text()}"
    if cond.comparison == "in" or VARIABLES[cond.variable].kind == "bool":
        return f"{v} ({'meets' if code == _P else 'does not meet'} {cond.text()})"
    op = cond.comparison if code == _P else _NEG[cond.comparison]
    var = VARIABLES[cond.variable]
    unit = f" {var.unit}" if var.unit and var.kind != "integer" else ""
    return f"{v} {op} {_fmt(cond.threshold)}{unit}"


def _reason(rule: Rule, data: Mapping[str, np.ndarray], code: int) -> str:
    c = rule.condition
    main_code = int(_cond_codes(data[c.variable], c)[0])
    main = _cond_reason(data[c.variable][0], c, main_code)
    if rule.alternative is None:
        return main
    a = rule.alternative
    alt_code = int(_cond_codes(data[a.variable], a)[0])
    alt = _cond_reason(data[a.variable][0], a, alt_code)
    if rule.switch is None:
        if main_code == _P:
            return main
        if alt_code == _P:
            return f"{main}, but {alt}: acceptable (exception)" if main_code == _F else f"{alt}: acceptable ({main})"
        if code == _F:
            return f"{main} and {alt}"
        return f"{main}; {alt}"
    flag = data[rule.switch][0]
    if flag == 1:
        return f"{rule.switch} = yes, so the limit is {a.text()}: {alt}"
    if flag == 0:
        return f"{rule.switch} = no, so the limit is {c.text()}: {main}"
    if code == _U:
        return f"{rule.switch} missing and {main}; {alt}: the answer depends on liver involvement"
    return f"{rule.switch} missing, but {main if code == _P else alt} either way"


def check_eligibility(patient: Mapping[str, Any] | pd.Series, rules: Iterable[Rule | str] | None = None, *,
                      units: Mapping[str, str] | None = None, **overrides: float) -> EligibilityReport:
    """Check one patient against the eligibility rules, rule by rule.

    ``patient``: a mapping (dict, pandas Series) of variable -> value in canonical units
    (counts x10^9/L, Hb g/dL, organ function x UNL, node cm, months); other columns are
    ignored unless they look like a misspelled variable. ``units`` declares other units,
    e.g. ``{"anc": "/uL", "hb": "g/L"}``. ``overrides`` replace thresholds by parameter name
    (see :data:`PARAMETERS`, e.g. ``anc_min=0.5``).

    Returns an :class:`EligibilityReport`: per rule ``passed`` / ``failed`` / ``unknown`` with
    the reason. A missing value gives ``unknown``, never a pass.
    """
    if isinstance(patient, pd.Series):
        patient = patient.to_dict()
    if not isinstance(patient, Mapping):
        raise ValueError(f"patient must be a mapping of variable -> value, got {type(patient).__name__}")
    resolved = with_thresholds(rules, **overrides)
    frame = pd.DataFrame([{k: v for k, v in patient.items()}], dtype=object)
    data = _prepare(frame, [v for r in resolved for v in r.variables], units)
    results = []
    for r in resolved:
        code = int(_rule_codes(r, data)[0])
        values = {v: (None if data[v][0] is None or (isinstance(data[v][0], float) and math.isnan(data[v][0]))
                      else data[v][0]) for v in r.variables}
        results.append(RuleResult(r.name, r.label, _CODE_TO_STATUS[code], _reason(r, data, code), values))
    return EligibilityReport(tuple(results))


# --------------------------------------------------------------------------------------------
# Screening funnel
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Funnel:
    """Result of :func:`screening_funnel`.

    ``steps``: rules applied in order; per step the patients still in at the start, those the
    rule excludes (failed; unknown), and those left. A patient leaves at the first rule that does
    not pass. ``marginal``: per rule, regardless of order: failed, unknown, and failed *only* this
    rule (would be eligible but for it). ``co_failure``: rule x rule counts of patients failing
    both (the diagonal = failed that rule). ``n_failed_rules``: how many patients fail 0, 1, 2 ...
    rules.
    """

    steps: pd.DataFrame
    marginal: pd.DataFrame
    co_failure: pd.DataFrame
    n_failed_rules: pd.Series
    n_screened: int
    n_eligible: int
    n_unknown_only: int

    def summary(self) -> str:
        return (f"{self.n_eligible} of {self.n_screened} screened patients eligible "
                f"({100 * self.n_eligible / max(self.n_screened, 1):.1f}%); "
                f"{self.n_unknown_only} more fail no rule but have a missing value")


def screening_funnel(population: pd.DataFrame, rules: Iterable[Rule | str] | None = None, *,
                     units: Mapping[str, str] | None = None, **overrides: float) -> Funnel:
    """Apply ``rules`` in order to ``population`` (one row per screened patient) and count who
    each rule excludes. A patient with a missing value on a rule cannot be confirmed eligible and
    leaves the funnel at that rule as "unknown" (counted apart from "failed")."""
    resolved = with_thresholds(rules, **overrides)
    codes = _codes(population, resolved, units)
    n = len(population)
    remaining = np.ones(n, dtype=bool)
    steps = []
    for r in resolved:
        c = codes[r.name]
        start = int(remaining.sum())
        failed = remaining & (c == _F)
        unknown = remaining & (c == _U)
        remaining = remaining & (c == _P)
        steps.append({"step": len(steps) + 1, "rule": r.name, "criterion": r.label, "in": start,
                      "excluded_failed": int(failed.sum()), "excluded_unknown": int(unknown.sum()),
                      "remaining": int(remaining.sum())})
    names = [r.name for r in resolved]
    fail = np.stack([codes[k] == _F for k in names]) if names else np.zeros((0, n), bool)
    unk = np.stack([codes[k] == _U for k in names]) if names else np.zeros((0, n), bool)
    n_fail = fail.sum(axis=0)
    marginal = pd.DataFrame({
        "rule": names,
        "failed": fail.sum(axis=1).astype(int),
        "unknown": unk.sum(axis=1).astype(int),
        "failed_only_this": (fail & (n_fail == 1)).sum(axis=1).astype(int),
    })
    f = fail.astype(np.int64)
    co = pd.DataFrame(f @ f.T, index=names, columns=names)
    counts = pd.Series(n_fail).value_counts().sort_index()
    counts.index.name = "rules failed"
    n_unknown_only = int(((n_fail == 0) & unk.any(axis=0)).sum())
    return Funnel(pd.DataFrame(steps), marginal, co, counts.rename("patients"), n,
                  int(remaining.sum()), n_unknown_only)


# --------------------------------------------------------------------------------------------
# Synthetic screening population
# --------------------------------------------------------------------------------------------
#: Where each distribution of :func:`screening_population` comes from. Everything marked
#: "assumption" is ours, chosen to be plausible for relapsed CLL/SLL, not taken from a source.
POPULATION_SOURCES: dict[str, str] = {
    "variant": "SLL share 10/22 as in the enrolled cohort (paper, Results); assumption that the "
               "screened population resembles the enrolled one",
    "age": "assumption: normal, mean 71, SD 9 years, 40-92; centred near the enrolled median 74 "
           "(range 46-85, paper Table 1)",
    "alc": "assumption: CLL log-normal, median 25 x10^9/L (enrolled range 0.4-292, Table 1); "
           "SLL uniform 0.4-5 (SLL never had an ALC > 5)",
    "largest_node_cm": "assumption: log-normal, median 3.5 cm; 10% with no lesion > 0 cm on CT/MRI (0 cm)",
    "anc": "assumption: log-normal, median 2.8 x10^9/L (enrolled median, Table 1), wide spread "
           "(relapsed CLL often neutropenic)",
    "plt": "assumption: log-normal, median 135 x10^9/L (enrolled median 147, Table 1), wide spread",
    "hb": "assumption: normal, mean 11.3, SD 2.0 g/dL (enrolled median 11.9, Table 1)",
    "ecog": "assumption: 0/1/2/3/4 with probabilities 0.40/0.36/0.14/0.07/0.03",
    "life_expectancy_ge_3_months": "assumption: judged under 3 months for 3%, and for half of ECOG 3-4",
    "hiv_known": "assumption: 1% known HIV",
    "prior_therapies": "assumption: 3% untreated (referred in error), else 1 + Poisson(3), at most 12",
    "months_since_recurrence_biopsy": "assumption: exponential, mean 2.5 months; 5% no biopsy on "
                                      "record (missing = unknown)",
    "creatinine_xunl": "assumption: log-normal, median 0.8 x UNL",
    "bilirubin_total_xunl": "assumption: log-normal, median 0.6 x UNL; 5% hemolysis with total "
                            "2-5 x UNL and a normal direct fraction; 2% cholestasis with total "
                            "2-6 x UNL, 60-80% of it direct",
    "bilirubin_direct_xunl": "assumption: 20-40% of total, higher with liver involvement",
    "liver_involvement": "assumption: 8%",
    "ast_xunl": "assumption: log-normal, median 0.7 x UNL, about 3 x higher with liver involvement",
    "hb, plt, anc missing": "assumption: 2% of each blood count missing (not yet resulted)",
}

SYNTHETIC_NOTE = ("SYNTHETIC screening population: generated by helpers.eligibility.screening_population "
                  "from assumed distributions (see POPULATION_SOURCES); not patients, not trial data.")


def screening_population(n: int = 400, seed: int = 20100217) -> pd.DataFrame:
    """A seeded, synthetic population of ``n`` relapsed CLL/SLL patients screened for the trial.

    One row per patient (``patient_id`` S001...), the columns :data:`VARIABLES` names, in
    canonical units. Distributions and their sources: :data:`POPULATION_SOURCES` (most are
    assumptions). ``frame.attrs["synthetic"]`` is True and ``frame.attrs["note"]`` says so.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n = {n!r}: must be a whole number >= 1")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed = {seed!r}: must be a whole number >= 0")
    rng = np.random.default_rng(seed)
    sll = rng.random(n) < 10 / 22
    age = np.clip(np.round(rng.normal(71, 9, n)), 40, 92)
    alc = np.where(sll, rng.uniform(0.4, 5.0, n), np.exp(rng.normal(np.log(25), 1.2, n)))
    alc = np.clip(alc, 0.4, 600)
    node = np.exp(rng.normal(np.log(3.5), 0.6, n))
    node = np.where(rng.random(n) < 0.10, 0.0, node)
    node = np.where(sll & (node < 1.0), 1.0, node)  # SLL is node-based disease
    anc = np.exp(rng.normal(np.log(2.8), 0.75, n))
    plt = np.exp(rng.normal(np.log(135), 0.6, n))
    hb = np.clip(rng.normal(11.3, 2.0, n), 5.0, 17.5)
    ecog = rng.choice(5, size=n, p=[0.40, 0.36, 0.14, 0.07, 0.03])
    short = (rng.random(n) < 0.03) | ((ecog >= 3) & (rng.random(n) < 0.5))
    hiv = rng.random(n) < 0.01
    prior = np.where(rng.random(n) < 0.03, 0, np.minimum(1 + rng.poisson(3, n), 12))
    biopsy = np.round(rng.exponential(2.5, n), 1)
    biopsy = np.where(rng.random(n) < 0.05, np.nan, biopsy)
    creat = np.exp(rng.normal(np.log(0.8), 0.4, n))
    liver = rng.random(n) < 0.08
    hemolysis = rng.random(n) < 0.05
    bili = np.where(hemolysis, rng.uniform(2.0, 5.0, n), np.exp(rng.normal(np.log(0.6), 0.5, n)))
    direct_share = np.where(liver, rng.uniform(0.4, 0.7, n), rng.uniform(0.2, 0.4, n))
    direct = np.where(hemolysis, rng.uniform(0.2, 0.6, n), bili * direct_share)
    cholestasis = ~hemolysis & (rng.random(n) < 0.02)
    bili = np.where(cholestasis, rng.uniform(2.0, 6.0, n), bili)
    direct = np.where(cholestasis, bili * rng.uniform(0.6, 0.8, n), direct)
    ast = np.exp(rng.normal(np.log(0.7), 0.5, n)) * np.where(liver, 3.0, 1.0)
    frame = pd.DataFrame({
        "patient_id": [f"S{i + 1:03d}" for i in range(n)],
        "variant": np.where(sll, "SLL", "CLL"),
        "age": age.astype(int),
        "life_expectancy_ge_3_months": ~short,
        "ecog": ecog.astype(int),
        "hiv_known": hiv,
        "prior_therapies": prior.astype(int),
        "months_since_recurrence_biopsy": biopsy,
        "largest_node_cm": np.round(node, 1),
        "alc": np.round(alc, 1),
        "anc": np.round(anc, 2),
        "plt": np.round(plt, 0),
        "hb": np.round(hb, 1),
        "creatinine_xunl": np.round(creat, 2),
        "bilirubin_total_xunl": np.round(bili, 2),
        "bilirubin_direct_xunl": np.round(direct, 2),
        "ast_xunl": np.round(ast, 2),
        "liver_involvement": liver,
    })
    for col in ("anc", "plt", "hb"):
        frame.loc[rng.random(n) < 0.02, col] = np.nan
    frame.attrs["synthetic"] = True
    frame.attrs["note"] = SYNTHETIC_NOTE
    return frame
