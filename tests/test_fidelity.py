"""The fidelity check: every published number is reproduced from the cohort's tables, at the
paper's printed precision and rounding, and a broken copy is caught."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers import data as D
from helpers import fidelity as F
from helpers.paths import datasets_dir
from helpers.survival import km_median, os_table, pfs_table, response_duration_table

PUBLISHED = D.load_published()
TABLE = F.fidelity_table().set_index("key")


@pytest.mark.parametrize("key", list(PUBLISHED["key"]))
def test_published_number_reproduced(key):
    row = TABLE.loc[key]
    assert row["match"], f"{key}: paper {row['paper']} vs ours {row['ours']}"


def test_table_covers_every_published_row():
    assert list(TABLE.index) == list(PUBLISHED["key"])
    assert len(TABLE) >= 120


@pytest.mark.parametrize("x,printed,rounding,want", [
    (66.666, "66", "truncate", "66"), (66.666, "66", "round", "67"), (75.5, "76", "round", "76"),
    (75.5, "75.5", "round", "75.5"), (4.7998, "4.8", "round", "4.8"), (2.25, "2.3", "round", "2.3"),
    (18.18, "18", "round", "18"), (5.0, "5", "round", "5"), (0.0, "0", "round", "0"),
])
def test_format_as_printed(x, printed, rounding, want):
    assert F.format_as_printed(x, printed, rounding) == want


def test_paper_anchors_directly():
    p = D.load_patients()
    os_ = os_table(p)
    assert tuple(round(v, 1) for v in km_median(os_["time_months"], os_["event"])) == (10.5, 4.9, 20.7)
    pfs = pfs_table(p)
    assert tuple(round(v, 1) for v in km_median(pfs["time_months"], pfs["event"])) == (5.1, 2.3, 8.3)
    r = response_duration_table(p)
    assert [round(x, 1) for x in r["onset_months"]] == [1.8, 6.4, 9.1, 14.1]
    assert [round(x, 1) for x in r["time_months"]] == [2.2, 11.0, 19.8, 8.9]
    assert list(r["event"]) == [True, True, True, False]


def test_main_exits_zero(capsys):
    assert F.main([]) == 0
    out = capsys.readouterr().out
    assert "quantity" in out and "reproduced" in out


def test_broken_copy_is_caught(tmp_path):
    for f in datasets_dir().glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    p = pd.read_csv(tmp_path / "patients.csv", dtype=str, keep_default_na=False)
    p.loc[p["patient_id"] == "P02", "sex"] = "F"  # one man fewer: Table 1's 16/6 split breaks
    p.to_csv(tmp_path / "patients.csv", index=False, lineterminator="\n")
    t = F.fidelity_table(tmp_path).set_index("key")
    assert not t.loc["t1_men_n", "match"] and not t.loc["t1_women_pct", "match"]
    assert t.loc["n_pr", "match"]


def test_unknown_key_raises():
    with pytest.raises(KeyError):
        F.compute("no_such_number", F.Cohort())


# ---- the domain helpers fidelity relies on, on small hand-made inputs ---------------------------
def _pat(**cols):
    base = dict(patient_id=["A", "B", "C"], response_day=[pd.NA] * 3, progression_day=[pd.NA] * 3,
                death_day=[pd.NA] * 3, last_contact_day=[100, 100, 100])
    base.update(cols)
    return pd.DataFrame({k: (pd.array(v, dtype="Int64") if k != "patient_id" else v) for k, v in base.items()})


def test_os_pfs_tables_by_hand():
    p = _pat(progression_day=[30, pd.NA, 80], death_day=[60, pd.NA, pd.NA], last_contact_day=[60, 90, 120])
    os_ = os_table(p)
    assert list(os_["time_days"]) == [60, 90, 120] and list(os_["event"]) == [True, False, False]
    pfs = pfs_table(p)
    assert list(pfs["time_days"]) == [30, 90, 80] and list(pfs["event"]) == [True, False, True]
    assert pfs["time_months"].iloc[0] == pytest.approx(30 / 30.4375)


def test_response_duration_by_hand():
    p = _pat(response_day=[56, pd.NA, 100], progression_day=[123, pd.NA, pd.NA], last_contact_day=[200, 50, 371])
    r = response_duration_table(p)
    assert list(r["patient_id"]) == ["A", "C"]
    assert list(r["time_days"]) == [67, 271] and list(r["event"]) == [True, False]


def test_km_median_by_hand():
    # 4 events, no censoring: S drops to 0.5 at the 2nd event
    med, lo, hi = km_median([1, 2, 3, 4], [1, 1, 1, 1])
    assert med == 2.0 and lo <= 2.0 <= hi
    with pytest.raises(ValueError):
        km_median([-1, 2], [1, 1])


def test_patient_metrics_by_hand():
    from helpers.mobilization import is_mobilized, patient_metrics
    labs = pd.DataFrame({"patient_id": ["A"] * 4, "day": [0, 14, 28, 56],
                         "alc": [10.0, float("nan"), 30.0, 60.0]})
    nodes = pd.DataFrame({"patient_id": ["A"] * 6, "day": [0, 0, 28, 28, 56, 56],
                          "site": ["cervical", "axillary"] * 3,
                          "length_cm": [4.0, 5.0, 2.0, 2.5, 3.0, 3.0], "width_cm": [3.0, 4.0, 2.0, 2.0, 2.0, 2.0]})
    m = patient_metrics(labs, nodes).iloc[0]
    assert (m["first_alc"], m["first_alc_day"]) == (30.0, 28)
    assert m["max_decrease_day"] == 28 and m["max_node_decrease_pct"] == pytest.approx(100 * (1 - 9 / 32))
    assert m["alc_at_max_decrease"] == 30.0 and m["fold_rise"] == 3.0
    assert (m["peak_alc"], m["peak_alc_day"]) == (60.0, 56)
    assert bool(is_mobilized(patient_metrics(labs, nodes)).iloc[0])


def test_worst_grade_table_counts_patients_not_events():
    from helpers.toxicity import worst_grade_by_category, worst_grade_table
    ae = pd.DataFrame({
        "patient_id": ["A", "A", "B", "C"], "term": ["anemia", "anemia", "anemia", "sepsis"],
        "ctcae_category": ["hematology", "hematology", "hematology", "infection"],
        "category": ["hematologic", "hematologic", "hematologic", "nonhematologic"],
        "grade": [3, 4, 3, 5], "attribution": ["possible", "possible", "unrelated", "probable"]})
    t = worst_grade_table(ae)
    assert t.loc[("hematology", "anemia")].tolist() == [0, 1, 0]  # A counted once, at grade 4; B unrelated
    t_all = worst_grade_table(ae, attribution=None)
    assert t_all.loc[("hematology", "anemia")].tolist() == [1, 1, 0]
    c = worst_grade_by_category(ae)
    assert c.loc["nonhematologic", "total"] == 1
    with pytest.raises(ValueError):
        worst_grade_table(ae, attribution=("likely",))


def test_protocol_rows_catch_broken_copies(tmp_path):
    """The Methods/Discussion rows recomputed from patient rows (dose, ladder, weekly CBC, restaging
    calendar, bleeding) fail when the rows contradict them."""
    for f in datasets_dir().glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    cy = pd.read_csv(tmp_path / "cycles.csv", dtype=str, keep_default_na=False)
    cy.loc[(cy["patient_id"] == "P08") & (cy["cycle"].astype(int) >= 8), "dose"] = "5 mg every other day"
    cy.loc[(cy["patient_id"] == "P08") & (cy["cycle"].astype(int) == 8), "reduced"] = "False"
    cy.loc[(cy["patient_id"] == "P08") & (cy["cycle"].astype(int) == 8), "reduction_reason"] = ""
    cy.to_csv(tmp_path / "cycles.csv", index=False, lineterminator="\n")
    labs = pd.read_csv(tmp_path / "labs.csv", dtype=str, keep_default_na=False)
    labs = labs[~((labs["patient_id"] == "P01") & (labs["day"] == "14"))]
    labs.to_csv(tmp_path / "labs.csv", index=False, lineterminator="\n")
    a = pd.read_csv(tmp_path / "assessments.csv", dtype=str, keep_default_na=False)
    a.loc[(a["patient_id"] == "P01") & (a["day"] == "56"), "restaging"] = "False"
    a.to_csv(tmp_path / "assessments.csv", index=False, lineterminator="\n")
    ae = pd.read_csv(tmp_path / "adverse_events.csv", dtype=str, keep_default_na=False)
    ae.loc[len(ae)] = dict(patient_id="P10", term="hemorrhage nose", ctcae_category="pulmonary",
                           category="nonhematologic", grade="2", attribution="possible", day="30", end_day="33", note="")
    ae.to_csv(tmp_path / "adverse_events.csv", index=False, lineterminator="\n")
    t = F.fidelity_table(tmp_path).set_index("key")
    for key in ("dose_ladder_steps", "cbc_interval_cycle1", "restage_first_after_cycle",
                "bleeding_with_thrombocytopenia"):
        assert not t.loc[key, "match"], key
    assert t.loc["dose_start_mg_daily", "match"] and t.loc["n_pr", "match"]
