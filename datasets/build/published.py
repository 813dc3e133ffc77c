"""Every number of Zent et al. (Cancer 2010;116:2201-7) that patient rows can reproduce.

Our own reading of the paper, one row per printed quantity. `value`, `low` and `high` are kept as
printed (strings), so the printed precision is part of the data: the fidelity check formats our
recomputed value with the same number of decimals. `rounding` says how the paper went from the
exact value to the printed one (`round`: half up; `truncate`: digits dropped). `note` records the
reading we chose where the paper strains or leaves room.
"""
from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = ["key", "quantity", "value", "low", "high", "unit", "source", "rounding", "note"]

R, T = "round", "truncate"

ROWS = [
    # --- Methods / study --------------------------------------------------------------------
    ("n_patients", "CLL patients enrolled and evaluable", "22", "", "", "patients", "Abstract; Results", R,
     "All 22 are in every denominator: the Methods call all eligible treated patients evaluable, so NE patients stay in."),
    ("n_eligible", "Patients eligible under the Methods' criteria", "22", "", "", "patients", "Results", R,
     "Checked against the eligibility rules of the Methods applied to the baseline rows."),
    ("n_sll", "Patients with the SLL variant", "10", "", "", "patients", "Results", R, ""),
    ("cycle_days", "Days per cycle", "28", "", "", "days", "Methods", R, "'4 weeks of treatment was considered 1 cycle'."),
    ("dose_start_mg_daily", "Starting dose of everolimus (every patient's cycle 1)", "10", "", "", "mg/day", "Methods", R,
     "Every cycle 1 row is '10 mg daily'."),
    ("dose_ladder_steps", "Dose-reduction steps below 10 mg daily (5 mg daily, every other day, every third day)", "3",
     "", "", "steps", "Methods", R,
     "Steps taken by the patient who went furthest down, in the ladder's order (P08: all three)."),
    ("cbc_interval_cycle1", "Interval between blood counts in cycle 1 ('weekly')", "7", "", "", "days", "Methods", R,
     "Largest gap between labs rows on days 0-21; the day-6 marrow CBC of one patient only shortens a gap."),
    ("restage_first_after_cycle", "First restaging, after cycle", "2", "", "", "cycle", "Methods", R,
     "Restaging = assessment flagged restaging on the start day of the next cycle."),
    ("restage_second_after_cycle", "Second restaging, after cycle", "6", "", "", "cycle", "Methods", R, ""),
    ("restage_every_cycles", "Restaging interval after cycle 6", "3", "", "", "cycles", "Discussion", R,
     "'after Cycles 2 and 6 and every 3 cycles thereafter'."),
    ("bleeding_with_thrombocytopenia", "Patients with thrombocytopenia and a bleeding complication", "0", "", "", "patients", "Discussion", R,
     "'thrombocytopenia was not associated with bleeding complications': no hemorrhage/bleeding event in any patient with a thrombocytopenia row."),
    ("enrollment_start", "First registration (year-month)", "2006-01", "", "", "month", "Results", R, ""),
    ("enrollment_end", "Last registration (year-month)", "2008-07", "", "", "month", "Results", R, ""),
    ("years_dx_median", "Median time from diagnosis to registration", "7", "2", "22", "years", "Results", R, ""),
    # --- Table 1 --------------------------------------------------------------------------------
    ("t1_age_median", "Median age (range)", "74", "46", "85", "years", "Table 1", R,
     "Median of 22 values = mean of the 11th and 12th."),
    ("t1_men_n", "Men", "16", "", "", "patients", "Table 1", R, ""),
    ("t1_men_pct", "Men, % of 22", "73", "", "", "%", "Table 1", R, "16/22 = 72.7%."),
    ("t1_women_n", "Women", "6", "", "", "patients", "Table 1", R, ""),
    ("t1_women_pct", "Women, % of 22", "27", "", "", "%", "Table 1", R, "6/22 = 27.3%."),
    ("t1_alc_median", "Median pretreatment lymphocyte count (range)", "3.0", "0.4", "292", "x10^9/L", "Table 1", R,
     "Range printed with different precisions (0.4 and 292); each limit is compared at its own printed precision."),
    ("t1_anc_median", "Median pretreatment neutrophil count (range)", "2.8", "1.0", "8.6", "x10^9/L", "Table 1", R,
     "The lowest ANC, 1.0, sits exactly on the eligibility limit (>= 1 x10^9/L)."),
    ("t1_hb_median", "Median pretreatment hemoglobin (range)", "11.9", "9.6", "16.4", "g/dL", "Table 1", R, ""),
    ("t1_plt_median", "Median pretreatment platelet count (range)", "147", "78", "269", "x10^9/L", "Table 1", R,
     "The lowest count, 78, is just above the eligibility limit (>= 75 x10^9/L)."),
    ("t1_alc_gt5_n", "ALC > 5 x10^9/L at baseline", "9", "", "", "patients", "Table 1", R, ""),
    ("t1_alc_gt5_pct", "ALC > 5 x10^9/L at baseline, %", "41", "", "", "%", "Table 1", R, "9/22 = 40.9%."),
    ("t1_alc_le5_n", "ALC <= 5 x10^9/L at baseline", "13", "", "", "patients", "Table 1", R, ""),
    ("t1_alc_le5_pct", "ALC <= 5 x10^9/L at baseline, %", "59", "", "", "%", "Table 1", R, "13/22 = 59.1%."),
    ("t1_node5_n", "Lymph node >= 5 cm at baseline", "13", "", "", "patients", "Table 1", R, ""),
    ("t1_node5_pct", "Lymph node >= 5 cm at baseline, %", "59", "", "", "%", "Table 1", R, ""),
    ("t1_node_lt5_n", "No lymph node >= 5 cm at baseline", "9", "", "", "patients", "Table 1", R, ""),
    ("t1_node_lt5_pct", "No lymph node >= 5 cm at baseline, %", "41", "", "", "%", "Table 1", R, ""),
    ("t1_ecog0_n", "ECOG PS 0", "11", "", "", "patients", "Table 1", R, ""),
    ("t1_ecog0_pct", "ECOG PS 0, %", "50", "", "", "%", "Table 1", R, ""),
    ("t1_ecog1_n", "ECOG PS 1", "9", "", "", "patients", "Table 1", R, ""),
    ("t1_ecog1_pct", "ECOG PS 1, %", "41", "", "", "%", "Table 1", R, ""),
    ("t1_ecog2_n", "ECOG PS 2", "2", "", "", "patients", "Table 1", R, ""),
    ("t1_ecog2_pct", "ECOG PS 2, %", "9", "", "", "%", "Table 1", R, "2/22 = 9.1%."),
    ("t1_prior_median", "Median number of prior treatments (range)", "6", "1", "10", "regimens", "Table 1", R, ""),
    # --- Response --------------------------------------------------------------------------------
    ("n_pr", "Partial responses", "4", "", "", "patients", "Abstract; Results", R, ""),
    ("n_cr", "Complete responses", "0", "", "", "patients", "Results", R,
     "Implied: only partial remissions are reported."),
    ("pr_pct", "Response rate (PR), % of 22, exact 95% CI", "18", "5", "40", "%", "Abstract; Results", R,
     "4/22 = 18.2%, Clopper-Pearson 5.2%-40.3%. NE patients stay in the denominator."),
    ("pr_onset_1", "Onset of partial response 1", "1.8", "", "", "months", "Results", R,
     "Onsets are restaging days (after cycles 2 and 6, then every 3 cycles); delays shift them."),
    ("pr_onset_2", "Onset of partial response 2", "6.4", "", "", "months", "Results", R, ""),
    ("pr_onset_3", "Onset of partial response 3", "9.1", "", "", "months", "Results", R, ""),
    ("pr_onset_4", "Onset of partial response 4", "14.1", "", "", "months", "Results", R,
     "Onsets are restaging days; cycle-visit node exams before an onset never already show SPD <= 50% of baseline."),
    ("pr_duration_1", "Duration of partial response 1", "2.2", "", "", "months", "Results", R,
     "Confirmed by an assessment >= 56 days after onset and before progression."),
    ("pr_duration_2", "Duration of partial response 2", "11.0", "", "", "months", "Results", R, ""),
    ("pr_duration_3", "Duration of partial response 3", "19.8", "", "", "months", "Results", R, ""),
    ("pr_duration_4", "Duration of partial response 4 (censored, '8.9+')", "8.9", "", "", "months", "Results", R,
     "Still in response at last contact: censored."),
    ("n_progressed", "Patients with disease progression", "17", "", "", "patients", "Results", R,
     "Includes progressions documented after going off treatment."),
    ("n_died", "Patients who died", "15", "", "", "patients", "Results", R, ""),
    ("death_progression", "Deaths from disease progression", "11", "", "", "patients", "Results", R, ""),
    ("death_infection_treatment", "Deaths from infection possibly attributable to treatment", "2", "", "", "patients", "Results; Discussion", R,
     "The Discussion's 'infection resulted in 2 deaths' is read as these two; the Results list a third, unrelated infection death."),
    ("death_infection_unrelated", "Deaths from infection unrelated to treatment", "1", "", "", "patients", "Results", R, ""),
    ("death_unknown", "Deaths of unknown cause", "1", "", "", "patients", "Results", R, ""),
    ("followup_alive_median", "Median follow-up of patients still alive (range)", "17", "6", "30", "months", "Results", R,
     "Simple median of the 7 survivors' registration-to-last-contact times."),
    ("os_median", "Median overall survival (95% CI)", "10.5", "4.9", "20.7", "months", "Results", R,
     "lifelines KaplanMeierFitter, log-log CI, median CI from median_survival_times(confidence_interval_)."),
    ("pfs_median", "Median progression-free survival (95% CI)", "5.1", "2.3", "8.3", "months", "Results", R,
     "Event = progression or death from any cause. The upper limit hinges on one event: the upper band is 0.5003 at day 240 (see datasets/README.md)."),
    # --- Mobilization ------------------------------------------------------------------------
    ("mob_n", "Patients with ALC rise and node decrease (mobilization)", "8", "", "", "patients", "Abstract; Results", R, ""),
    ("mob_pct", "Mobilization, % of 22", "36", "", "", "%", "Abstract; Results; Discussion", R, "8/22 = 36.4%."),
    ("mob_alc_gt5_n", "Mobilized among the 9 with baseline ALC > 5", "6", "", "", "patients", "Results", R, ""),
    ("mob_alc_gt5_pct", "Mobilized among the 9 with baseline ALC > 5, %", "66", "", "", "%", "Results", T,
     "Printed '6 (66%)': 6/9 = 66.7% is truncated, not rounded (rounding gives 67%)."),
    ("mob_alc_le5_n", "Mobilized among the 13 with baseline ALC <= 5", "2", "", "", "patients", "Results", R, ""),
    ("mob_alc_le5_pct", "Mobilized among the 13 with baseline ALC <= 5, %", "15", "", "", "%", "Results", R, "2/13 = 15.4%."),
    ("mob_measurable_n", "Mobilized patients with measurable lymphadenopathy at baseline", "8", "", "", "patients", "Results", R, ""),
    ("mob_node5_n", "Mobilized patients with a node >= 5 cm", "6", "", "", "patients", "Results", R, ""),
    ("mob_node5_pct", "Mobilized patients with a node >= 5 cm, % of 8", "75", "", "", "%", "Results", R, ""),
    ("mob_base_alc", "Mobilized: median baseline ALC (range)", "7.1", "0.7", "101.2", "x10^9/L", "Results", R, ""),
    ("mob_first_alc", "Mobilized: median first post-treatment ALC (range)", "18.3", "1.2", "415.3", "x10^9/L", "Results", R,
     "First labs row after day 0 with an ALC. Between cycle visits the ALC is blank (recorded about once a cycle) although WBC and ANC exist: WBC - ANC - ~0.5 estimates it, an estimate, not a recorded value."),
    ("mob_first_alc_day", "Mobilized: median day of the first post-treatment ALC (range)", "29", "7", "49", "days", "Results", R, ""),
    ("mob_node_decrease", "Mobilized: median maximum node decrease (range)", "76", "38", "93", "%", "Results", R,
     "Results print 76%, the Abstract 75.5%: the same median (mean of the 4th and 5th of 8) at two precisions."),
    ("mob_node_decrease_abstract", "Mobilized: median maximum node decrease (Abstract)", "75.5", "38", "93", "%", "Abstract", R,
     "Read as the exact median; 76% in the Results is it rounded."),
    ("mob_fold", "Mobilized: median fold rise in ALC at maximum node decrease (range)", "4.8", "1.9", "25.1", "fold", "Abstract; Results", R,
     "ALC at maximum node decrease / baseline ALC; not the true ALC peak. The 25.1-fold maximum is an SLL responder (P08, baseline 0.7): only a low baseline allows it."),
    ("mob_alc_at_max", "Mobilized: median ALC at maximum node decrease (range)", "38.4", "3.8", "415.3", "x10^9/L", "Results", R,
     "ALC on the same day as the smallest SPD."),
    ("mob_max_day", "Mobilized: median day of maximum node decrease (range)", "43", "29", "242", "days", "Results", R,
     "As early as day 29 although formal restaging came after cycle 2 (day 56): we read this as nodes also examined at cycle visits."),
    ("mob_pr", "Mobilized: partial responses", "2", "", "", "patients", "Results", R, ""),
    ("mob_pr_sll", "Mobilized partial responders with the SLL variant", "2", "", "", "patients", "Results", R, ""),
    ("mob_sd", "Mobilized: stable disease", "4", "", "", "patients", "Results", R,
     "As the paper called them; a strict reading of the 1996 rule (ALC rise >= 50% = progression) calls these 4 CLL patients PD."),
    ("mob_pd", "Mobilized: progressive disease", "1", "", "", "patients", "Results", R, ""),
    ("mob_ne", "Mobilized: removed for an adverse event before response evaluation", "1", "", "", "patients", "Results", R,
     "Best response NE: no restaging assessment before going off."),
    ("mob_cll_n", "Mobilized patients with the CLL variant (ALC rise prevents 1996 response)", "6", "", "", "patients", "Discussion", R, ""),
    ("marrow_day", "Day of the bone marrow examination in a mobilized patient", "6", "", "", "day", "Results", R,
     "The day-6 CBC has no recorded ALC (the ALC was recorded about once a cycle), so the first post-treatment ALC range still starts at day 7."),
    # --- Treatment -----------------------------------------------------------------------------
    ("tx_months_median", "Median duration of treatment (range)", "2", "", "29", "months", "Results", R,
     "Read as registration to going off treatment (or last contact if still on). Up to 29 months of treatment against at most 18 cycles: the longest-treated patient received 18 cycles and stayed on study without further recorded cycles until progression."),
    ("tx_min_weeks", "Shortest duration of treatment", "1", "", "", "weeks", "Results", R,
     "'1 week': P02 progressed on day 7 (fast, not impossible, in bulky CLL with ALC 292)."),
    ("tx_cycles_median", "Median number of cycles (range)", "2", "1", "18", "cycles", "Results", R, ""),
    ("off_n", "Patients off treatment", "20", "", "", "patients", "Results", R, ""),
    ("off_progression", "Off treatment because of progression", "13", "", "", "patients", "Results", R, ""),
    ("off_toxicity", "Off treatment because of toxicity", "3", "", "", "patients", "Results", R, ""),
    ("off_tox_pancreatitis_g2", "Off for toxicity: grade 2 pancreatitis", "1", "", "", "patients", "Results", R, ""),
    ("off_tox_fatigue_g3", "Off for toxicity: grade 3 fatigue", "1", "", "", "patients", "Results", R, ""),
    ("off_tox_cytopenia", "Off for toxicity: cytopenia", "1", "", "", "patients", "Results", R, ""),
    ("off_died", "Died on study", "2", "", "", "patients", "Results", R, ""),
    ("off_died_sepsis", "Died on study of sepsis possibly related to treatment", "1", "", "", "patients", "Results", R,
     "The on-study sepsis death is the patient with grade 2 neutropenia whose sepsis was possibly related; the blood-culture-positive death with grade 4 ARDS and grade 3 neutropenia (probably related) died after going off treatment."),
    ("off_died_progression", "Died on study of disease progression", "1", "", "", "patients", "Results", R,
     "P09: progression documented on day 48 in the terminal admission, died day 50 before formally going off study."),
    ("off_refused", "Refused further therapy without response or progression", "2", "", "", "patients", "Results", R,
     "Both mobilized CLL; their ALC rise would be progression under a strict 1996 reading, not as the paper applied it while nodes shrank."),
    ("delay_patients", "Patients with dose delays", "9", "", "", "patients", "Results", R, ""),
    ("delay_cycles", "Cycles delayed", "12", "", "", "cycles", "Results", R, ""),
    ("delay_hematologic", "Cycles delayed for hematologic adverse events", "10", "", "", "cycles", "Results", R, ""),
    ("delay_hospitalization", "Cycles delayed for hospitalization", "1", "", "", "cycles", "Results", R, ""),
    ("delay_laboratory", "Cycles delayed for a delay in laboratory results", "1", "", "", "cycles", "Results", R,
     "P14 cycle 2, 2 days. Our assumption: a +-1 day visit window, so P19's day-29 start is on time; every slip >= 2 days is a recorded delay."),
    ("reduction_patients", "Patients with dose reductions", "9", "", "", "patients", "Results", R, ""),
    ("reduction_cycles", "Cycles with a dose reduction", "11", "", "", "cycles", "Results", R, ""),
    ("reduction_hematologic", "Reductions for hematologic adverse events", "9", "", "", "cycles", "Results", R, ""),
    ("reduction_mucositis", "Reductions for mucositis", "1", "", "", "cycles", "Results", R, ""),
    ("reduction_infection", "Reductions for infection", "1", "", "", "cycles", "Results", R, ""),
    # --- Toxicity ------------------------------------------------------------------------------
    ("ae_hem_g3plus_all", "Grade >= 3 hematologic AE, any attribution", "15", "", "", "patients", "Results", R, ""),
    ("ae_hem_g3_all", "  worst grade 3", "7", "", "", "patients", "Results", R, ""),
    ("ae_hem_g4_all", "  worst grade 4", "8", "", "", "patients", "Results", R, ""),
    ("ae_nonhem_g3plus_all", "Grade >= 3 nonhematologic AE, any attribution", "9", "", "", "patients", "Results", R, ""),
    ("ae_nonhem_g3_all", "  worst grade 3", "5", "", "", "patients", "Results", R, ""),
    ("ae_nonhem_g4_all", "  worst grade 4", "1", "", "", "patients", "Results", R, ""),
    ("ae_nonhem_g5_all", "  worst grade 5", "3", "", "", "patients", "Results", R, ""),
    ("ae_hem_g3plus_attr", "Grade >= 3 hematologic toxicity (at least possibly related)", "14", "", "", "patients", "Results", R, ""),
    ("ae_hem_g3_attr", "  worst grade 3", "6", "", "", "patients", "Results", R, ""),
    ("ae_hem_g4_attr", "  worst grade 4", "8", "", "", "patients", "Results", R, ""),
    ("ae_nonhem_g3plus_attr", "Grade >= 3 nonhematologic toxicity (at least possibly related)", "7", "", "", "patients", "Results", R,
     "Counts patients by worst grade: the grade 4 ARDS patient counts at grade 5 (sepsis death)."),
    ("ae_nonhem_g3_attr", "  worst grade 3", "5", "", "", "patients", "Results", R, ""),
    ("ae_nonhem_g4_attr", "  worst grade 4", "0", "", "", "patients", "Results", R,
     "Implied: the breakdown '5 grade 3, 2 grade 5' leaves none at grade 4 (the ARDS patient's worst grade is 5)."),
    ("ae_nonhem_g5_attr", "  worst grade 5", "2", "", "", "patients", "Results", R, ""),
    ("rate_anemia_g34", "Grade 3-4 anemia, % of 22", "23", "", "", "%", "Results", R, "Attributed events, as Table 2."),
    ("rate_neutropenia_g34", "Grade 3-4 neutropenia, % of 22", "32", "", "", "%", "Results", R, "7/22 = 31.8%."),
    ("rate_thrombocytopenia_g34", "Grade 3-4 thrombocytopenia, % of 22", "50", "", "", "%", "Results", R, ""),
    ("g3_pneumonia", "Grade 3 pneumonia (most common nonhematologic)", "2", "", "", "patients", "Results", R, ""),
    ("g3_hypertriglyceridemia", "Grade 3 hypertriglyceridemia (most common nonhematologic)", "2", "", "", "patients", "Results", R, ""),
    ("sepsis_death_ards_g4", "Sepsis death: grade 4 ARDS, probably related", "1", "", "", "patients", "Results", R,
     "Same patient has grade 3 neutropenia, probably related, and positive blood cultures."),
    ("sepsis_death_neutropenia_g3", "Sepsis death: grade 3 neutropenia, probably related", "1", "", "", "patients", "Results", R, ""),
    ("sepsis_death_g2_neutropenia", "Death from sepsis (possibly related) with grade 2 neutropenia", "1", "", "", "patients", "Results", R, ""),
]

