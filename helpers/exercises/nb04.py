"""Exercise bank of notebook 04 (mobilization). Expected answers are computed from the datasets
through helpers.mobilization, never typed in."""
from __future__ import annotations

from helpers.exercises import register


def _metrics():
    from helpers.mobilization import patient_metrics
    return patient_metrics()


@register("04.1", kind="integer",
          hint="classify_mobilized(metrics) with the default definition, then keep the patients whose "
               "baseline ALC (column baseline_alc) is above 5 x10^9/L.")
def _ex1():
    from helpers.mobilization import classify_mobilized
    c = classify_mobilized(_metrics())
    return int((c["mobilized"] & (c["baseline_alc"] > 5.0)).sum())


@register("04.2", kind="integer",
          hint="Demand a doubling of the ALC and a node decrease of at least 50% (the size of a PR "
               "criterion): classify_mobilized(metrics, alc_fold_min=2.0, node_decrease_min_pct=50), "
               "then count the True values of 'mobilized'.")
def _ex2():
    from helpers.mobilization import classify_mobilized
    return int(classify_mobilized(_metrics(), alc_fold_min=2.0, node_decrease_min_pct=50.0)["mobilized"].sum())


@register("04.3", kind="number", tol=0.5,
          hint="Among the recorded mobilized patients, compute peak_alc_day minus max_decrease_day "
               "for each patient and take the median (days; negative = the recorded peak came first).")
def _ex3():
    m = _metrics()
    mob = m[m["mobilized_recorded"]]
    return float((mob["peak_alc_day"].astype(float) - mob["max_decrease_day"].astype(float)).median())


@register("04.4", kind="number", tol=1.0,
          hint="Take the recorded mobilized patient with the largest observed ALC rise at the maximum node "
               "decrease; patient_mass_balance_inputs(pid) gives the nodes, the rise and the Nadler blood "
               "volume; mass_balance(...) with the defaults gives pct_of_observed_explained.")
def _ex4():
    from helpers.mobilization import mass_balance, patient_mass_balance_inputs
    m = _metrics()
    mob = m[m["mobilized_recorded"]].copy()
    mob["rise"] = mob["alc_at_max_decrease"] - mob["baseline_alc"]
    pid = str(mob.sort_values(["rise", "patient_id"], ascending=[False, True])["patient_id"].iloc[0])
    inp = patient_mass_balance_inputs(pid)
    if inp["blood_volume_l"] is None:
        raise ValueError(f"blood_volume_l=None for patient_id={pid!r}: patients.csv lacks height_cm, "
                         "weight_kg or sex, so no Nadler blood volume; allowed: a patient with all three")
    r = mass_balance(inp["node_dims_cm"], blood_volume_l=inp["blood_volume_l"],
                     observed_alc_rise=inp["observed_alc_rise"])
    return float(r.pct_of_observed_explained)


@register("04.5", kind="bool",
          hint="Run sample_trajectory('rise_plateau', ...) and compare seen_peak with true_peak for the "
               "28-day schedule. What does a plateau give a late sample?")
def _ex5():
    from helpers.mobilization import sample_trajectory, trajectory_defaults
    d = trajectory_defaults(_metrics())
    s = sample_trajectory("rise_plateau", baseline_alc=d["baseline_alc"], peak_fold=d["peak_fold"],
                          peak_day=14).summary
    row = s[s["interval_days"] == 28].iloc[0]
    # "True or False: once-per-cycle sampling underestimates the height of a plateau by more than 5%"
    return bool(row["pct_of_peak_seen"] < 95.0)
