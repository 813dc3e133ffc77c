"""Exercise bank of notebook 02 (eligibility and treatment rules).

Each expected value is computed by the engines (helpers.eligibility, helpers.treatment) from
the synthetic screening population or the reconstructed cohort, never typed in.
"""
from __future__ import annotations

from helpers.exercises import register

# A patient for exercise 02.2 (made up for the exercise; not a cohort row).
EX2_PATIENT = dict(variant="SLL", age=66, life_expectancy_ge_3_months=True, ecog=1, hiv_known=False,
                   prior_therapies=4, months_since_recurrence_biopsy=1.5, largest_node_cm=3.4,
                   alc=2.1, anc=1.8, plt=96.0, hb=10.4, creatinine_xunl=1.1,
                   bilirubin_total_xunl=2.6, bilirubin_direct_xunl=1.2, ast_xunl=4.0,
                   liver_involvement=False)

# Cycles for exercise 02.4 (made up): full dose twice, then two reductions.
EX4_DOSES = ("10 mg daily", "10 mg daily", "5 mg daily", "5 mg every other day")


@register("02.1", kind="integer",
          hint="Run helpers.eligibility.screening_funnel(helpers.eligibility.screening_population()) "
               "and read n_eligible (a missing value is never a pass).")
def _eligible_default() -> int:
    from helpers.eligibility import screening_funnel, screening_population

    return screening_funnel(screening_population()).n_eligible


@register("02.2", kind="text", choices=("bilirubin", "ast", "both", "neither"),
          hint="Bilirubin has an exception for a low direct bilirubin; the AST limit is 3x UNL "
               "unless the liver is involved. Check each with check_eligibility.")
def _which_fails() -> str:
    from helpers.eligibility import check_eligibility

    report = check_eligibility(EX2_PATIENT)
    failed = [r for r in ("bilirubin", "ast") if report[r].status == "failed"]
    return {0: "neither", 2: "both"}.get(len(failed), failed[0] if failed else "neither")


@register("02.3", kind="bool",
          hint="Convert first: cells per microlitre / 1000 = x10^9/L (helpers.eligibility.convert).")
def _anc_900_per_ul() -> bool:
    from helpers.eligibility import check_eligibility

    return check_eligibility({"anc": 900}, rules=["anc"], units={"anc": "/uL"}).eligible


@register("02.4", kind="number", tol=0.005,
          hint="Milligrams per 28-day cycle: 280, 140, 70, 50 (dose_ladder_table); divide the sum "
               "by 4 cycles x 280 mg.")
def _rdi() -> float:
    import pandas as pd

    from helpers.treatment import dose_intensity

    cycles = pd.DataFrame({"patient_id": "X", "cycle": range(1, len(EX4_DOSES) + 1), "dose": EX4_DOSES})
    return float(dose_intensity(cycles)["relative_dose_intensity"].iloc[0])


@register("02.5", kind="integer",
          hint="Compare screening_funnel(pop).n_eligible with screening_funnel(pop, plt_min=50).n_eligible.")
def _gain_plt50() -> int:
    from helpers.eligibility import screening_funnel, screening_population

    pop = screening_population()
    return screening_funnel(pop, plt_min=50).n_eligible - screening_funnel(pop).n_eligible


@register("02.6", kind="text",
          hint="helpers.treatment.dose_intensity(helpers.data.load_cycles()) and sort by "
               "relative_dose_intensity; answer with the patient id, e.g. 'P05'.")
def _lowest_rdi() -> str:
    from helpers.data import load_cycles
    from helpers.treatment import dose_intensity

    di = dose_intensity(load_cycles()).sort_values(["relative_dose_intensity", "patient_id"])
    return str(di["patient_id"].iloc[0])
