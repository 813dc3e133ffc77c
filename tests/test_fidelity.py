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
