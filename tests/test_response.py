"""Tests of helpers.response: every rule at and on both sides of its threshold, the
not-assessable paths, the errors, the worked vectors and the best-response algorithm."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import response as R
from helpers.response import RANK, best_response, classify_cohort, classify_visit

SETS = ("nci-wg-1996", "iwg-1999", "iwcll-2008", "pr-l-2012", "iwcll-2018")


# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------
def base(**kw):
    """A CLL baseline: ALC 20, SPD 40 cm2, largest node 5 cm, spleen 6 cm, liver 0, Hb 10.5,
    platelets 95, ANC 2.5 (section 10 of the reference notes, patient Z)."""
    d = dict(alc=20.0, node_spd_cm2=40.0, largest_node_cm=5.0, liver_cm=0.0, spleen_cm=6.0,
             hb=10.5, plt=95.0, anc=2.5, new_node=False, symptoms=False, variant="CLL")
    d.update(kw)
    return d


def visit(**kw):
    """A responding visit: ALC 8 (-60%), SPD 16 (-60%), spleen 2 (-67%), counts recovered."""
    d = dict(alc=8.0, node_spd_cm2=16.0, largest_node_cm=3.0, liver_cm=0.0, spleen_cm=2.0,
             hb=11.5, plt=120.0, anc=2.8, new_node=False, symptoms=False, richter=False,
             transfused=False, epo=False, gcsf=False)
    d.update(kw)
    return d


def cat(criteria, b=None, v=None, **kw):
    return classify_visit(b or base(), v or visit(), criteria, **kw).category


def reason(res, category, parameter):
    hits = [r for r in res.reasons if r.category == category and r.parameter == parameter]
    assert hits, f"no reason {category} {parameter}"
    return hits[0]


CR_VISIT = dict(alc=2.0, node_spd_cm2=0.0, largest_node_cm=0.0, liver_cm=0.0, spleen_cm=0.0,
                hb=12.5, plt=150.0, anc=2.5, marrow_lymph_pct=20.0, spleen_length_cm=11.0)


# ---------------------------------------------------------------------------------------------
# the worked vectors of section 10
# ---------------------------------------------------------------------------------------------
Z_VISIT = visit(alc=96.0, node_spd_cm2=9.6, largest_node_cm=2.0, spleen_cm=2.0, hb=11.5,
                plt=120.0, anc=2.8)


def test_vector_z_all_sets():
    assert cat("nci-wg-1996", base(), Z_VISIT) == "PD"
    assert cat("iwcll-2008", base(), Z_VISIT) == "PD"
    assert cat("pr-l-2012", base(), Z_VISIT) == "PR-L"
    assert cat("iwcll-2018", base(), Z_VISIT, redistribution_agent=True) == "PR-L"
    assert cat("iwcll-2018", base(), Z_VISIT, redistribution_agent=False) == "PD"
    # the paper's reading: the ALC rise is not progression while nodes shrink, and no PR
    res = classify_visit(base(), Z_VISIT, "paper-as-applied")
    assert (res.category, res.rule_set) == ("SD", "nci-wg-1996")
    assert reason(res, "PD", "blood lymphocytes").counted is False


def test_vector_z_never_pr_under_1996_even_without_pd():
    # lower the ALC rise below 50%: still no PR because the ALC did not fall
    res = classify_visit(base(), visit(alc=25.0, node_spd_cm2=9.6), "nci-wg-1996")
    assert res.category == "SD"
    assert reason(res, "PR", "blood lymphocytes").status == "not met"


def test_vector_z_best_response_confirmed():
    rows = [dict(base(), day=0, restaging=False), dict(Z_VISIT, day=56, restaging=True),
            dict(Z_VISIT, day=112, restaging=True)]
    assert best_response(rows, "pr-l-2012").category == "PR-L"
    assert best_response(rows, "iwcll-2018", redistribution_agent=True).category == "PR-L"
    assert best_response(rows, "iwcll-2018").category == "PD"
    assert best_response(rows, "nci-wg-1996").category == "PD"


S_BASE = base(alc=1.2, spleen_cm=0.0, hb=12.0, plt=150.0, variant="SLL")
S_VISIT = visit(alc=4.0, node_spd_cm2=9.6, largest_node_cm=2.0, spleen_cm=0.0)


def test_vector_s_sll():
    assert cat("iwg-1999", S_BASE, S_VISIT) == "PR"
    assert cat("paper-as-applied", S_BASE, S_VISIT) == "PR"
    # blood is not assessed by IWG 1999, even a large rise
    assert cat("iwg-1999", S_BASE, visit(alc=60.0, node_spd_cm2=9.6, largest_node_cm=2.0,
                                         spleen_cm=0.0)) == "PR"
    # iwCLL 2008: a rise >= 50% to >= 5 is PD; to 4.0 it is not
    assert cat("iwcll-2008", S_BASE, dict(S_VISIT, alc=5.0)) == "PD"
    assert cat("iwcll-2008", S_BASE, S_VISIT) == "PR"


# ---------------------------------------------------------------------------------------------
# NCI-WG 1996
# ---------------------------------------------------------------------------------------------
def test_1996_responding_visit_is_pr():
    assert cat("nci-wg-1996") == "PR"


@pytest.mark.parametrize("alc,expected", [(10.0, "PR"), (9.9, "PR"), (10.1, "SD")])
def test_1996_pr_alc_fall_boundary(alc, expected):
    assert cat("nci-wg-1996", v=visit(alc=alc)) == expected


@pytest.mark.parametrize("spd,expected", [(20.0, "PR"), (19.6, "PR"), (20.4, "SD")])
def test_1996_pr_node_fall_boundary(spd, expected):
    assert cat("nci-wg-1996", v=visit(node_spd_cm2=spd)) == expected


@pytest.mark.parametrize("spleen,expected", [(3.0, "PR"), (2.9, "PR"), (3.1, "SD")])
def test_1996_pr_spleen_fall_boundary(spleen, expected):
    assert cat("nci-wg-1996", v=visit(spleen_cm=spleen)) == expected


def test_1996_pr_liver_counts_only_if_enlarged():
    assert cat("nci-wg-1996", base(liver_cm=4.0), visit(liver_cm=2.0)) == "PR"
    assert cat("nci-wg-1996", base(liver_cm=4.0), visit(liver_cm=2.1)) == "SD"
    res = classify_visit(base(liver_cm=0.0), visit(liver_cm=0.0), "nci-wg-1996")
    assert reason(res, "PR", "liver").counted is False


# counts: at least one of ANC >= 1.5, platelets > 100, Hb > 11, or >= 50% improvement
LOW = dict(anc=1.0, plt=60.0, hb=9.0)


@pytest.mark.parametrize("field,value,expected", [
    ("anc", 1.5, "PR"), ("anc", 1.49, "SD"), ("anc", 1.51, "PR"),
    ("plt", 100.0, "SD"), ("plt", 100.1, "PR"), ("plt", 99.9, "SD"),
    ("hb", 11.0, "SD"), ("hb", 11.01, "PR"), ("hb", 10.99, "SD"),
])
def test_1996_pr_count_levels(field, value, expected):
    b = base(anc=1.4, plt=90.0, hb=10.0)
    v = visit(anc=1.45, plt=92.0, hb=10.2)   # none recovered, none improved by 50%
    v[field] = value
    assert cat("nci-wg-1996", b, v) == expected


@pytest.mark.parametrize("plt,expected", [(90.0, "PR"), (89.9, "SD"), (90.1, "PR")])
def test_1996_pr_count_improvement_50pct(plt, expected):
    b = base(**LOW)
    v = visit(anc=1.0, plt=plt, hb=9.0)
    assert cat("nci-wg-1996", b, v) == expected


def test_1996_counts_under_transfusion_do_not_count():
    b = base(anc=1.0, plt=60.0, hb=9.0)
    v = visit(anc=1.0, plt=60.0, hb=11.5, transfused=True)
    res = classify_visit(b, v, "nci-wg-1996")
    assert res.category == "SD"
    assert reason(res, "PR", "hemoglobin").status == "not met"
    assert cat("nci-wg-1996", b, dict(v, transfused=False)) == "PR"


def test_1996_missing_transfused_is_not_assessable_not_passed():
    b = base(anc=1.0, plt=60.0, hb=9.0)
    v = visit(anc=1.0, plt=60.0, hb=11.5)
    del v["transfused"]
    res = classify_visit(b, v, "nci-wg-1996")
    assert reason(res, "PR", "hemoglobin").status == "not assessable"
    assert res.category == "SD"


@pytest.mark.parametrize("alc,expected", [(30.0, "PD"), (29.9, "PR"), (30.1, "PD")])
def test_1996_pd_alc_rise_boundary(alc, expected):
    # node shrinkage keeps the other criteria; a rise of 50% over 20 is PD (else PR fails -> SD)
    res = classify_visit(base(), visit(alc=alc), "nci-wg-1996")
    assert res.category == (expected if expected == "PD" else "SD")


def test_1996_pd_alc_has_no_floor():
    # 2.0 -> 3.0 is a 50% rise to a count below 5: PD under our reading of 1996, not under 2008
    b = base(alc=2.0)
    assert cat("nci-wg-1996", b, visit(alc=3.0)) == "PD"
    assert cat("nci-wg-1996", b, visit(alc=2.99)) != "PD"
    assert cat("iwcll-2008", b, visit(alc=3.0)) != "PD"
    row = R.criteria_table("nci-wg-1996").set_index("key").loc["pd.alc_floor"]
    assert row["threshold"] == 0.0 and not row["verified"]


@pytest.mark.parametrize("spd,expected", [(60.0, "PD"), (59.9, "SD"), (60.1, "PD")])
def test_1996_pd_node_rise_boundary(spd, expected):
    assert cat("nci-wg-1996", v=visit(node_spd_cm2=spd, alc=20.0)) == expected


@pytest.mark.parametrize("spleen,expected", [(9.0, "PD"), (8.9, "SD"), (9.1, "PD")])
def test_1996_pd_spleen_rise_boundary(spleen, expected):
    assert cat("nci-wg-1996", v=visit(spleen_cm=spleen, alc=20.0, node_spd_cm2=40.0)) == expected


def test_1996_pd_new_organ_new_node_richter():
    assert cat("nci-wg-1996", v=visit(liver_cm=1.0)) == "PD"   # liver newly palpable
    assert cat("nci-wg-1996", v=visit(new_node=True)) == "PD"
    assert cat("nci-wg-1996", v=visit(richter=True)) == "PD"
    # nodes appearing from a baseline without palpable nodes
    assert cat("nci-wg-1996", base(node_spd_cm2=0.0, largest_node_cm=0.0),
               visit(node_spd_cm2=2.0)) == "PD"


def test_1996_cytopenia_is_not_pd():
    assert cat("nci-wg-1996", v=visit(plt=20.0, hb=7.0, anc=0.3)) != "PD"


@pytest.mark.parametrize("alc,expected", [(4.0, "CR"), (3.9, "CR"), (4.01, "PR")])
def test_1996_cr_alc_boundary(alc, expected):
    assert cat("nci-wg-1996", v=visit(**dict(CR_VISIT, alc=alc))) == expected


@pytest.mark.parametrize("marrow,expected", [(29.9, "CR"), (30.0, "PR")])
def test_1996_cr_marrow_boundary(marrow, expected):
    assert cat("nci-wg-1996", v=visit(**dict(CR_VISIT, marrow_lymph_pct=marrow))) == expected


def test_1996_cr_without_marrow_is_clinical_cr_detail():
    v = visit(**CR_VISIT)
    del v["marrow_lymph_pct"]
    res = classify_visit(base(), v, "nci-wg-1996")
    assert res.category == "PR"
    assert res.detail == "clinical CR (marrow not examined)"
    assert reason(res, "CR", "marrow lymphocytes").status == "not assessable"


@pytest.mark.parametrize("field,value", [("anc", 1.49), ("plt", 100.0), ("hb", 11.0),
                                         ("spleen_cm", 0.5), ("node_spd_cm2", 0.5),
                                         ("symptoms", True)])
def test_1996_cr_each_item_required(field, value):
    assert cat("nci-wg-1996", v=visit(**dict(CR_VISIT, **{field: value}))) != "CR"


# the ALC-fall requirement for CLL patients whose baseline ALC is <= 5
@pytest.mark.parametrize("base_alc,visit_alc,expected", [
    (3.0, 2.8, "PR"),    # normal at baseline (<= 4.0): the ALC-fall requirement does not apply
    (4.0, 3.9, "PR"),    # at the gate: still normal
    (4.5, 2.8, "SD"),    # 4.0 < ALC <= 5: abnormal, needs <= 2.25
    (4.5, 2.25, "PR"),
    (5.0, 2.6, "SD"),
])
def test_1996_alc_fall_gate_low_baseline(base_alc, visit_alc, expected):
    res = classify_visit(base(alc=base_alc), visit(alc=visit_alc), "nci-wg-1996")
    assert res.category == expected
    assert reason(res, "PR", "blood lymphocytes").counted is (base_alc > 4.0)


def test_1996_gate_is_overridable():
    # gate at 2.0: a baseline of 3.0 is now abnormal and needs <= 1.5
    assert cat("nci-wg-1996", base(alc=3.0), visit(alc=2.8),
               thresholds={"pr.alc_gate": 2.0}) == "SD"


# ---------------------------------------------------------------------------------------------
# IWG 1999
# ---------------------------------------------------------------------------------------------
SB = base(alc=1.5, spleen_cm=0.0, variant="SLL")


@pytest.mark.parametrize("spd,expected", [(20.0, "PR"), (19.9, "PR"), (20.1, "SD")])
def test_1999_pr_node_boundary(spd, expected):
    assert cat("iwg-1999", SB, visit(node_spd_cm2=spd, spleen_cm=0.0)) == expected


def test_1999_pr_blocked_by_organ_growth_and_new_node():
    b = base(alc=1.5, spleen_cm=2.0)
    assert cat("iwg-1999", b, visit(spleen_cm=2.0)) == "PR"
    assert cat("iwg-1999", b, visit(spleen_cm=2.5)) == "SD"
    assert cat("iwg-1999", SB, visit(spleen_cm=0.0, new_node=True)) == "PD"


def test_1999_pd_from_nadir():
    nadir = {"node_spd_cm2": 10.0}
    assert cat("iwg-1999", SB, visit(node_spd_cm2=15.0, spleen_cm=0.0), nadir=nadir) == "PD"
    assert cat("iwg-1999", SB, visit(node_spd_cm2=14.9, spleen_cm=0.0), nadir=nadir) == "PR"
    res = classify_visit(SB, visit(node_spd_cm2=15.0, spleen_cm=0.0), "iwg-1999")
    assert res.category == "PR"
    assert any("nadir not given" in n for n in res.notes)


@pytest.mark.parametrize("spleen,expected", [(3.0, "PD"), (2.9, "SD")])
def test_1999_pd_organ_from_nadir(spleen, expected):
    b = base(alc=1.5, spleen_cm=4.0)
    assert cat("iwg-1999", b, visit(spleen_cm=spleen, node_spd_cm2=30.0),
               nadir={"spleen_cm": 2.0}) == expected


@pytest.mark.parametrize("largest,marrow,expected_detail", [
    (1.5, 20.0, "CR"), (1.5, None, "CR not confirmable: marrow not examined"), (1.6, 20.0, "PR"),
    (1.0, 35.0, "PR")])
def test_1999_cr_needs_marrow(largest, marrow, expected_detail):
    # a marrow not examined is not an indeterminate marrow (CRu): the CR is not confirmable
    v = visit(node_spd_cm2=2.0, largest_node_cm=largest, spleen_cm=0.0, marrow_lymph_pct=marrow)
    res = classify_visit(SB, v, "iwg-1999")
    assert res.detail == expected_detail
    assert res.category == ("CR" if expected_detail == "CR" else "PR")
    if marrow is None:
        assert reason(res, "CR", "marrow lymphocytes").status == "not assessable"


def test_1999_ignores_blood():
    res = classify_visit(SB, visit(alc=80.0, spleen_cm=0.0, plt=20.0), "iwg-1999")
    assert res.category == "PR"
    assert reason(res, "PD", "blood lymphocytes").counted is False


# ---------------------------------------------------------------------------------------------
# iwCLL 2008 (published Table 4), PR-L 2012, iwCLL 2018
# ---------------------------------------------------------------------------------------------
def test_2008_needs_two_group_a():
    # abnormal A at baseline: nodes, spleen, ALC. Only nodes met -> SD; nodes + spleen -> PR
    assert cat("iwcll-2008", v=visit(alc=15.0, spleen_cm=5.0)) == "SD"
    assert cat("iwcll-2008", v=visit(alc=15.0, spleen_cm=3.0)) == "PR"
    assert cat("iwcll-2008", v=visit(alc=10.0, spleen_cm=5.0)) == "PR"


def test_2008_one_abnormal_a_is_enough_when_only_one():
    b = base(alc=2.0, spleen_cm=0.0, hb=10.0)
    assert cat("iwcll-2008", b, visit(alc=2.0, spleen_cm=0.0)) == "PR"
    assert cat("iwcll-2008", b, visit(alc=2.0, spleen_cm=0.0, node_spd_cm2=21.0)) == "SD"


@pytest.mark.parametrize("plt,expected", [(100.0, "SD"), (100.1, "PR"), (142.5, "PR"),
                                          (99.0, "SD")])
def test_2008_group_b_platelets(plt, expected):
    # baseline platelets 95 (abnormal), Hb 11.5 and ANC 2.5 normal -> only platelets count
    b = base(hb=11.5)
    assert cat("iwcll-2008", b, visit(plt=plt, hb=11.6)) == expected


def test_2008_group_b_improvement_50pct():
    b = base(plt=60.0, hb=11.5)
    assert cat("iwcll-2008", b, visit(plt=90.0)) == "PR"
    assert cat("iwcll-2008", b, visit(plt=89.9)) == "SD"


@pytest.mark.parametrize("alc,expected", [(30.0, "PD"), (29.9, "SD"), (30.1, "PD")])
def test_2008_pd_alc_rise(alc, expected):
    assert cat("iwcll-2008", v=visit(alc=alc, spleen_cm=6.0, node_spd_cm2=40.0)) == expected


@pytest.mark.parametrize("alc,expected", [(5.0, "PD"), (4.99, "SD")])
def test_2008_pd_alc_floor(alc, expected):
    b = base(alc=2.0, node_spd_cm2=40.0)
    assert cat("iwcll-2008", b, visit(alc=alc, spleen_cm=6.0, node_spd_cm2=40.0)) == expected


@pytest.mark.parametrize("hb,marrow,expected", [(8.4, 40.0, "PD"), (8.5, 40.0, "SD"),
                                                (8.4, None, "SD")])
def test_2008_pd_hb_fall_needs_attribution(hb, marrow, expected):
    v = visit(hb=hb, alc=20.0, node_spd_cm2=40.0, spleen_cm=6.0, marrow_lymph_pct=marrow)
    res = classify_visit(base(), v, "iwcll-2008")
    assert res.category == expected
    if marrow is None:
        assert reason(res, "PD", "hemoglobin").status == "not assessable"


def test_2018_pd_hb_fall_ge_2():
    v = visit(hb=8.5, alc=20.0, node_spd_cm2=40.0, spleen_cm=6.0, marrow_lymph_pct=40.0)
    assert cat("iwcll-2018", base(), v) == "PD"          # >= 2 in 2018
    assert cat("iwcll-2008", base(), v) == "SD"          # > 2 in 2008


@pytest.mark.parametrize("plt,expected", [(47.5, "PD"), (47.6, "SD")])
def test_2008_pd_platelet_fall(plt, expected):
    v = visit(plt=plt, alc=20.0, node_spd_cm2=40.0, spleen_cm=6.0, marrow_lymph_pct=40.0)
    assert cat("iwcll-2008", base(), v) == expected


def test_2008_cr_and_cri():
    assert classify_visit(base(), visit(**CR_VISIT), "iwcll-2008").detail == "CR"
    res = classify_visit(base(), visit(**dict(CR_VISIT, plt=90.0)), "iwcll-2008")
    assert (res.category, res.detail) == ("CR", "CRi")
    assert cat("iwcll-2008", v=visit(**dict(CR_VISIT, largest_node_cm=1.6))) == "PR"
    assert cat("iwcll-2008", v=visit(**dict(CR_VISIT, largest_node_cm=1.5))) == "CR"
    assert cat("iwcll-2008", v=visit(**dict(CR_VISIT, alc=4.0))) == "PR"


def test_2018_cr_operators_and_imaging():
    assert cat("iwcll-2018", v=visit(**dict(CR_VISIT, plt=100.0, hb=11.0, anc=1.5))) == "CR"
    assert classify_visit(base(), visit(**dict(CR_VISIT, plt=99.9)),
                          "iwcll-2018").detail == "CRi"
    assert cat("iwcll-2018", v=visit(**dict(CR_VISIT, largest_node_cm=1.5))) == "PR"
    assert cat("iwcll-2018", v=visit(**dict(CR_VISIT, spleen_length_cm=13.0))) == "PR"
    v = visit(**CR_VISIT)
    del v["spleen_length_cm"]
    res = classify_visit(base(), v, "iwcll-2018")
    assert res.category == "PR"
    assert reason(res, "CR", "spleen length (imaging)").status == "not assessable"


def test_2018_cr_hb_under_epo_is_not_recovery():
    res = classify_visit(base(), visit(**dict(CR_VISIT, epo=True)), "iwcll-2018")
    assert res.detail == "CRi"
    assert reason(res, "CR", "hemoglobin").status == "not met"


def test_2018_pd_nodes_from_nadir():
    v = visit(node_spd_cm2=15.0, alc=8.0)
    assert cat("iwcll-2018", base(), v, nadir={"node_spd_cm2": 10.0}) == "PD"
    assert cat("iwcll-2018", base(), v, nadir={"node_spd_cm2": 10.1}) == "PR"
    assert cat("iwcll-2008", base(), v, nadir={"node_spd_cm2": 10.0}) == "PR"


def test_2012_isolated_lymphocytosis_not_pd_but_other_pd_is():
    assert cat("pr-l-2012", v=visit(alc=100.0, spleen_cm=6.0)) != "PD"
    assert cat("pr-l-2012", v=visit(alc=100.0, node_spd_cm2=60.0)) == "PD"
    assert cat("pr-l-2012", v=visit(alc=100.0, new_node=True)) == "PD"


def test_2012_pr_when_alc_falls_prl_when_not():
    assert cat("pr-l-2012") == "PR"                       # ALC fell 60%
    assert cat("pr-l-2012", v=visit(alc=10.1)) == "PR"    # 2008 counting: nodes + spleen
    assert cat("pr-l-2012", v=visit(alc=30.0)) == "PR-L"  # rise >= 50%: would be PD in 2008
    assert cat("iwcll-2008", v=visit(alc=30.0)) == "PD"
    assert cat("pr-l-2012", v=visit(alc=29.9)) == "PR"
    # only nodes and ALC abnormal at baseline: the ALC not falling blocks the 2008 PR
    b = base(spleen_cm=0.0)
    assert cat("iwcll-2008", b, visit(alc=15.0, spleen_cm=0.0)) == "SD"
    assert cat("pr-l-2012", b, visit(alc=15.0, spleen_cm=0.0)) == "PR-L"
    assert cat("pr-l-2012", b, visit(alc=10.0, spleen_cm=0.0)) == "PR"


def test_flag_only_changes_2018():
    for c in ("nci-wg-1996", "iwg-1999", "iwcll-2008", "pr-l-2012"):
        assert cat(c, v=Z_VISIT) == cat(c, v=Z_VISIT, redistribution_agent=True)


# ---------------------------------------------------------------------------------------------
# paper-as-applied
# ---------------------------------------------------------------------------------------------
def test_paper_routes_by_variant_not_counts():
    # an SLL patient whose ALC rises above 5 on treatment stays under IWG 1999
    res = classify_visit(S_BASE, dict(S_VISIT, alc=40.0), "paper-as-applied")
    assert (res.rule_set, res.category) == ("iwg-1999", "PR")
    res = classify_visit(base(), visit(), "paper-as-applied")
    assert (res.rule_set, res.category) == ("nci-wg-1996", "PR")


@pytest.mark.parametrize("spd,expected", [(39.9, "SD"), (40.0, "PD"), (45.0, "PD")])
def test_paper_alc_rise_exempt_only_while_nodes_shrink(spd, expected):
    assert cat("paper-as-applied", v=visit(alc=60.0, node_spd_cm2=spd, spleen_cm=6.0)) == expected


def test_paper_other_pd_criteria_still_apply():
    assert cat("paper-as-applied", v=visit(alc=60.0, new_node=True)) == "PD"
    assert cat("paper-as-applied", v=visit(alc=60.0, spleen_cm=9.0)) == "PD"


# ---------------------------------------------------------------------------------------------
# thresholds
# ---------------------------------------------------------------------------------------------
def test_threshold_overrides_move_the_boundary():
    v = visit(alc=12.0)     # a 40% fall
    assert cat("nci-wg-1996", v=v) == "SD"
    assert cat("nci-wg-1996", v=v, thresholds={"pr.alc_fall_pct": 40}) == "PR"
    v = visit(node_spd_cm2=26.0)     # a 35% fall
    assert cat("iwg-1999", SB, dict(v, spleen_cm=0.0)) == "SD"
    assert cat("iwg-1999", SB, dict(v, spleen_cm=0.0), thresholds={"pr.node_fall_pct": 30}) == "PR"
    b = base(anc=1.0, plt=60.0, hb=9.0)
    v = visit(anc=1.0, plt=60.0, hb=10.5)
    assert cat("nci-wg-1996", b, v) == "SD"
    assert cat("nci-wg-1996", b, v, thresholds={"pr.hb": 10.0}) == "PR"


# ---------------------------------------------------------------------------------------------
# not assessable and errors
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("criteria", SETS)
def test_missing_optional_fields_are_not_assessable(criteria):
    v = visit()
    for f in ("richter", "transfused", "epo", "gcsf"):
        v.pop(f)
    res = classify_visit(base(), v, criteria)
    statuses = {r.parameter: r.status for r in res.reasons if r.category in ("PD", "CR")}
    assert statuses.get("Richter transformation") == "not assessable"
    assert "marrow lymphocytes" not in statuses or statuses["marrow lymphocytes"] == \
        "not assessable"


def test_missing_alc_blocks_1996_pr():
    v = visit(alc=None)
    res = classify_visit(base(), v, "nci-wg-1996")
    assert res.category == "SD"
    assert reason(res, "PR", "blood lymphocytes").status == "not assessable"


@pytest.mark.parametrize("criteria", SETS)
def test_missing_nodes_never_passes(criteria):
    res = classify_visit(base(), visit(node_spd_cm2=float("nan")), criteria)
    assert reason(res, "PR", "lymph nodes").status == "not assessable"


def test_errors():
    with pytest.raises(ValueError, match="criteria='nci-1996'.*allowed"):
        classify_visit(base(), visit(), "nci-1996")
    with pytest.raises(ValueError, match=r"visit\.plt=-1"):
        classify_visit(base(), visit(plt=-1), "iwcll-2008")
    with pytest.raises(ValueError, match=r"baseline\.alc"):
        classify_visit(base(alc=-0.1), visit(), "iwcll-2008")
    with pytest.raises(ValueError, match=r"hb=110.*g/L.*g/dL"):
        classify_visit(base(), visit(hb=110), "iwcll-2008")
    with pytest.raises(ValueError, match=r"baseline\.node_spd_cm2 is missing"):
        classify_visit(base(node_spd_cm2=None), visit(), "iwg-1999")
    with pytest.raises(ValueError, match=r"baseline\.alc is missing"):
        classify_visit(base(alc=None), visit(), "nci-wg-1996")
    with pytest.raises(ValueError, match="variant"):
        classify_visit(base(variant=None), visit(), "paper-as-applied")
    with pytest.raises(ValueError, match="variant"):
        classify_visit(base(variant="MBL"), visit(), "paper-as-applied")
    with pytest.raises(ValueError, match="new_node"):
        classify_visit(base(), visit(new_node="maybe"), "iwcll-2008")
    with pytest.raises(ValueError, match="marrow_lymph_pct"):
        classify_visit(base(), visit(marrow_lymph_pct=130), "iwcll-2008")
    with pytest.raises(ValueError, match="unknown key"):
        classify_visit(base(), visit(), "iwcll-2008", thresholds={"alc": 3})
    with pytest.raises(ValueError, match="thresholds"):
        classify_visit(base(), visit(), "iwcll-2008", thresholds={"pr.alc_fall_pct": -5})
    with pytest.raises(ValueError, match="redistribution_agent"):
        classify_visit(base(), visit(), "iwcll-2018", redistribution_agent="yes")
    with pytest.raises(ValueError, match="alc='lots'"):
        classify_visit(base(), visit(alc="lots"), "iwcll-2018")


def test_accepts_series():
    res = classify_visit(pd.Series(base()), pd.Series(visit()), "iwcll-2008")
    assert res.category == "PR"


# ---------------------------------------------------------------------------------------------
# best response
# ---------------------------------------------------------------------------------------------
def rows_of(*visits):
    out = [dict(base(), day=0, restaging=False)]
    for day, restaging, v in visits:
        out.append(dict(v, day=day, restaging=restaging))
    return out


PRV, SDV, PDV = visit(), visit(alc=15.0, node_spd_cm2=35.0), visit(new_node=True)


def test_best_confirmed_at_56_days_exactly():
    assert best_response(rows_of((56, True, PRV), (112, True, PRV)), "nci-wg-1996").category == "PR"
    r = best_response(rows_of((56, True, PRV), (111, False, PRV)), "nci-wg-1996")
    assert r.category == "SD"
    r = best_response(rows_of((56, True, PRV), (84, False, PRV), (112, False, PRV)),
                      "nci-wg-1996")
    assert (r.category, r.response_day, r.confirmed_day) == ("PR", 56, 112)


def test_best_response_only_documented_at_restaging():
    r = best_response(rows_of((28, False, PRV), (56, True, SDV), (112, False, PRV)),
                      "nci-wg-1996")
    assert r.category == "SD"


def test_best_everything_after_pd_ignored():
    r = best_response(rows_of((56, True, PRV), (84, False, PDV), (140, True, PRV)),
                      "nci-wg-1996")
    assert (r.category, r.pd_day) == ("SD", 84)
    assert list(r.visits["day"]) == [56, 84]


def test_best_pd_and_ne():
    assert best_response(rows_of((28, False, PDV)), "nci-wg-1996").category == "PD"
    assert best_response(rows_of((28, False, SDV)), "nci-wg-1996").category == "NE"
    assert best_response(rows_of(), "nci-wg-1996").category == "NE"
    # a restaging visit that is itself PD is not "before the first PD"
    assert best_response(rows_of((56, True, PDV)), "nci-wg-1996").category == "PD"


def test_best_prl_confirmed_by_pr_but_pr_not_by_prl():
    prl = visit(alc=40.0)      # ALC doubled, nodes and spleen fell -> PR-L under 2012
    assert cat("pr-l-2012", v=prl) == "PR-L"
    r = best_response(rows_of((56, True, prl), (112, True, PRV)), "pr-l-2012")
    assert r.category == "PR-L"
    # the shared algorithm confirms a response only by "at least that response": a PR followed
    # by PR-L 56 days later is not confirmed, and the PR-L at 112 needs its own confirmation
    r = best_response(rows_of((56, True, PRV), (112, True, prl)), "pr-l-2012")
    assert r.category == "SD"
    r = best_response(rows_of((56, True, PRV), (112, True, prl), (168, False, prl)), "pr-l-2012")
    assert (r.category, r.response_day) == ("PR-L", 112)


def test_best_uses_nadir_for_iwg():
    sll = [dict(SB, day=0, restaging=False),
           dict(visit(node_spd_cm2=10.0, spleen_cm=0.0), day=56, restaging=True),
           dict(visit(node_spd_cm2=15.0, spleen_cm=0.0), day=112, restaging=True)]
    r = best_response(sll, "iwg-1999")
    assert (r.category, r.pd_day) == ("SD", 112)   # PR at 56 not confirmed: +50% from nadir


def test_best_response_errors():
    with pytest.raises(ValueError, match="day-0"):
        best_response([dict(visit(), day=28)], "nci-wg-1996")
    with pytest.raises(ValueError, match="duplicates"):
        best_response(rows_of((28, False, PRV), (28, True, PRV)), "nci-wg-1996")
    with pytest.raises(ValueError, match="confirm_days"):
        best_response(rows_of(), "nci-wg-1996", confirm_days=-1)
    with pytest.raises(ValueError, match="criteria"):
        best_response(rows_of(), "who")
    two = [dict(r, patient_id="A") for r in rows_of()] + [dict(r, patient_id="B") for r in rows_of()]
    with pytest.raises(ValueError, match="one patient"):
        best_response(two, "nci-wg-1996")
    with pytest.raises(ValueError, match="visits.day"):
        best_response([dict(base(), day=None)], "nci-wg-1996")


def test_classify_cohort_small():
    visits = pd.DataFrame(
        [dict(r, patient_id="A") for r in rows_of((56, True, PRV), (112, True, PRV))]
        + [dict(r, patient_id="B") for r in rows_of((56, True, Z_VISIT), (112, True, Z_VISIT))]
        + [dict(r, patient_id="C") for r in rows_of()])
    patients = pd.DataFrame({"patient_id": ["A", "B", "C"], "variant": ["CLL", "CLL", "CLL"],
                             "best_response": ["PR", "SD", "NE"]})
    out = classify_cohort(visits, patients, "paper-as-applied")
    assert list(out["best"]) == ["PR", "SD", "NE"]
    assert list(out["best"]) == list(out["recorded"])
    out = classify_cohort(visits, patients, "pr-l-2012")
    assert list(out["best"]) == ["PR", "PR-L", "NE"]
    assert R.response_rate(out["best"]) == (2, 3)
    assert R.response_rate(out["best"], count_prl=False) == (1, 3)


# ---------------------------------------------------------------------------------------------
# the criteria table
# ---------------------------------------------------------------------------------------------
def test_criteria_table_complete():
    tab = R.criteria_table()
    assert set(tab["criteria"]) == set(R.CRITERIA)
    for col in ("category", "parameter", "comparison", "threshold", "unit", "source", "table",
                "verified", "choice"):
        assert col in tab.columns
    assert tab["source"].str.contains(r"\d{4}").all()
    # every [M] item of the notes is flagged: PR-L rules and 2018's combination rule
    assert not tab.query("key == 'prl.rule'")["verified"].any()
    assert not tab.query("criteria == 'iwcll-2018' and key == 'pr.n_group_a'")["verified"].any()
    assert tab.query("criteria == 'iwcll-2008' and key == 'pr.n_group_a'")["verified"].all()
    side = R.side_by_side()
    assert list(side.columns) == list(SETS)
    assert side.loc["PR: blood lymphocytes", "iwg-1999"] == "-"
    assert side.loc["PR: blood lymphocytes", "nci-wg-1996"] == "fall >= 50%"


def test_reasons_carry_threshold_and_value():
    res = classify_visit(base(), visit(), "nci-wg-1996")
    r = reason(res, "PR", "blood lymphocytes")
    assert "50%" in r.criterion and "20 -> 8" in r.value and r.status == "met"
    assert set(res.table()["status"]) <= set(R.STATUSES)
    assert "PR" in str(res)


# ---------------------------------------------------------------------------------------------
# property: improving one measurement never worsens the category within one rule set
# ---------------------------------------------------------------------------------------------
pos = st.floats(min_value=0.0, max_value=200.0, allow_nan=False)
counts = st.fixed_dictionaries({
    "alc": st.floats(0.1, 300.0), "node_spd_cm2": st.floats(0.0, 150.0),
    "largest_node_cm": st.floats(0.0, 12.0), "liver_cm": st.sampled_from([0.0, 2.0, 5.0]),
    "spleen_cm": st.sampled_from([0.0, 3.0, 8.0]), "hb": st.floats(6.0, 16.0),
    "plt": st.floats(10.0, 300.0), "anc": st.floats(0.2, 8.0),
})
visit_extra = st.fixed_dictionaries({
    "new_node": st.booleans(), "symptoms": st.booleans(), "richter": st.just(False),
    "transfused": st.booleans(), "epo": st.booleans(), "gcsf": st.booleans(),
    "marrow_lymph_pct": st.one_of(st.none(), st.floats(0.0, 100.0)),
    "spleen_length_cm": st.one_of(st.none(), st.floats(8.0, 20.0)),
})
LOWER_BETTER = ("alc", "node_spd_cm2", "largest_node_cm", "liver_cm", "spleen_cm")
HIGHER_BETTER = ("hb", "plt", "anc")


@settings(max_examples=250, deadline=None)
@given(b=counts, v=counts, extra=visit_extra, variant=st.sampled_from(["CLL", "SLL"]),
       field=st.sampled_from(LOWER_BETTER + HIGHER_BETTER), frac=st.floats(0.0, 1.0),
       criteria=st.sampled_from(R.CRITERIA), flag=st.booleans())
def test_property_improvement_never_worsens(b, v, extra, variant, field, frac, criteria, flag):
    b = dict(b, new_node=False, symptoms=False, variant=variant)
    v = dict(v, **extra)
    better = dict(v)
    if field in LOWER_BETTER:
        better[field] = v[field] * frac
    else:
        better[field] = min(v[field] + (v[field] + 1.0) * frac * 3, 300.0 if field == "plt"
                            else 25.0 if field == "hb" else 50.0)
    before = classify_visit(b, v, criteria, redistribution_agent=flag).category
    after = classify_visit(b, better, criteria, redistribution_agent=flag).category
    assert RANK[after] >= RANK[before], (field, v[field], better[field], before, after)


@settings(max_examples=100, deadline=None)
@given(b=counts, v=counts, extra=visit_extra, criteria=st.sampled_from(R.CRITERIA))
def test_property_new_node_never_improves(b, v, extra, criteria):
    b = dict(b, new_node=False, symptoms=False, variant="CLL")
    v = dict(v, **dict(extra, new_node=False))
    worse = dict(v, new_node=True)
    assert RANK[classify_visit(b, worse, criteria).category] <= \
        RANK[classify_visit(b, v, criteria).category]
    assert classify_visit(b, worse, criteria).category == "PD"


def test_response_rate_ci_exact_4_of_22():
    ci = R.response_rate_ci(["PR"] * 4 + ["SD"] * 18)
    assert (ci.responders, ci.n) == (4, 22)
    assert round(ci.low, 4) == 0.0519 and round(ci.high, 4) == 0.4028
    assert str(ci) == "4/22 = 18% (exact 95% CI 5.2%-40.3%)"
    assert R.response_rate_ci(["SD"] * 5).low == 0.0
    assert R.response_rate_ci(["PR-L"] * 5).high == 1.0
    assert R.response_rate_ci(["PR-L"] * 5, count_prl=False).responders == 0
    with pytest.raises(ValueError, match="level"):
        R.response_rate_ci(["PR"], level=95)


def test_2008_floor_uses_b_cells_when_measured():
    b = base(alc=4.0, node_spd_cm2=40.0)
    v = visit(alc=6.0, spleen_cm=6.0, node_spd_cm2=40.0)
    assert cat("iwcll-2008", b, v) == "PD"
    assert cat("iwcll-2008", b, dict(v, b_cells=4.5)) == "SD"   # B cells below 5
    assert cat("iwcll-2008", b, dict(v, b_cells=5.0)) == "PD"
