"""Tests for helpers.toxicity: CTC v3.0 boundaries, iwCLL 2008, Table 2 from hand-made rows."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import toxicity as tox
from helpers.toxicity import ctc_grade, iwcll_grade

# (term, native unit, LLN used, cut-offs as printed in CTCAE v3.0: grade 2 / 3 / 4 start below)
BOUNDARIES = {
    "anemia": (12.0, (10.0, 8.0, 6.5)),
    "leukopenia": (4.0, (3.0, 2.0, 1.0)),
    "lymphopenia": (1.0, (0.8, 0.5, 0.2)),
    "neutropenia": (2.0, (1.5, 1.0, 0.5)),
    "thrombocytopenia": (150.0, (75.0, 50.0, 25.0)),
}
EPS = 1e-6


@pytest.mark.parametrize("term", sorted(BOUNDARIES))
def test_every_boundary_exactly_above_below(term):
    lln, (c2, c3, c4) = BOUNDARIES[term]
    # grade 0 / 1 boundary: the LLN itself is normal (grade 1 is *below* the LLN)
    assert ctc_grade(term, lln, lln=lln) == 0
    assert ctc_grade(term, lln + EPS, lln=lln) == 0
    assert ctc_grade(term, lln - EPS, lln=lln) == 1
    # "<LLN - c2": c2 itself is still grade 1; just below is grade 2
    for cut, grade_at in ((c2, 1), (c3, 2), (c4, 3)):
        assert ctc_grade(term, cut, lln=lln) == grade_at, (term, cut)
        assert ctc_grade(term, cut + EPS, lln=lln) == grade_at, (term, cut)
        assert ctc_grade(term, cut - EPS, lln=lln) == grade_at + 1, (term, cut)
    assert ctc_grade(term, 0.0, lln=lln) == 4


@pytest.mark.parametrize("term", sorted(BOUNDARIES))
def test_default_lln_is_documented_and_used(term):
    crit = tox.CTC_V3_BLOOD[term]
    assert crit.default_lln == BOUNDARIES[term][0]
    assert "assumption" in crit.lln_source
    assert ctc_grade(term, crit.default_lln) == 0
    assert ctc_grade(term, crit.default_lln * 0.999) == 1


def test_lln_override_moves_only_grade_one():
    # an LLN of 11 g/dL makes 11.5 normal and 10.5 grade 1; the absolute cut-offs do not move
    assert ctc_grade("anemia", 11.5, lln=11.0) == 0
    assert ctc_grade("anemia", 11.5) == 1
    assert ctc_grade("anemia", 9.9, lln=11.0) == 2
    # an LLN below the grade-2 cut-off leaves no grade-1 band
    assert ctc_grade("neutropenia", 1.6, lln=1.5) == 0
    assert ctc_grade("neutropenia", 1.4, lln=1.5) == 2


def test_verified_flags_follow_the_reference_note():
    assert tox.CTC_V3_BLOOD["anemia"].verified is True
    for term in ("leukopenia", "lymphopenia", "neutropenia", "thrombocytopenia"):
        assert tox.CTC_V3_BLOOD[term].verified is False
    assert tox.IWCLL_GAP_CONVENTION_VERIFIED is False


@pytest.mark.parametrize("alias,term", [("hb", "anemia"), ("ANC", "neutropenia"), ("plt", "thrombocytopenia"),
                                        ("wbc", "leukopenia"), ("alc", "lymphopenia"), ("Hemoglobin", "anemia")])
def test_aliases(alias, term):
    assert ctc_grade(alias, 0.1) == ctc_grade(term, 0.1) == 4


def test_explicit_unit_conversions_are_exact():
    assert ctc_grade("anemia", 65, unit="g/L") == 3       # 6.5 g/dL: grade 3, not 4
    assert ctc_grade("anemia", 64.9, unit="g/L") == 4
    assert ctc_grade("anemia", 100, unit="g/L", lln=120) == 1
    assert ctc_grade("neutropenia", 500, unit="/uL") == 3
    assert ctc_grade("neutropenia", 499, unit="/µL") == 4
    assert ctc_grade("lymphopenia", 800, unit="/mm3") == 1
    assert ctc_grade("lymphopenia", 799, unit="cells/uL") == 2
    assert ctc_grade("thrombocytopenia", 25000, unit="/uL") == 3
    assert ctc_grade("thrombocytopenia", 24999, unit="/uL") == 4
    assert ctc_grade("leukopenia", 3.0, unit="x10^3/uL") == 1
    assert ctc_grade("leukopenia", 2.999, unit="10^9/L") == 2
    assert tox.to_native_unit("hb", 95, "g/L") == 9.5


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(term="troponin", value=1.0), "term='troponin'"),
    (dict(term=3, value=1.0), "term=3"),
    (dict(term="anemia", value=-1.0), "value=-1.0"),
    (dict(term="anemia", value=float("nan")), "value=nan"),
    (dict(term="anemia", value=None), "value=None"),
    (dict(term="anemia", value="low"), "value='low'"),
    (dict(term="anemia", value=True), "value=True"),
    (dict(term="anemia", value=9.0, unit="mmol/L"), "allowed: g/dL, g/L"),
    (dict(term="anemia", value=9.0, unit="/uL"), "unit='/uL'"),
    (dict(term="neutropenia", value=900, unit="g/L"), "allowed: x10^9/L"),
    (dict(term="neutropenia", value=900, unit="cells"), "unit='cells'"),
    (dict(term="neutropenia", value=1.0, lln=-2), "lln=-2"),
    (dict(term="neutropenia", value=1.0, lln=0), "lln=0"),
])
def test_bad_input_raises_valueerror_naming_field(kwargs, fragment):
    with pytest.raises(ValueError) as err:
        ctc_grade(**kwargs)
    assert fragment in str(err.value)


def test_ctc_bands_cover_the_axis():
    bands = tox.ctc_bands("thrombocytopenia")
    assert [b[0] for b in bands] == [4, 3, 2, 1, 0]
    for (_, _, hi), (_, lo, _) in zip(bands, bands[1:]):
        assert hi == lo
    assert bands[-1][2] == math.inf
    assert [b[0] for b in tox.ctc_bands("neutropenia", lln=1.5)] == [4, 3, 2, 0]


# ---- iwCLL 2008 (Hallek, Blood 2008, Table 5) ----

@pytest.mark.parametrize("nadir,grade", [(2.0, 0), (1.99, 1), (1.5, 1), (1.49, 2), (1.0, 2), (0.99, 3),
                                         (0.5, 3), (0.49, 4)])
def test_iwcll_anc_absolute(nadir, grade):
    assert iwcll_grade("anc", 3.0, nadir) == grade


def test_iwcll_anc_not_evaluable_when_baseline_below_one():
    assert iwcll_grade("anc", 0.99, 0.2) is None
    assert iwcll_grade("anc", 1.0, 0.2) == 4
    assert iwcll_grade("anc", 900, 400, unit="/uL") is None


@pytest.mark.parametrize("nadir,grade", [(90.0, 0), (89.9, 1), (75.1, 1), (75.0, 2), (50.1, 2), (50.0, 3),
                                         (25.1, 3), (25.0, 4)])
def test_iwcll_platelet_fall_edges(nadir, grade):
    # baseline 100, LLN 150: every nadir is below normal; fall = 100 - nadir percent
    assert iwcll_grade("platelets", 100.0, nadir, lln=150) == grade


def test_iwcll_platelet_rules():
    assert iwcll_grade("platelets", 300.0, 160.0, lln=150) == 0      # 47% fall but still normal
    assert iwcll_grade("platelets", 30.0, 19.0) == 4                 # < 20 is grade 4 at any fall
    assert iwcll_grade("platelets", 19.0, 10.0) is None              # severely low baseline
    assert iwcll_grade("platelets", 60.0, 55.0) == 0                 # CTC would call both grade 2
    assert ctc_grade("thrombocytopenia", 55.0) == 2
    assert iwcll_grade("platelets", 100.0, 30.0, died_of_toxicity=True) == 5
    assert iwcll_grade("anc", 0.8, 0.8, died_of_toxicity=True) == 5   # grade 5 at any level


def test_iwcll_hemoglobin_and_difference_from_ctc():
    # a CLL patient starting at 9.0 g/dL who nadirs at 8.5: CTC grade 2, iwCLL grade 0 (6% fall)
    assert ctc_grade("anemia", 8.5) == 2
    assert iwcll_grade("hemoglobin", 9.0, 8.5) == 0
    assert iwcll_grade("hemoglobin", 12.0, 6.0) == 3
    assert iwcll_grade("hb", 120, 60, unit="g/L") == 3


@pytest.mark.parametrize("args,fragment", [
    (("wbc", 10.0, 5.0), "parameter='wbc'"),
    (("lymphocytes", 10.0, 5.0), "parameter='lymphocytes'"),
    (("platelets", -1.0, 5.0), "baseline=-1.0"),
    (("platelets", 100.0, float("nan")), "nadir=nan"),
])
def test_iwcll_bad_input(args, fragment):
    with pytest.raises(ValueError) as err:
        iwcll_grade(*args)
    assert fragment in str(err.value)


# ---- Table 2 from a small hand-made event table ----

def _events() -> pd.DataFrame:
    rows = [
        # patient, term, ctcae_category, category, grade, attribution, day
        ("P01", "anemia", "hematology", "hematologic", 3, "possible", 10),
        ("P01", "anemia", "hematology", "hematologic", 3, "probable", 40),   # same patient twice
        ("P01", "thrombocytopenia", "hematology", "hematologic", 4, "probable", 12),
        ("P02", "thrombocytopenia", "hematology", "hematologic", 3, "possible", 20),
        ("P02", "thrombocytopenia", "hematology", "hematologic", 4, "possible", 50),  # worst 4
        ("P03", "thrombocytopenia", "hematology", "hematologic", 3, "unrelated", 5),  # excluded
        ("P03", "neutropenia", "hematology", "hematologic", 2, "definite", 7),        # grade 2
        ("P04", "sepsis", "infection", "nonhematologic", 5, "possible", 60),
        ("P04", "pneumonia", "infection", "nonhematologic", 3, "possible", 30),
        ("P05", "diarrhea", "gastrointestinal", "nonhematologic", 3, "probable", 9),
        ("P05", "hyperglycemia", "metabolic/laboratory", "nonhematologic", 3, "unlikely", 9),
        ("P05", "rash", "dermatology", "nonhematologic", 3, "possible", 15),         # category not in Table 2
    ]
    return pd.DataFrame(rows, columns=["patient_id", "term", "ctcae_category", "category", "grade",
                                       "attribution", "day"])


def test_toxicity_table_layout_and_counts():
    t = tox.toxicity_table(_events(), n_patients=10)
    assert list(t.columns.get_level_values(0).unique()) == [3, 4, 5]
    assert list(t.index) == [
        ("Hematology", "Anemia"), ("Hematology", "Thrombocytopenia"),
        ("Infection/febrile neutropenia", "Pneumonia"), ("Infection/febrile neutropenia", "Sepsis"),
        ("Gastrointestinal", "Diarrhea"), ("Dermatology", "Rash"),
    ]
    assert t.loc[("Hematology", "Anemia"), (3, "No.")] == 1          # patients, not events
    assert t.loc[("Hematology", "Thrombocytopenia"), (3, "No.")] == 0  # P02's worst is 4; P03 unrelated
    assert t.loc[("Hematology", "Thrombocytopenia"), (4, "No.")] == 2
    assert t.loc[("Hematology", "Thrombocytopenia"), (4, "%")] == pytest.approx(20.0)
    assert t.loc[("Infection/febrile neutropenia", "Sepsis"), (5, "No.")] == 1


def test_toxicity_table_all_attributions_and_min_grade():
    t = tox.toxicity_table(_events(), attribution=None, n_patients=10)
    assert t.loc[("Hematology", "Thrombocytopenia"), (3, "No.")] == 1   # P03 now counted
    assert ("Metabolic/laboratory", "Hyperglycemia") in t.index
    t2 = tox.toxicity_table(_events(), min_grade=2, n_patients=10)
    assert list(t2.columns.get_level_values(0).unique()) == [2, 3, 4, 5]
    assert t2.loc[("Hematology", "Neutropenia"), (2, "No.")] == 1


def test_worst_grade_by_category_with_and_without_attribution():
    related = tox.worst_grade_by_category(_events(), 3, tox.RELATED)
    assert list(related.columns) == [3, 4, 5, "total"]
    assert related.loc["hematologic"].tolist() == [0, 2, 0, 2]     # P01 worst 4, P02 worst 4
    assert related.loc["nonhematologic"].tolist() == [1, 0, 1, 2]  # P05 worst 3, P04 worst 5
    everything = tox.worst_grade_by_category(_events(), 3, None)
    assert everything.loc["hematologic"].tolist() == [1, 2, 0, 3]
    assert (everything["total"] == everything[[3, 4, 5]].sum(axis=1)).all()


def test_worst_grade_table_fidelity_shape():
    w = tox.worst_grade_table(_events())
    assert list(w.columns) == [3, 4, 5]
    assert w.index.names == ["ctcae_category", "term"]
    assert w.loc[("hematology", "thrombocytopenia")].tolist() == [0, 2, 0]
    assert w.xs("anemia", level="term")[3].sum() == 1


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(min_grade=0), "min_grade=0"),
    (dict(min_grade=6), "min_grade=6"),
    (dict(attribution=("maybe",)), "attribution"),
    (dict(n_patients=0), "n_patients=0"),
])
def test_toxicity_table_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError) as err:
        tox.toxicity_table(_events(), **kwargs)
    assert fragment in str(err.value)


def test_bad_event_rows_are_reported():
    ev = _events()
    ev.loc[3, "grade"] = 7
    with pytest.raises(ValueError, match=r"row 3: grade=7"):
        tox.toxicity_table(ev)
    ev = _events().drop(columns="attribution")
    with pytest.raises(ValueError, match="missing column"):
        tox.toxicity_table(ev)
    ev = _events()
    ev.loc[0, "attribution"] = "likely"
    with pytest.raises(ValueError, match="attribution='likely'"):
        tox.toxicity_table(ev)


def test_percent_rounds_like_the_paper():
    assert [tox.percent(n, 22) for n in (1, 2, 3, 5, 6, 7, 11)] == [5, 9, 14, 23, 27, 32, 50]


# ---- consistency check on hand-made labs ----

def test_lab_consistency_lists_disagreements():
    events = _events()
    labs = pd.DataFrame({
        "patient_id": ["P01", "P01", "P01", "P02", "P02", "P03"],
        "day": [7, 14, 42, 21, 49, 7],
        "hb": [7.5, 7.9, 9.0, 12.0, 12.0, 13.0],
        "plt": [30.0, 20.0, 100.0, 45.0, 60.0, 40.0],
        "anc": [3.0, 3.0, 3.0, 3.0, 3.0, 1.2],
        "wbc": [5.0] * 6, "alc": [20.0] * 6,
    })
    out = tox.lab_consistency(events, labs, window=7)
    assert len(out) == 7   # every hematologic event, none dropped
    p01_anemia = out[(out.patient_id == "P01") & (out.term == "anemia")]
    assert p01_anemia["agrees"].tolist() == [True, False]       # day 40: nadir 9.0 is grade 2
    assert "grade 2" in p01_anemia["note"].iloc[1]
    p02 = out[(out.patient_id == "P02") & (out.term == "thrombocytopenia")].set_index("day")
    assert p02.loc[20, "lab_grade"] == 3 and bool(p02.loc[20, "agrees"])
    assert p02.loc[50, "lab_grade"] == 2 and not bool(p02.loc[50, "agrees"])
    narrow = tox.lab_consistency(events, labs, window=0)
    assert narrow["note"].str.contains("no plt value").any()
    with pytest.raises(ValueError, match="window=-1"):
        tox.lab_consistency(events, labs, window=-1)


def test_first_event_data_competing_death():
    patients = pd.DataFrame({
        "patient_id": ["P01", "P02", "P04", "P09"],
        "last_contact_day": [400, 300, 61, 200],
        "off_treatment_day": [100, pd.NA, 60, 50],
        "death_day": [pd.NA, pd.NA, 61, 170],
    })
    d = tox.first_event_data(_events(), patients).set_index("patient_id")
    assert d.loc["P01"].tolist() == [10.0, 1]
    assert d.loc["P02"].tolist() == [20.0, 1]
    assert d.loc["P04"].tolist() == [61.0, 2]      # died (sepsis) before any hematologic event
    assert d.loc["P09"].tolist() == [80.0, 0]      # censored 30 days after stopping (assumption)
    ajf = tox.cumulative_incidence(d.reset_index())
    assert ajf.cumulative_density_.iloc[-1, 0] == pytest.approx(0.5, abs=1e-9)


def test_modifications_by_reason():
    cycles = pd.DataFrame({
        "patient_id": ["P01", "P01", "P02", "P03", "P03"],
        "cycle": [1, 2, 1, 1, 2],
        "delayed": [True, True, False, True, False],
        "delay_reason": ["hematologic", "hematologic", "", "hospitalization", ""],
        "reduced": [False, True, False, False, False],
        "reduction_reason": ["", "mucositis", "", "", ""],
    })
    d = tox.modifications_by_reason(cycles, "delayed")
    assert d.loc["hematologic"].tolist() == [2, 1]
    assert d.loc["total"].tolist() == [3, 2]
    r = tox.modifications_by_reason(cycles, "reduced")
    assert r.loc["total"].tolist() == [1, 1]
    with pytest.raises(ValueError, match="kind='late'"):
        tox.modifications_by_reason(cycles, "late")


def test_incidence_at_reads_the_step_function():
    data = pd.DataFrame({"duration": [10.0, 20.0, 61.0, 80.0], "event": [1, 1, 2, 0]})
    ajf = tox.cumulative_incidence(data)
    assert tox.incidence_at(ajf, 0) == 0.0
    assert tox.incidence_at(ajf, 15 / (365.25 / 12)) == pytest.approx(0.25, abs=1e-3)
    assert tox.incidence_at(ajf, 3) == pytest.approx(0.5, abs=1e-3)
    with pytest.raises(ValueError, match="months=-1"):
        tox.incidence_at(ajf, -1)


# ---- the cohort against the paper (expected values: datasets/published_numbers.csv) ----

@pytest.fixture(scope="module")
def cohort():
    from helpers.data import load_adverse_events, load_labs, load_patients, load_published

    return {"ae": load_adverse_events(), "published": load_published(), "labs": load_labs(),
            "patients": load_patients()}


def _paper(published, key):
    value = tox.published_value(published, key)
    assert value is not None, f"published_numbers.csv has no {key!r}"
    return value


def test_every_table2_cell_matches_the_paper(cohort):
    table2 = tox.toxicity_table(cohort["ae"], n_patients=22)
    check = tox.table2_against_published(table2, cohort["published"], n_patients=22)
    t2_keys = cohort["published"]["key"].str.match(r"^t2_.+_g\d_n$")
    assert len(check) == int(t2_keys.sum()) >= 33
    for _, r in check.iterrows():
        assert r["ours_n"] == _paper(cohort["published"], f"t2_{r['term']}_g{r['grade']}_n"), r["row"]
        if not r["blank"]:
            assert r["ours_pct"] == _paper(cohort["published"], f"t2_{r['term']}_g{r['grade']}_pct"), r["row"]
    assert check["match"].all()
    # Table 2 has exactly the paper's rows, in its order
    assert [t for _, t in table2.index] == [
        "Anemia", "Leukopenia", "Neutropenia", "Thrombocytopenia", "Pneumonia", "Sepsis", "Cellulitis",
        "Hypertriglyceridemia", "ARDS (secondary to infection)", "Fatigue", "Diarrhea"]


@pytest.mark.parametrize("attr_key,attribution", [("all", None), ("attr", tox.RELATED)])
def test_category_totals_match_the_paper(cohort, attr_key, attribution):
    t = tox.worst_grade_by_category(cohort["ae"], 3, attribution)
    for category, short in (("hematologic", "hem"), ("nonhematologic", "nonhem")):
        assert t.loc[category, "total"] == _paper(cohort["published"], f"ae_{short}_g3plus_{attr_key}")
        for g in (3, 4, 5):
            key = f"ae_{short}_g{g}_{attr_key}"
            if tox.published_value(cohort["published"], key) is not None:
                assert t.loc[category, g] == _paper(cohort["published"], key), key
    assert tox.totals_against_published(cohort["ae"], cohort["published"])["match"].all()


def test_grade34_rates_match_the_paper(cohort):
    table2 = tox.toxicity_table(cohort["ae"], n_patients=22)
    rates = tox.rates_against_published(table2, cohort["published"]).set_index("term")
    for term in ("anemia", "neutropenia", "thrombocytopenia"):
        assert rates.loc[term, "ours_pct"] == _paper(cohort["published"], f"rate_{term}_g34")
    assert rates["match"].all()


def test_every_hematologic_event_agrees_with_its_lab_nadir(cohort):
    out = tox.lab_consistency(cohort["ae"], cohort["labs"], window=7)
    hem = cohort["ae"]["term"].isin(tox.HEMATOLOGIC_TERMS).sum()
    assert len(out) == hem > 0
    assert out["agrees"].all(), out[~out["agrees"]].to_string()


def test_fidelity_still_reproduces_the_toxicity_rows():
    from helpers.fidelity import fidelity_table

    t = fidelity_table()
    tox_rows = t[t["key"].str.match(r"^(t2_|ae_|rate_|g3_|sepsis_death_)")]
    assert len(tox_rows) >= 60
    assert tox_rows["match"].all(), tox_rows[~tox_rows["match"]].to_string()


def test_unrecorded_lab_toxicity_hand_made():
    labs = pd.DataFrame({"patient_id": ["P01", "P01", "P07"], "day": [14, 100, 14],
                         "hb": [7.9, 12.0, 13.0], "plt": [20.0, 200.0, 45.0], "anc": [3.0, 3.0, 3.0],
                         "wbc": [5.0, 5.0, 5.0]})
    out = tox.unrecorded_lab_toxicity(_events(), labs, min_grade=3, window=7)
    # P01 day 14: anemia onset day 10 and thrombocytopenia day 12 are within 7 days; P07 has none
    assert out[["patient_id", "term", "day", "ctc_grade"]].values.tolist() == [["P07", "thrombocytopenia", 14, 3]]
    out0 = tox.unrecorded_lab_toxicity(_events(), labs, min_grade=3, window=1)
    assert set(out0["patient_id"]) == {"P01", "P07"}
    with pytest.raises(ValueError, match="window=-2"):
        tox.unrecorded_lab_toxicity(_events(), labs, window=-2)


def test_no_grade3_lab_value_in_the_cohort_lacks_an_event(cohort):
    out = tox.unrecorded_lab_toxicity(cohort["ae"], cohort["labs"], min_grade=3, window=7)
    assert out.empty, out.to_string()


def test_first_event_data_going_off_treatment_competes():
    """Going off treatment ends exposure: with competing='death_or_off_treatment' it is event 2, and
    the cumulative incidence then differs from 1 - Kaplan-Meier."""
    events = pd.DataFrame({"patient_id": ["P01", "P02"], "term": ["anemia", "anemia"],
                           "ctcae_category": ["hematology"] * 2, "category": ["hematologic"] * 2,
                           "grade": [3, 3], "attribution": ["possible"] * 2, "day": [100, 20]})
    patients = pd.DataFrame({"patient_id": ["P01", "P02", "P03"], "last_contact_day": [400, 300, 200],
                             "off_treatment_day": [pd.NA, pd.NA, 5], "death_day": [pd.NA, pd.NA, pd.NA]})
    plain = tox.first_event_data(events, patients).set_index("patient_id")
    assert plain.loc["P03"].tolist() == [35.0, 0]          # censored 30 days after stopping
    off = tox.first_event_data(events, patients, competing="death_or_off_treatment").set_index("patient_id")
    assert off.loc["P03"].tolist() == [35.0, 2]
    assert off.loc["P01"].tolist() == [100.0, 1] and off.loc["P02"].tolist() == [20.0, 1]
    ajf = tox.cumulative_incidence(off.reset_index())
    assert ajf.cumulative_density_.iloc[-1, 0] == pytest.approx(2 / 3, abs=1e-6)
    assert tox.one_minus_km(off.reset_index())(12) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="competing='progression'"):
        tox.first_event_data(events, patients, competing="progression")
