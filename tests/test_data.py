"""Loaders of the reconstructed cohort: types, validation messages, and the cohort's internal
consistency (the constraints the other notebooks build on)."""
from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import data as D
from helpers.mobilization import is_mobilized, patient_metrics
from helpers.paths import datasets_dir

TABLES = ["patients", "labs", "nodes", "assessments", "adverse_events", "cycles", "published_numbers", "study"]
LOADERS = {
    "patients": D.load_patients, "labs": D.load_labs, "nodes": D.load_nodes, "assessments": D.load_assessments,
    "adverse_events": D.load_adverse_events, "cycles": D.load_cycles, "published_numbers": D.load_published,
    "study": D.load_study,
}


@pytest.fixture()
def copy_dir(tmp_path: Path) -> Path:
    """A full copy of the datasets in a temporary folder (the originals are never touched)."""
    for name in TABLES:
        shutil.copy(datasets_dir() / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def _edit(folder: Path, name: str, line: int, column: str, value: str) -> None:
    """Set one cell (1-based CSV line, header = line 1)."""
    path = folder / f"{name}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _drop_column(folder: Path, name: str, column: str) -> None:
    path = folder / f"{name}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.drop(columns=[column]).to_csv(path, index=False, lineterminator="\n")


def _duplicate_line(folder: Path, name: str, line: int) -> None:
    path = folder / f"{name}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line, lines[line - 1])
    path.write_text("".join(lines), encoding="utf-8")


def _assert_names(exc: pytest.ExceptionInfo, file: str, line: int | None, column: str) -> None:
    msg = str(exc.value)
    assert file in msg, msg
    if line is not None:
        assert f"line {line}" in msg, msg
    assert repr(column) in msg or column in msg, msg
    assert "allowed" in msg, msg


# ---- the shipped tables load, with the documented types --------------------------------------
def test_shapes_and_types():
    p = D.load_patients()
    assert len(p) == 22 and p["patient_id"].is_unique
    assert isinstance(p["variant"].dtype, pd.CategoricalDtype)
    assert str(p["death_day"].dtype) == "Int64" and str(p["response_day"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(p["registration_date"])
    labs = D.load_labs()
    assert str(labs["day"].dtype) == "Int64" and labs["alc"].isna().any() and labs["wbc"].notna().all()
    assert isinstance(D.load_cycles()["dose"].dtype, pd.CategoricalDtype)
    assert isinstance(D.load_adverse_events()["attribution"].dtype, pd.CategoricalDtype)
    study = D.load_study()
    assert study["cycle_days"] == 28 and study["data_cutoff"].isoformat() == "2009-01-31"
    assert len(D.load_published()) >= 120


def test_load_visits_columns_and_join():
    v = D.load_visits()
    want = ["patient_id", "day", "variant", "restaging", "alc", "anc", "hb", "plt", "wbc", "node_spd_cm2",
            "largest_node_cm", "liver_cm", "spleen_cm", "new_node", "symptoms", "marrow_lymph_pct",
            "transfused", "epo", "gcsf", "richter"]
    assert list(v.columns) == want
    assert len(v) == len(D.load_assessments())
    # every assessment has same-day counts and node measurements
    assert v[["anc", "hb", "plt", "wbc", "node_spd_cm2"]].notna().all().all()
    p1 = v[(v["patient_id"] == "P16") & (v["day"] == 0)].iloc[0]
    assert p1["node_spd_cm2"] == pytest.approx(3.5 * 3.0 + 4.5 * 3.5 + 3.0 * 2.5)
    assert p1["alc"] == 2.0 and p1["variant"] == "SLL"


def test_to_months():
    assert D.DAYS_PER_MONTH == 365.25 / 12
    assert D.to_months(56) == pytest.approx(1.8398, abs=1e-4)
    assert list(np.round(D.to_months([0, 30.4375]), 6)) == [0.0, 1.0]
    s = D.to_months(pd.Series([0, 61], dtype="Int64"))
    assert isinstance(s, pd.Series) and s.iloc[1] == pytest.approx(61 / 30.4375)


def test_optional_path_file_or_folder(copy_dir: Path):
    assert len(D.load_patients(copy_dir)) == 22
    assert len(D.load_patients(copy_dir / "patients.csv")) == 22
    with pytest.raises(FileNotFoundError):
        D.load_patients(copy_dir / "nope.csv")


# ---- broken copies are rejected with file, line and column -----------------------------------
MISSING = [("patients", "variant"), ("labs", "plt"), ("nodes", "site"), ("assessments", "restaging"),
           ("adverse_events", "grade"), ("cycles", "dose"), ("published_numbers", "rounding"), ("study", "value")]


@pytest.mark.parametrize("name,column", MISSING)
def test_missing_column(copy_dir, name, column):
    _drop_column(copy_dir, name, column)
    with pytest.raises(D.DataValidationError) as exc:
        LOADERS[name](copy_dir)
    _assert_names(exc, f"{name}.csv", 1, column)


WRONG_CODE = [("patients", "variant", "BLL"), ("patients", "best_response", "MR"), ("nodes", "site", "femoral"),
              ("assessments", "restaging", "maybe"), ("adverse_events", "attribution", "likely"),
              ("cycles", "dose", "20 mg daily"), ("published_numbers", "rounding", "ceil"),
              ("adverse_events", "ctcae_category", "cardiac")]


@pytest.mark.parametrize("name,column,value", WRONG_CODE)
def test_wrong_code(copy_dir, name, column, value):
    _edit(copy_dir, name, 3, column, value)
    with pytest.raises(D.DataValidationError) as exc:
        LOADERS[name](copy_dir)
    _assert_names(exc, f"{name}.csv", 3, column)
    assert value in str(exc.value)


NEGATIVE = [("patients", "plt"), ("patients", "prior_therapies"), ("labs", "anc"), ("nodes", "length_cm"),
            ("assessments", "spleen_cm"), ("adverse_events", "day"), ("cycles", "start_day")]


@pytest.mark.parametrize("name,column", NEGATIVE)
def test_negative_value(copy_dir, name, column):
    _edit(copy_dir, name, 4, column, "-1")
    with pytest.raises(D.DataValidationError) as exc:
        LOADERS[name](copy_dir)
    _assert_names(exc, f"{name}.csv", 4, column)
    assert "negative" in str(exc.value)


def test_grade_out_of_range(copy_dir):
    _edit(copy_dir, "adverse_events", 2, "grade", "6")
    with pytest.raises(D.DataValidationError) as exc:
        D.load_adverse_events(copy_dir)
    _assert_names(exc, "adverse_events.csv", 2, "grade")


DUPLICATE = [("patients", "patient_id"), ("labs", "day"), ("nodes", "site"), ("assessments", "day"),
             ("adverse_events", "day"), ("cycles", "cycle"), ("published_numbers", "key"), ("study", "key")]


@pytest.mark.parametrize("name,column", DUPLICATE)
def test_duplicate_key(copy_dir, name, column):
    _duplicate_line(copy_dir, name, 5)
    with pytest.raises(D.DataValidationError) as exc:
        LOADERS[name](copy_dir)
    _assert_names(exc, f"{name}.csv", 6, column)
    assert "repeats a key" in str(exc.value)


@pytest.mark.parametrize("name", ["labs", "nodes", "assessments", "adverse_events", "cycles"])
def test_dangling_patient(copy_dir, name):
    _edit(copy_dir, name, 2, "patient_id", "P99")
    with pytest.raises(D.DataValidationError) as exc:
        LOADERS[name](copy_dir)
    _assert_names(exc, f"{name}.csv", 2, "patient_id")
    assert "P99" in str(exc.value)


def test_unparsable_registration_date(copy_dir):
    _edit(copy_dir, "patients", 7, "registration_date", "2007-02-30")
    with pytest.raises(D.DataValidationError) as exc:
        D.load_patients(copy_dir)
    _assert_names(exc, "patients.csv", 7, "registration_date")


def test_unparsable_study_date(copy_dir):
    _edit(copy_dir, "study", 2, "value", "31/01/2009")
    with pytest.raises(D.DataValidationError) as exc:
        D.load_study(copy_dir)
    _assert_names(exc, "study.csv", 2, "value")


def test_day0_labs_must_equal_baseline(copy_dir):
    _edit(copy_dir, "labs", 2, "plt", "999")  # line 2 = P01 day 0
    with pytest.raises(D.DataValidationError) as exc:
        D.load_labs(copy_dir)
    _assert_names(exc, "labs.csv", 2, "plt")
    assert "baseline" in str(exc.value)


def test_not_a_number_and_empty_required(copy_dir):
    _edit(copy_dir, "labs", 3, "hb", "eleven")
    with pytest.raises(D.DataValidationError) as exc:
        D.load_labs(copy_dir)
    _assert_names(exc, "labs.csv", 3, "hb")
    shutil.copy(datasets_dir() / "labs.csv", copy_dir / "labs.csv")
    _edit(copy_dir, "cycles", 3, "start_day", "")
    with pytest.raises(D.DataValidationError) as exc:
        D.load_cycles(copy_dir)
    _assert_names(exc, "cycles.csv", 3, "start_day")


def test_cross_field_rules(copy_dir):
    _edit(copy_dir, "patients", 2, "death_cause", "progression")  # P01 is alive
    with pytest.raises(D.DataValidationError) as exc:
        D.load_patients(copy_dir)
    _assert_names(exc, "patients.csv", 2, "death_cause")


# ---- internal consistency of the reconstruction ------------------------------------------------
def test_regeneration_is_byte_identical(tmp_path):
    spec = importlib.util.spec_from_file_location("reconstruct", datasets_dir() / "build" / "reconstruct.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path)
    for name in TABLES:
        assert (tmp_path / f"{name}.csv").read_bytes() == (datasets_dir() / f"{name}.csv").read_bytes(), name


def test_follow_up_within_cutoff_and_order():
    p = D.load_patients()
    cutoff = pd.Timestamp(D.load_study()["data_cutoff"])
    last = p["registration_date"] + pd.to_timedelta(p["last_contact_day"].astype(int), unit="D")
    assert (last <= cutoff).all()
    still_on = p["off_treatment_day"].isna()
    assert still_on.sum() == 2 and (last[still_on] == cutoff).all()


def test_every_progression_day_has_a_progression_assessment():
    p = D.load_patients().dropna(subset=["progression_day"])
    v = D.load_visits()
    for _, r in p.iterrows():
        row = v[(v["patient_id"] == r["patient_id"]) & (v["day"] == r["progression_day"])]
        assert len(row) == 1 and bool(row["new_node"].iloc[0]), r["patient_id"]


def test_default_mobilization_definition_finds_the_eight_with_margin():
    m = patient_metrics(D.load_labs(), D.load_nodes())
    flagged = is_mobilized(m)
    p = D.load_patients().set_index("patient_id")
    assert list(m.loc[flagged, "patient_id"]) == list(p.index[p["mobilized"]])
    others = m[~flagged]
    # comfortable margin: every other patient misses a threshold by a clear distance
    assert ((others["fold_rise"] <= 1.25) | (others["max_node_decrease_pct"] <= 20)).all()
    assert (m.loc[flagged, "fold_rise"] >= 1.9 - 1e-9).all() and (m.loc[flagged, "max_node_decrease_pct"] >= 38).all()


CTC_V3 = {  # NCI CTC v3.0 lower bounds of grades 2, 3, 4 (grade 1: < LLN)
    "anemia": ("hb", (10.0, 8.0, 6.5)), "neutropenia": ("anc", (1.5, 1.0, 0.5)),
    "thrombocytopenia": ("plt", (75, 50, 25)), "leukopenia": ("wbc", (3.0, 2.0, 1.0)),
}


def test_hematologic_ae_grades_match_lab_nadir_on_onset_day():
    ae = D.load_adverse_events()
    labs = D.load_labs().set_index(["patient_id", "day"])
    checked = 0
    for _, a in ae[ae["term"].isin(list(CTC_V3))].iterrows():
        col, bounds = CTC_V3[a["term"]]
        value = labs.loc[(a["patient_id"], a["day"]), col]
        grade = 1 + sum(value < b for b in bounds)
        assert grade == a["grade"], (a["patient_id"], a["term"], a["day"], value)
        checked += 1
    assert checked >= 25


def test_pre_cycle_labs_meet_retreatment_rule_on_start_days():
    cy = D.load_cycles()
    labs = D.load_labs().set_index(["patient_id", "day"])
    for _, c in cy[cy["cycle"] > 1].iterrows():
        row = labs.loc[(c["patient_id"], c["start_day"])]
        assert row["plt"] >= 40 and row["anc"] >= 1.0, (c["patient_id"], c["cycle"])


def test_largest_node_matches_day0_examination():
    p = D.load_patients().set_index("patient_id")
    n = D.load_nodes()
    day0 = n[n["day"] == 0].groupby("patient_id")["length_cm"].max()
    assert (day0.reindex(p.index) == p["largest_node_cm"]).all()


def test_cycles_count_matches_cycle_rows():
    p = D.load_patients().set_index("patient_id")
    counts = D.load_cycles().groupby("patient_id").size()
    assert (counts.reindex(p.index) == p["cycles"]).all()


def _paper_as_applied(base, visit, nadir_spd) -> str:
    """A deliberately small stand-in for helpers.response's "paper-as-applied" rules, used only to
    check that the recorded best responses are reproducible from the rows: NCI-WG 1996 for CLL
    (an ALC rise is not progression while nodes shrink), IWG 1999 for SLL (blood count ignored)."""
    organ_pd = ((base.spleen_cm > 0 and visit.spleen_cm >= 1.5 * base.spleen_cm)
                or (base.spleen_cm == 0 and visit.spleen_cm > 0)
                or (base.liver_cm > 0 and visit.liver_cm >= 1.5 * base.liver_cm)
                or (base.liver_cm == 0 and visit.liver_cm > 0))
    if base.variant == "SLL":
        if visit.new_node or organ_pd or visit.node_spd_cm2 >= 1.5 * nadir_spd:
            return "PD"
        return "PR" if visit.node_spd_cm2 <= 0.5 * base.node_spd_cm2 else "SD"
    shrinking = visit.node_spd_cm2 < base.node_spd_cm2
    if visit.new_node or organ_pd or visit.richter or visit.node_spd_cm2 >= 1.5 * base.node_spd_cm2:
        return "PD"
    if not shrinking and visit.alc >= 1.5 * base.alc:
        return "PD"
    counts = visit.anc >= 1.5 or visit.plt > 100 or visit.hb > 11.0
    if (visit.alc <= 0.5 * base.alc and visit.node_spd_cm2 <= 0.5 * base.node_spd_cm2 and counts):
        return "PR"
    return "SD"


def test_recorded_best_responses_follow_the_shared_algorithm():
    v = D.load_visits()
    p = D.load_patients().set_index("patient_id")
    for pid, g in v.groupby("patient_id"):
        g = g.sort_values("day")
        base, nadir, calls = g.iloc[0], g.iloc[0]["node_spd_cm2"], []
        for _, x in g.iloc[1:].iterrows():
            c = _paper_as_applied(base, x, nadir)
            calls.append((int(x["day"]), c, bool(x["restaging"])))
            nadir = min(nadir, x["node_spd_cm2"])
            if c == "PD":
                break
        best = None
        for i, (d, c, r) in enumerate(calls):
            if c == "PR" and r and any(d2 >= d + 56 and c2 == "PR" for d2, c2, _ in calls[i + 1:]):
                best = best or ("PR", d)
        pd_days = [d for d, c, _ in calls if c == "PD"]
        if best is None:
            best = ("SD" if any(r for _, c, r in calls if c != "PD") else "PD" if pd_days else "NE", None)
        rec = p.loc[pid]
        assert best[0] == rec["best_response"], (pid, calls)
        if best[0] == "PR":
            assert best[1] == rec["response_day"], pid
        first_pd = pd_days[0] if pd_days else None
        assert (first_pd is None and pd.isna(rec["progression_day"])) or first_pd == rec["progression_day"], pid


def test_every_grade3plus_lab_value_is_covered_by_an_adverse_event():
    """The converse of the nadir check: no grade >= 3 count sits in the labs unexplained."""
    labs, ae = D.load_labs(), D.load_adverse_events()
    for term, (col, bounds) in CTC_V3.items():
        low = labs[labs[col] < bounds[1]]
        for _, r in low.iterrows():
            ep = ae[(ae["patient_id"] == r["patient_id"]) & (ae["term"] == term) & (ae["day"] <= r["day"])
                    & (ae["end_day"] >= r["day"])]
            assert not ep.empty, (r["patient_id"], r["day"], col, r[col])


def test_dose_must_follow_the_ladder(copy_dir):
    cy = pd.read_csv(copy_dir / "cycles.csv", dtype=str, keep_default_na=False)
    line = int(cy.index[(cy["patient_id"] == "P08") & (cy["cycle"] == "2")][0]) + 2
    _edit(copy_dir, "cycles", line, "dose", "5 mg every other day")  # two steps at once
    with pytest.raises(D.DataValidationError) as exc:
        D.load_cycles(copy_dir)
    _assert_names(exc, "cycles.csv", line, "dose")


def test_visit_without_same_day_labs_is_rejected(copy_dir):
    a = pd.read_csv(copy_dir / "assessments.csv", dtype=str, keep_default_na=False)
    _edit(copy_dir, "assessments", 3, "day", "27")  # P01's cycle-2 visit moved to a day without labs
    with pytest.raises(D.DataValidationError) as exc:
        D.load_visits(copy_dir)
    _assert_names(exc, "assessments.csv", 3, "day")
    assert a.loc[1, "patient_id"] in str(exc.value)