TABLE2 = [
    ("hematology", "anemia", {3: ("5", "23")}),
    ("hematology", "leukopenia", {3: ("3", "14")}),
    ("hematology", "neutropenia", {3: ("5", "23"), 4: ("2", "9")}),
    ("hematology", "thrombocytopenia", {3: ("5", "23"), 4: ("6", "27")}),
    ("infection", "pneumonia", {3: ("2", "9")}),
    ("infection", "sepsis", {5: ("2", "9")}),
    ("infection", "cellulitis", {3: ("1", "5")}),
    ("metabolic/laboratory", "hypertriglyceridemia", {3: ("2", "9")}),
    ("pulmonary", "ards", {4: ("1", "5")}),
    ("constitutional", "fatigue", {3: ("1", "5")}),
    ("gastrointestinal", "diarrhea", {3: ("1", "5")}),
]


def all_rows():
    out = [dict(zip(COLUMNS, r)) for r in ROWS]
    for cat, term, cells in TABLE2:
        for grade in (3, 4, 5):
            n, pct = cells.get(grade, ("0", "0"))
            blank = grade not in cells
            note = "Blank cell in Table 2: no patient at this grade." if blank else ""
            out.append(dict(key=f"t2_{term}_g{grade}_n", quantity=f"Table 2: {term}, grade {grade}, patients",
                            value=n, low="", high="", unit="patients", source="Table 2", rounding=R, note=note))
            if not blank:
                out.append(dict(key=f"t2_{term}_g{grade}_pct", quantity=f"Table 2: {term}, grade {grade}, % of 22",
                                value=pct, low="", high="", unit="%", source="Table 2", rounding=R, note=""))
    return out


def write_published(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in all_rows():
            w.writerow(r)
