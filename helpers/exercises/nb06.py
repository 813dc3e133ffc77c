"""Exercise bank for notebook 06 (toxicity). Expected values are computed, never typed in."""
from __future__ import annotations

from helpers.exercises import register


def _events():
    from helpers.data import load_adverse_events

    return load_adverse_events()


@register("06.1", kind="integer",
          hint="Count patients, not events: take each patient's worst grade among hematologic events "
               "of grade 3 or more, of any attribution (helpers.toxicity.worst_grade_by_category).")
def _patients_with_grade3plus_hematologic_any_attribution():
    from helpers.toxicity import worst_grade_by_category

    return int(worst_grade_by_category(_events(), 3, None).loc["hematologic", "total"])


@register("06.2", kind="integer",
          hint="Rows of adverse_events are episodes; filter category == 'hematologic' and grade >= 3 and "
               "count the rows, without removing repeats of the same patient.")
def _grade3plus_hematologic_event_rows():
    ae = _events()
    return int(((ae["category"] == "hematologic") & (ae["grade"] >= 3)).sum())


@register("06.3", kind="number", tol=0.5,
          hint="Table 2's attribution (possible, probable, definite); a patient counts once, at the worst "
               "grade: (grade 3 + grade 4 patients) / 22, as a percentage.")
def _related_grade34_neutropenia_percent():
    from helpers.toxicity import toxicity_table

    t = toxicity_table(_events(), min_grade=3, n_patients=22)
    row = t.xs("Neutropenia", level="term").iloc[0]
    return 100.0 * (row[(3, "No.")] + row[(4, "No.")]) / 22


@register("06.4", kind="integer",
          hint="In CTCAE v3.0 a band printed '<A - B' means below A and at least B. "
               "Find the platelet band that contains 25.0 x10^9/L.")
def _ctc_grade_of_platelets_25():
    from helpers.toxicity import ctc_grade

    return ctc_grade("thrombocytopenia", 25.0)


@register("06.5", kind="integer",
          hint="iwCLL 2008 grades platelets by the percent fall from baseline once below normal: "
               "(90 - 48) / 90 = ? Then read Table 5 of Hallek et al. 2008.")
def _iwcll_grade_of_platelets_90_to_48():
    from helpers.toxicity import iwcll_grade

    return iwcll_grade("platelets", 90.0, 48.0)
