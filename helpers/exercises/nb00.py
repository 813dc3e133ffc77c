"""Exercises of notebook 00 (start here). Expected values are computed, never typed."""
from __future__ import annotations

from helpers.exercises import register


@register("00.1", kind="integer",
          hint="Count the rows of the patients table; the Methods call every eligible, treated patient evaluable.")
def _denominator() -> int:
    from helpers.data import load_patients

    return len(load_patients())


@register("00.2", kind="number", tol=0.05,
          hint="Divide the two counts the sentence gives, multiply by 100, keep one decimal.")
def _six_of_nine() -> float:
    from helpers.data import load_patients

    patients = load_patients()
    high = patients[patients["alc"] > 5]
    return round(100 * int(high["mobilized"].sum()) / len(high), 1)


@register("00.3", kind="number", tol=0.05,
          hint="Divide the days by the number of days in an average month, 365.25 / 12.")
def _months() -> float:
    from helpers.data import to_months

    return round(float(to_months(320)), 1)
