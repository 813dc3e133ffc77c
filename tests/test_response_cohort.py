"""The engine against the reconstructed cohort: the paper's recorded best responses.

Needs the cohort (branch ``cohort``: datasets/ and helpers.data). The expected values are the
paper's printed numbers (4 PR in 22; mobilized: 2 PR, 4 SD, 1 PD, 1 not evaluable), compared
with what the engine computes from the rows.
"""
from __future__ import annotations

import pytest

data = pytest.importorskip("helpers.data")

from helpers import response as R  # noqa: E402


@pytest.fixture(scope="module")
def cohort():
    return data.load_visits(), data.load_patients()


@pytest.fixture(scope="module")
def paper(cohort):
    visits, patients = cohort
    out = R.classify_cohort(visits, patients, "paper-as-applied")
    return out.merge(patients[["patient_id", "mobilized"]], on="patient_id")


def test_paper_as_applied_reproduces_every_recorded_best_response(paper):
    assert len(paper) == 22
    mismatches = paper.loc[paper["best"] != paper["recorded"],
                           ["patient_id", "variant", "recorded", "best"]]
    assert mismatches.empty, mismatches.to_string()


def test_paper_as_applied_four_pr_and_rate(paper):
    assert int((paper["best"] == "PR").sum()) == 4
    ci = R.response_rate_ci(paper["best"])
    assert (ci.responders, ci.n) == (4, 22)
    assert (round(100 * ci.low), round(100 * ci.high)) == (5, 40)


def test_mobilized_subgroup(paper):
    mob = paper[paper["mobilized"].astype(bool)]
    counts = mob["best"].value_counts().to_dict()
    assert counts == {"PR": 2, "SD": 4, "PD": 1, "NE": 1}
    # the two mobilized responders are SLL (IWG 1999 ignores the blood count)
    assert set(mob.loc[mob["best"] == "PR", "variant"]) == {"SLL"}


def test_routing_by_recorded_variant(paper, cohort):
    _, patients = cohort
    assert (paper["rule_set"] == paper["variant"].map({"CLL": "nci-wg-1996",
                                                       "SLL": "iwg-1999"})).all()
    assert int((patients["variant"] == "SLL").sum()) == 10


def test_strict_1996_makes_the_four_stable_mobilized_progressive(cohort, paper):
    visits, patients = cohort
    strict = R.classify_cohort(visits, patients, "nci-wg-1996").set_index("patient_id")
    sd_mob = paper.loc[paper["mobilized"].astype(bool) & (paper["best"] == "SD"), "patient_id"]
    assert len(sd_mob) == 4
    assert (strict.loc[sd_mob, "best"] == "PD").all()
