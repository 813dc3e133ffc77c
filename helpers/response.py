"""Response criteria for CLL/SLL as data, and a small engine that applies them.

For teaching only: this engine helps fellows read the guidelines; it is not a clinical tool and
must never be used to make treatment decisions.

Rule sets (``criteria=``):

``"nci-wg-1996"``
    Cheson BD, Bennett JM, Grever M, et al. *Blood* 1996;87:4990-7 (NCI-sponsored Working Group).
``"iwg-1999"``
    Cheson BD, Horning SJ, Coiffier B, et al. *J Clin Oncol* 1999;17:1244 (International Workshop,
    non-Hodgkin lymphoma); used by Zent et al. for the SLL variant. Our examination sum of
    products (SPD) stands in for CT.
``"iwcll-2008"``
    Hallek M, Cheson BD, Catovsky D, et al. *Blood* 2008;111:5446-56, **published** Table 4
    (PR = at least 2 group-A and 1 group-B criteria). The author manuscript's Table 4 (PMC2972576)
    asks only 1 + 1 and puts neutrophils in group A and the marrow in group B; we encode the
    published table because it is the version of record, the one trials cite, and the one the
    journal's own page prints.
``"pr-l-2012"``
    iwCLL 2008 plus Cheson BD et al., *J Clin Oncol* 2012 ("partial response with lymphocytosis"),
    always applying the redistribution rule. Content unverified (see ``verified``).
``"iwcll-2018"``
    Hallek M, Cheson BD, Catovsky D, et al. *Blood* 2018;131:2745-60, Table 4; the redistribution
    rule only with ``redistribution_agent=True``.
``"paper-as-applied"``
    How Zent et al. (*Cancer* 2010;116:2201-7) evidently applied the rules: NCI-WG 1996 for the CLL
    variant, without calling an ALC rise progression while the nodes shrink; IWG 1999 for the SLL
    variant. Routed by ``baseline["variant"]``, never by on-treatment counts.

Every threshold lives in :data:`RULES` with its source and a ``verified`` flag (False = taken from
memory or a choice of ours that we could not check against the guideline text). Thresholds can be
overridden by key (``thresholds={"pr.alc_fall_pct": 40}``) for the threshold explorer.

Units: counts x10^9/L, hemoglobin g/dL, node SPD cm^2, node diameter cm, liver and spleen cm below
the costal margin on examination (0 = not palpable), spleen length by imaging cm, marrow
lymphocytes %. Days from registration.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

CRITERIA: tuple[str, ...] = ("nci-wg-1996", "iwg-1999", "iwcll-2008", "pr-l-2012", "iwcll-2018",
                             "paper-as-applied")
CATEGORIES: tuple[str, ...] = ("CR", "PR", "PR-L", "SD", "PD")
#: Order used to compare categories (higher is better).
RANK: dict[str, int] = {"PD": 0, "SD": 1, "PR-L": 2, "PR": 3, "CR": 4}
RESPONSES: tuple[str, ...] = ("CR", "PR", "PR-L")
STATUSES: tuple[str, ...] = ("met", "not met", "not assessable")

#: Confirmation window of best_response: the guidelines' "at least 2 months", read as two 28-day
#: cycles (56 days). A calendar reading (2 x 30.4 = 61 days) is equally defensible; this is ours.
CONFIRM_DAYS = 56

# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------
SRC_1996 = "Cheson BD et al., Blood, 1996"
SRC_1999 = "Cheson BD et al., J Clin Oncol, 1999"
SRC_2008 = "Hallek M et al., Blood, 2008"
SRC_2012 = "Cheson BD et al., J Clin Oncol, 2012"
SRC_2018 = "Hallek M et al., Blood, 2018"
SRC_ZENT = "Zent CS et al., Cancer, 2010"
TAB_1996 = "response criteria (table no. not checked)"
TAB_1999 = "response criteria table"
TAB_2008 = "Table 4 (published version)"
TAB_2012 = "commentary text (not retrieved)"
TAB_2018 = "Table 4"
TAB_ZENT = "Methods"


@dataclass(frozen=True)
class Rule:
    """One row of the criteria table.

    ``comparison`` reads with ``threshold``: ``"fall >= %"`` means the visit value is at least
    ``threshold`` percent below the reference; ``"rise >= %"`` at least that much above it;
    ``"<="``, ``">"`` ... compare the visit value itself; ``"is true"`` a yes/no finding.
    ``reference`` is ``"baseline"``, ``"nadir"`` (best earlier value), ``"baseline or nadir"`` or
    ``"absolute"``. ``key`` is the name used to override the threshold.
    """

    criteria: str
    category: str
    group: str
    parameter: str
    field: str
    comparison: str
    threshold: float | None
    unit: str
    reference: str
    key: str
    source: str
    table: str
    evidence: str
    verified: bool
    choice: str = ""


def _r(criteria, category, group, parameter, fld, comparison, threshold, unit, reference, key,
       source, table, evidence, verified, choice=""):
    return Rule(criteria, category, group, parameter, fld, comparison, threshold, unit, reference,
                key, source, table, evidence, verified, choice)


_NOT_2WEEKS = ("Single examination: the 2-week repeat that 1996 asks before calling node PD is not "
               "modelled (one exam per visit).")
_ORGAN_NEW = "A baseline of 0 cm (not palpable) that becomes palpable counts as new enlargement."
_SUPPORT_1996 = ("Counts under transfusion do not count (trial registry: 'without transfusion'); "
                 "applied to Hb and platelets; missing `transfused` -> not assessable.")
_ATTRIB = ("Guideline says 'secondary to CLL'. The engine cannot attribute cause: the fall counts "
           "as PD only when the visit's marrow shows >= 30% lymphocytes; otherwise 'not "
           "assessable' (everolimus is myelosuppressive, and drug toxicity is not PD).")
_MARROW_CR = "Marrow optional; missing -> the CR criterion is not assessable (no CR)."

RULES: tuple[Rule, ...] = (
    # ---------------- NCI-WG 1996 -------------------------------------------------------------
    _r("nci-wg-1996", "CR", "", "lymph nodes", "node_spd_cm2", "==", 0.0, "cm2", "absolute",
       "cr.nodes_spd", SRC_1996, TAB_1996, "C:S6", True, "No palpable node = SPD 0."),
    _r("nci-wg-1996", "CR", "", "liver", "liver_cm", "==", 0.0, "cm", "absolute", "cr.liver_cm",
       SRC_1996, TAB_1996, "C:S6", True),
    _r("nci-wg-1996", "CR", "", "spleen", "spleen_cm", "==", 0.0, "cm", "absolute", "cr.spleen_cm",
       SRC_1996, TAB_1996, "C:S6", True),
    _r("nci-wg-1996", "CR", "", "constitutional symptoms", "symptoms", "absent", None, "",
       "absolute", "cr.symptoms", SRC_1996, TAB_1996, "C:S6", True),
    _r("nci-wg-1996", "CR", "", "blood lymphocytes", "alc", "<=", 4.0, "x10^9/L", "absolute",
       "cr.alc", SRC_1996, TAB_1996, "C:S6", True),
    _r("nci-wg-1996", "CR", "", "neutrophils", "anc", ">=", 1.5, "x10^9/L", "absolute", "cr.anc",
       SRC_1996, TAB_1996, "C:S6", True),
    _r("nci-wg-1996", "CR", "", "platelets", "plt", ">", 100.0, "x10^9/L", "absolute", "cr.plt",
       SRC_1996, TAB_1996, "C:S6", True, _SUPPORT_1996),
    _r("nci-wg-1996", "CR", "", "hemoglobin", "hb", ">", 11.0, "g/dL", "absolute", "cr.hb",
       SRC_1996, TAB_1996, "C:S6", True, "Untransfused. " + _SUPPORT_1996),
    _r("nci-wg-1996", "CR", "", "marrow lymphocytes", "marrow_lymph_pct", "<", 30.0, "%",
       "absolute", "cr.marrow_pct", SRC_1996, TAB_1996, "C:S6", True,
       _MARROW_CR + " Without marrow, a patient meeting every other CR item is labelled "
       "'clinical CR' in .detail (the trial registry's category) but classified by the PR rules."),
    _r("nci-wg-1996", "PR", "", "blood lymphocytes", "alc", "fall >= %", 50.0, "%", "baseline",
       "pr.alc_fall_pct", SRC_1996, TAB_1996, "C:S6,S8", True,
       "Required for every CLL patient whose baseline ALC is abnormal (see pr.alc_gate)."),
    _r("nci-wg-1996", "PR", "", "blood lymphocytes (gate)", "alc", "baseline >", 4.0, "x10^9/L",
       "baseline", "pr.alc_gate", SRC_1996, TAB_1996, "choice", False,
       "Our choice: the ALC-fall requirement counts only when the baseline ALC is abnormal, i.e. "
       "above the CR ceiling (<= 4.0). Three CLL patients start at ALC <= 5; those at <= 4.0 are "
       "exempt (a 50% fall from a normal count is not a response), those at 4.0-5.0 are not. "
       "The 1996 text states no such gate; it gates only nodes, liver and spleen."),
    _r("nci-wg-1996", "PR", "", "lymph nodes", "node_spd_cm2", "fall >= %", 50.0, "%", "baseline",
       "pr.node_fall_pct", SRC_1996, TAB_1996, "C:S6,S8", True, "Only if palpable at baseline."),
    _r("nci-wg-1996", "PR", "", "liver", "liver_cm", "fall >= %", 50.0, "%", "baseline",
       "pr.organ_fall_pct", SRC_1996, TAB_1996, "C:S6,S8", True, "Only if enlarged at baseline."),
    _r("nci-wg-1996", "PR", "", "spleen", "spleen_cm", "fall >= %", 50.0, "%", "baseline",
       "pr.organ_fall_pct", SRC_1996, TAB_1996, "C:S6,S8", True, "Only if enlarged at baseline."),
    _r("nci-wg-1996", "PR", "count", "neutrophils", "anc", ">=", 1.5, "x10^9/L", "absolute",
       "pr.anc", SRC_1996, TAB_1996, "C:S11", True, "At least 1 of the three counts."),
    _r("nci-wg-1996", "PR", "count", "platelets", "plt", ">", 100.0, "x10^9/L", "absolute",
       "pr.plt", SRC_1996, TAB_1996, "C:S11", True, _SUPPORT_1996),
    _r("nci-wg-1996", "PR", "count", "hemoglobin", "hb", ">", 11.0, "g/dL", "absolute", "pr.hb",
       SRC_1996, TAB_1996, "C:S11", True, _SUPPORT_1996),
    _r("nci-wg-1996", "PR", "count", "count improvement", "anc/plt/hb", "rise >= %", 50.0, "%",
       "baseline", "pr.count_improve_pct", SRC_1996, TAB_1996, "C:S11,S5; S6 differs", False,
       "Ambiguous: the trial registry and CIBMTR allow a 50% improvement for all three counts; "
       "one summary of 1996 keeps it for Hb only. We follow the trial registry (all three)."),
    _r("nci-wg-1996", "PD", "", "lymph nodes", "node_spd_cm2", "rise >= %", 50.0, "%", "baseline",
       "pd.node_rise_pct", SRC_1996, TAB_1996, "C:S8; simplified (choice)", False,
       "Simplified: the 1996 rule (per secondary summaries) asks a >= 50% rise in >= 2 nodes, one "
       ">= 2 cm, on two examinations 2 weeks apart; we test a single SPD rise >= 50%. "
       + _NOT_2WEEKS + " The '>= 1 node >= 2 cm' qualifier (unverified for 1996) is not applied."),
    _r("nci-wg-1996", "PD", "", "new node", "new_node", "present", None, "", "absolute",
       "pd.new_node", SRC_1996, TAB_1996, "C:S8", True),
    _r("nci-wg-1996", "PD", "", "liver", "liver_cm", "rise >= %", 50.0, "%", "baseline",
       "pd.organ_rise_pct", SRC_1996, TAB_1996, "C:S6,S8", True, _ORGAN_NEW),
    _r("nci-wg-1996", "PD", "", "spleen", "spleen_cm", "rise >= %", 50.0, "%", "baseline",
       "pd.organ_rise_pct", SRC_1996, TAB_1996, "C:S6,S8", True, _ORGAN_NEW),
    _r("nci-wg-1996", "PD", "", "blood lymphocytes", "alc", "rise >= %", 50.0, "%", "baseline",
       "pd.alc_rise_pct", SRC_1996, TAB_1996, "C:S6,S8", True,
       "No exemption for treatment-induced lymphocytosis."),
    _r("nci-wg-1996", "PD", "", "blood lymphocytes (floor)", "alc", ">=", 0.0, "x10^9/L",
       "absolute", "pd.alc_floor", SRC_1996, TAB_1996, "summaries S6, S8 and a third state none",
       False, "Does 1996 also require the risen count to reach 5 x10^9/L? Three secondary "
              "summaries of 1996 state the >= 50% rise with no floor (the floor appears in "
              "summaries of 2008); the original text was not retrieved. We encode no floor (0)."),
    _r("nci-wg-1996", "PD", "", "Richter transformation", "richter", "present", None, "",
       "absolute", "pd.richter", SRC_1996, TAB_1996, "C:S6", True),
    # ---------------- IWG 1999 ----------------------------------------------------------------
    _r("iwg-1999", "CR", "", "largest node", "largest_node_cm", "<=", 1.5, "cm", "absolute",
       "cr.node_cm", SRC_1999, TAB_1999, "C:S12,S13", True,
       "Examination stands in for CT. The <= 1.0 cm rule for nodes 1.1-1.5 cm at baseline is not "
       "modelled (largest node only)."),
    _r("iwg-1999", "CR", "", "liver", "liver_cm", "==", 0.0, "cm", "absolute", "cr.liver_cm",
       SRC_1999, TAB_1999, "C:S13,S14", True, "Normal physical examination."),
    _r("iwg-1999", "CR", "", "spleen", "spleen_cm", "==", 0.0, "cm", "absolute", "cr.spleen_cm",
       SRC_1999, TAB_1999, "C:S13,S14", True, "Normal physical examination."),
    _r("iwg-1999", "CR", "", "constitutional symptoms", "symptoms", "absent", None, "",
       "absolute", "cr.symptoms", SRC_1999, TAB_1999, "M", False,
       "Disappearance of disease-related symptoms (from memory)."),
    _r("iwg-1999", "CR", "", "marrow lymphocytes", "marrow_lymph_pct", "<", 30.0, "%",
       "absolute", "cr.marrow_pct", SRC_1999, TAB_1999, "assumption", False,
       "IWG asks a normal marrow; we read 'normal' as < 30% lymphocytes (an assumption). "
       "Missing marrow -> not assessable: CR not confirmable (CRu is an indeterminate marrow, "
       "not an unexamined one)."),
    _r("iwg-1999", "CR", "CRu", "lymph nodes (CRu)", "node_spd_cm2", "fall > %", 75.0, "%",
       "baseline", "cru.node_fall_pct", SRC_1999, TAB_1999, "C:S12,S13,S14", True,
       "CRu: normal examination with a residual nodal mass decreased by > 75%. Not applied: "
       "examination cannot tell a residual mass (CT) from a node."),
    _r("iwg-1999", "PR", "", "lymph nodes", "node_spd_cm2", "fall >= %", 50.0, "%", "baseline",
       "pr.node_fall_pct", SRC_1999, TAB_1999, "C:S13 (S14 prints >50%)", True,
       "Ambiguous operator (>= vs >); we use >=. SPD of the 3 examined sites stands in for the "
       "CT SPD of several dominant nodes (up to 6: from memory, unverified)."),
    _r("iwg-1999", "PR", "", "liver", "liver_cm", "no increase", None, "", "baseline",
       "pr.organ_no_growth", SRC_1999, TAB_1999, "M", False, "No growth of liver or spleen."),
    _r("iwg-1999", "PR", "", "spleen", "spleen_cm", "no increase", None, "", "baseline",
       "pr.organ_no_growth", SRC_1999, TAB_1999, "M", False, "No growth of liver or spleen."),
    _r("iwg-1999", "PD", "", "lymph nodes", "node_spd_cm2", "rise >= %", 50.0, "%", "nadir",
       "pd.node_rise_pct", SRC_1999, TAB_1999, "C:S14 (>= 50%); M (from nadir)", False,
       "Measured from the nadir (the smallest earlier SPD, baseline included)."),
    _r("iwg-1999", "PD", "", "new node", "new_node", "present", None, "", "absolute",
       "pd.new_node", SRC_1999, TAB_1999, "C:S14", True, "Any new lesion."),
    _r("iwg-1999", "PD", "", "liver", "liver_cm", "rise >= %", 50.0, "%", "nadir",
       "pd.organ_rise_pct", SRC_1999, TAB_1999, "C:S13,S14 (enlarging); M (50%)", False,
       _ORGAN_NEW),
    _r("iwg-1999", "PD", "", "spleen", "spleen_cm", "rise >= %", 50.0, "%", "nadir",
       "pd.organ_rise_pct", SRC_1999, TAB_1999, "C:S13,S14 (enlarging); M (50%)", False,
       _ORGAN_NEW),
    _r("iwg-1999", "PD", "", "Richter transformation", "richter", "present", None, "", "absolute",
       "pd.richter", SRC_1999, TAB_1999, "choice", False,
       "Histologic transformation counted as progression (our choice; IWG 1999 is size-based)."),
    _r("iwg-1999", "PD", "", "blood lymphocytes", "alc", "not a parameter", None, "", "absolute",
       "pd.alc_ignored", SRC_1999, TAB_1999, "M", False,
       "IWG 1999 has no blood criterion: an ALC rise neither blocks PR nor makes PD."),
)


def _iwcll_rules(cs: str, src: str, tab: str, y2018: bool) -> tuple[Rule, ...]:
    """Rows shared by iwCLL 2008 (published Table 4), PR-L 2012 and iwCLL 2018."""
    v08 = "C:S2"
    v = "C:S4" if y2018 else v08
    rows = [
        _r(cs, "CR", "A", "largest node", "largest_node_cm", "<" if y2018 else "<=", 1.5, "cm",
           "absolute", "cr.node_cm", src, tab, v, True,
           "none >= 1.5 cm" if y2018 else "none > 1.5 cm"),
        _r(cs, "CR", "A", "liver", "liver_cm", "==", 0.0, "cm", "absolute", "cr.liver_cm", src, tab,
           v, True, "Liver normal = not palpable."),
    ]
    if y2018:
        rows.append(_r(cs, "CR", "A", "spleen length (imaging)", "spleen_length_cm", "<", 13.0,
                       "cm", "absolute", "cr.spleen_length_cm", src, tab, "C:S4", True,
                       "Needs `spleen_length_cm` by imaging; missing -> not assessable (no CR)."))
    else:
        rows.append(_r(cs, "CR", "A", "spleen", "spleen_cm", "==", 0.0, "cm", "absolute",
                       "cr.spleen_cm", src, tab, v08, True))
    rows += [
        _r(cs, "CR", "A", "blood lymphocytes", "alc", "<", 4.0, "x10^9/L", "absolute", "cr.alc",
           src, tab, "M (text)" if y2018 else v08, not y2018,
           "Table says 'normal'; text < 4.0 (from memory)." if y2018 else ""),
        _r(cs, "CR", "A", "marrow lymphocytes", "marrow_lymph_pct", "<", 30.0, "%", "absolute",
           "cr.marrow_pct", src, tab, "assumption" if y2018 else v08, not y2018,
           _MARROW_CR + (" 2018 asks 'no CLL cells'; < 30% lymphocytes is our stand-in."
                         if y2018 else "")),
        _r(cs, "CR", "", "constitutional symptoms", "symptoms", "absent", None, "", "absolute",
           "cr.symptoms", src, tab, v, True),
        _r(cs, "CR", "B", "platelets", "plt", ">=" if y2018 else ">", 100.0, "x10^9/L",
           "absolute", "cr.plt", src, tab, v, True),
        _r(cs, "CR", "B", "hemoglobin", "hb", ">=" if y2018 else ">", 11.0, "g/dL", "absolute",
           "cr.hb", src, tab, v, True,
           "Without transfusion or EPO (missing flags -> not assessable)."
           + ("" if y2018 else " The published 2008 table omits this; the manuscript has it.")),
        _r(cs, "CR", "B", "neutrophils", "anc", ">=" if y2018 else ">", 1.5, "x10^9/L",
           "absolute", "cr.anc", src, tab, "M (text)" if y2018 else v08, not y2018,
           "Without G-CSF (missing flag -> not assessable)."),
        _r(cs, "PR", "A", "lymph nodes", "node_spd_cm2", "fall >= %", 50.0, "%", "baseline",
           "pr.node_fall_pct", src, tab, v, True),
    ]
    if y2018:
        rows.append(_r(cs, "PR", "A", "liver and/or spleen", "liver_cm/spleen_cm", "fall >= %",
                       50.0, "%", "baseline", "pr.organ_fall_pct", src, tab, "C:S4", True,
                       "One group-A parameter: every organ enlarged at baseline must fall."))
    else:
        rows += [_r(cs, "PR", "A", "liver", "liver_cm", "fall >= %", 50.0, "%", "baseline",
                    "pr.organ_fall_pct", src, tab, v08, True),
                 _r(cs, "PR", "A", "spleen", "spleen_cm", "fall >= %", 50.0, "%", "baseline",
                    "pr.organ_fall_pct", src, tab, v08, True)]
    rows.append(_r(cs, "PR", "A", "blood lymphocytes", "alc", "fall >= %", 50.0, "%", "baseline",
                   "pr.alc_fall_pct", src, tab, v, True))
    if not y2018:
        rows.append(_r(cs, "PR", "A", "marrow lymphocytes", "marrow_lymph_pct", "fall >= %", 50.0,
                       "%", "baseline", "pr.marrow_fall_pct", src, tab, v08, True,
                       "Needs marrow at baseline and visit; else not assessable."))
    rows += [
        _r(cs, "PR", "B", "platelets", "plt", ">=" if y2018 else ">", 100.0, "x10^9/L",
           "absolute", "pr.plt", src, tab, v, True, "Or a rise >= pr.count_improve_pct."),
        _r(cs, "PR", "B", "hemoglobin", "hb", ">=" if y2018 else ">", 11.0, "g/dL", "absolute",
           "pr.hb", src, tab, v, True, "Or a rise >= pr.count_improve_pct; without transfusion "
                                       "or EPO (our choice, from the manuscript's CR wording)."),
    ]
    if not y2018:
        rows.append(_r(cs, "PR", "B", "neutrophils", "anc", ">", 1.5, "x10^9/L", "absolute",
                       "pr.anc", src, tab, v08, True, "Or > 50% improvement; without G-CSF "
                                                      "(our choice)."))
    rows += [
        _r(cs, "PR", "B", "count improvement", "plt/hb" + ("" if y2018 else "/anc"), "rise >= %",
           50.0, "%", "baseline", "pr.count_improve_pct", src, tab, v, True),
        _r(cs, "PR", "rule", "combination", "", ">= n A + >= 1 B", 2.0, "criteria", "baseline",
           "pr.n_group_a", src, tab, ("M" if y2018 else "C:S2,S9"), not y2018,
           "At least 2 group-A and 1 group-B criteria, counting parameters abnormal at baseline "
           "(normal at baseline: not counted). Our choice where fewer are abnormal: need as many "
           "as are abnormal (1 + 1 if only one A and one B; 2018 says so, from memory); if no "
           "group-B count is abnormal, any B count meeting its PR entry will do."),
        _r(cs, "PD", "A", "lymph nodes", "node_spd_cm2", "rise >= %", 50.0, "%",
           "baseline or nadir" if y2018 else "baseline", "pd.node_rise_pct", src, tab, v, True),
        _r(cs, "PD", "A", "new node", "new_node", "present", None, "", "absolute", "pd.new_node",
           src, tab, "M" if y2018 else "C:S5", not y2018, "New node (> 1.5 cm in the text)."),
        _r(cs, "PD", "A", "liver", "liver_cm", "rise >= %", 50.0, "%",
           "baseline or nadir" if y2018 else "baseline", "pd.organ_rise_pct", src, tab, v, True,
           _ORGAN_NEW),
        _r(cs, "PD", "A", "spleen", "spleen_cm", "rise >= %", 50.0, "%",
           "baseline or nadir" if y2018 else "baseline", "pd.organ_rise_pct", src, tab, v, True,
           _ORGAN_NEW),
        _r(cs, "PD", "A", "blood lymphocytes", "alc",
           {"iwcll-2008": "rise >= %", "pr-l-2012": "rise >= % [never PD alone]",
            "iwcll-2018": "rise >= % [not PD alone if redistribution]"}[cs], 50.0, "%", "baseline",
           "pd.alc_rise_pct", src, tab, v, True,
           {"iwcll-2008": "No exemption for treatment-induced lymphocytosis.",
            "pr-l-2012": "Never PD on its own: redistribution lymphocytosis (Cheson 2012, "
                         "applied to every patient).",
            "iwcll-2018": "Not PD on its own when redistribution_agent=True."}[cs]),
        _r(cs, "PD", "A", "blood lymphocytes (floor)", "alc", ">=", 5.0, "x10^9/L", "absolute",
           "pd.alc_floor", src, tab, "M" if y2018 else "C:S5", not y2018,
           "The risen count must reach 5 x10^9/L (B cells in the text; ALC here, B cells were "
           "not measured in this trial)."),
        _r(cs, "PD", "B", "platelets", "plt", "fall >= %", 50.0, "%", "baseline",
           "pd.plt_fall_pct", src, tab, v, True, _ATTRIB),
        _r(cs, "PD", "B", "hemoglobin", "hb", "fall >= g/dL" if y2018 else "fall > g/dL", 2.0,
           "g/dL", "baseline", "pd.hb_fall_gdl", src, tab, v, True, _ATTRIB),
        _r(cs, "PD", "", "Richter transformation", "richter", "present", None, "", "absolute",
           "pd.richter", src, tab, "M" if y2018 else "C:S5", not y2018),
    ]
    if cs == "pr-l-2012":
        rows = [Rule(**{**r.__dict__, "source": f"{SRC_2008} + {SRC_2012}"}) for r in rows]
        rows.append(_r(cs, "PR-L", "", "PR with lymphocytosis", "alc", "PR except ALC fall", None,
                       "", "baseline", "prl.rule", SRC_2012, TAB_2012, "M", False,
                       "Meets the PR rules with the ALC left out of group A, where the "
                       "lymphocytosis would otherwise be PD (isolated ALC rise) or block the PR: "
                       "PR-L, a responder reported apart from PR. A visit that is a PR by the "
                       "2008 counting stays PR. Written for "
                       "B-cell-receptor inhibitors; for everolimus (mTOR) an extrapolation."))
    if cs == "iwcll-2018":
        rows.append(_r(cs, "PR-L", "", "PR with lymphocytosis", "alc", "PR except ALC fall", None,
                       "", "baseline", "prl.rule", SRC_2018, TAB_2018, "C:S22 (secondary)",
                       False, "Only with redistribution_agent=True, as for pr-l-2012."))
    return tuple(rows)


RULES = RULES + _iwcll_rules("iwcll-2008", SRC_2008, TAB_2008, False) \
    + _iwcll_rules("pr-l-2012", SRC_2008, TAB_2008, False) \
    + _iwcll_rules("iwcll-2018", SRC_2018, TAB_2018, True) + (
    _r("paper-as-applied", "routing", "", "variant CLL", "variant", "== CLL", None, "",
       "absolute", "paper.route_cll", SRC_ZENT, TAB_ZENT, "Zent 2010 Methods", True,
       "NCI-WG 1996 rules and thresholds (nci-wg-1996 rows). Routed by the variant recorded "
       "before registration, never by on-treatment counts."),
    _r("paper-as-applied", "routing", "", "variant SLL", "variant", "== SLL", None, "",
       "absolute", "paper.route_sll", SRC_ZENT, TAB_ZENT, "Zent 2010 Methods", True,
       "IWG 1999 rules and thresholds (iwg-1999 rows)."),
    _r("paper-as-applied", "PD", "", "blood lymphocytes (CLL)", "alc", "ALC rise not PD while nodes "
       "fall > %", 0.0, "%", "baseline", "paper.alc_pd_exempt_node_fall_pct", SRC_ZENT, TAB_ZENT,
       "inferred from Zent 2010 Results", False,
       "Our reading of the paper: 4 mobilized patients with rising ALC and shrinking nodes were "
       "recorded as stable, so an ALC rise is not called PD while the visit's node SPD is below "
       "baseline by more than this percentage (0 = any shrinkage)."),
)

_BY_SET: dict[str, tuple[Rule, ...]] = {c: tuple(r for r in RULES if r.criteria == c)
                                        for c in CRITERIA}


@functools.lru_cache(maxsize=4096)
def rule_text(comparison: str, threshold: float | None, unit: str) -> str:
    """Human reading of a rule: ``("fall >= %", 50, "%")`` -> ``"fall >= 50%"``."""
    if threshold is None or (isinstance(threshold, float) and math.isnan(threshold)):
        return comparison
    t = f"{threshold:g}"
    if " n A " in comparison:
        return comparison.replace(" n A ", f" {t} A ")
    if comparison.endswith(" %"):
        return comparison[:-2] + f" {t}%"
    if comparison.endswith(" g/dL"):
        return comparison[:-5] + f" {t} g/dL"
    if " % " in comparison:
        return comparison.replace(" % ", f" {t}% ")
    if comparison.endswith("%"):
        return comparison[:-1] + f"{t}%"
    return f"{comparison} {t}{(' ' + unit) if unit else ''}"


def criteria_table(criteria: str | Iterable[str] | None = None) -> pd.DataFrame:
    """The criteria as a DataFrame, one row per rule (all sets, or the named ones)."""
    names = CRITERIA if criteria is None else ([criteria] if isinstance(criteria, str)
                                                else list(criteria))
    for n in names:
        _check_criteria(n)
    rows = [r.__dict__ for r in RULES if r.criteria in names]
    return pd.DataFrame(rows)


def side_by_side(sets: Iterable[str] = ("nci-wg-1996", "iwg-1999", "iwcll-2008", "pr-l-2012",
                                        "iwcll-2018")) -> pd.DataFrame:
    """Rule sets side by side: one row per (category, parameter), one column per set.

    Each cell reads ``comparison threshold unit`` with a ``*`` when the rule is unverified.
    """
    sets = list(sets)
    tab = criteria_table(sets)
    order = {"CR": 0, "PR": 1, "PR-L": 2, "PD": 3}
    tab = tab[tab["category"].isin(order)]

    def cell(r):
        ref = f" ({r.reference})" if r.reference in ("nadir", "baseline or nadir") else ""
        return f"{rule_text(r.comparison, r.threshold, r.unit)}{ref}{'' if r.verified else ' *'}"

    tab = tab.assign(cell=[cell(r) for r in tab.itertuples()],
                     row=[f"{c}: {p}" for c, p in zip(tab["category"], tab["parameter"])],
                     o=[order[c] for c in tab["category"]])
    rows = list(dict.fromkeys(tab.sort_values("o", kind="stable")["row"]))
    out = tab.pivot_table(index="row", columns="criteria", values="cell", aggfunc=" / ".join)
    return out.reindex(index=rows, columns=sets).fillna("-")


# --------------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------------
NUMERIC_FIELDS = {
    "alc": "x10^9/L", "anc": "x10^9/L", "plt": "x10^9/L", "hb": "g/dL", "wbc": "x10^9/L",
    "node_spd_cm2": "cm^2", "largest_node_cm": "cm", "liver_cm": "cm below the costal margin",
    "spleen_cm": "cm below the costal margin", "marrow_lymph_pct": "%", "b_cells": "x10^9/L",
    "spleen_length_cm": "cm (imaging)",
}
BOOL_FIELDS = ("new_node", "symptoms", "richter", "transfused", "epo", "gcsf")
HB_MAX_GDL = 25.0


def _check_criteria(criteria: str) -> None:
    if criteria not in CRITERIA:
        raise ValueError(f"criteria={criteria!r} is not known; allowed: {', '.join(CRITERIA)}")


def _missing(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, (bool, int, str)):
        return False
    if isinstance(x, float):
        return x != x
    try:
        return bool(isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _clean(record: Mapping[str, Any] | pd.Series | None, name: str) -> dict[str, Any]:
    """Validate one mapping; return plain floats/bools with None for missing values."""
    if record is None:
        return {}
    if isinstance(record, pd.Series):
        record = record.to_dict()
    if not isinstance(record, Mapping):
        raise ValueError(f"{name} must be a mapping or a one-row Series, got {type(record).__name__}")
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in NUMERIC_FIELDS:
            if _missing(value):
                out[key] = None
                continue
            if isinstance(value, bool):
                raise ValueError(f"{name}.{key}={value!r}: a number in {NUMERIC_FIELDS[key]} is "
                                 "expected, not a yes/no value")
            try:
                x = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{name}.{key}={value!r} is not a number; give a value in "
                                 f"{NUMERIC_FIELDS[key]}") from None
            if not math.isfinite(x) or x < 0:
                raise ValueError(f"{name}.{key}={value!r}: must be a finite number >= 0 "
                                 f"({NUMERIC_FIELDS[key]})")
            if key == "hb" and x > HB_MAX_GDL:
                raise ValueError(f"{name}.hb={value!r} looks like g/L: give hemoglobin in g/dL "
                                 f"(0-{HB_MAX_GDL:g}; e.g. 110 g/L = 11.0 g/dL)")
            if key == "marrow_lymph_pct" and x > 100:
                raise ValueError(f"{name}.marrow_lymph_pct={value!r}: a percentage 0-100 is "
                                 "allowed")
            out[key] = x
        elif key in BOOL_FIELDS:
            if _missing(value):
                out[key] = None
            elif isinstance(value, (bool,)) or type(value).__name__ == "bool_":
                out[key] = bool(value)
            elif isinstance(value, (int, float)) and value in (0, 1):
                out[key] = bool(value)
            elif isinstance(value, str) and value.strip().lower() in ("true", "false"):
                out[key] = value.strip().lower() == "true"
            else:
                raise ValueError(f"{name}.{key}={value!r}: a yes/no value is allowed "
                                 "(True/False, 1/0)")
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class Reason:
    """One criterion at one visit."""

    rule: str
    category: str
    group: str
    parameter: str
    criterion: str
    value: str
    status: str
    counted: bool = True
    note: str = ""
    verified: bool = True

    def __str__(self) -> str:
        tag = "" if self.counted else " [not counted]"
        unv = "" if self.verified else " (unverified)"
        note = f" - {self.note}" if self.note else ""
        return (f"{self.category:<4} {self.parameter}: {self.status}{tag}; needs {self.criterion}"
                f"{unv}; patient {self.value}{note}")


@dataclass
class VisitResult:
    """What :func:`classify_visit` returns."""

    criteria: str
    category: str
    detail: str
    reasons: list[Reason]
    rule_set: str
    redistribution_agent: bool = False
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([r.__dict__ for r in self.reasons])

    def __str__(self) -> str:
        head = (f"{self.category} ({self.detail}) under {self.criteria}"
                + (f" -> {self.rule_set}" if self.rule_set != self.criteria else ""))
        return "\n".join([head, *("  " + str(r) for r in self.reasons),
                          *("  note: " + n for n in self.notes)])


# --------------------------------------------------------------------------------------------
# Rule evaluation
# --------------------------------------------------------------------------------------------
_EPS = 1e-9


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "missing"
    return f"{x:.4g}{(' ' + unit) if unit else ''}"


def _pct_change(base: float, val: float) -> float:
    return 100.0 * (val - base) / base


class _Ctx:
    """Holds one classification: inputs, thresholds and the reasons collected."""

    def __init__(self, criteria, b, v, nadir, overrides):
        self.criteria = criteria
        self.rules = {}
        for r in _BY_SET[criteria]:
            self.rules.setdefault(r.key, []).append(r)
        self.b, self.v, self.nadir = b, v, nadir
        self.over = overrides
        self.reasons: list[Reason] = []
        self.notes: list[str] = []

    def rule(self, key: str, fld: str | None = None, category: str | None = None) -> Rule:
        rows = self.rules[key]
        for r in rows:
            if (fld is None or r.field == fld) and (category is None or r.category == category):
                return r
        return rows[0]

    def thr(self, key: str) -> float:
        if key in self.over:
            return float(self.over[key])
        return float(self.rules[key][0].threshold)

    def add(self, rule: Rule, status: str, value: str, counted: bool = True, note: str = "",
            criterion: str | None = None, parameter: str | None = None) -> Reason:
        t = self.thr(rule.key) if rule.threshold is not None else None
        if criterion is None:
            ref = f" from {rule.reference}" if rule.reference not in ("absolute",) else ""
            criterion = f"{rule_text(rule.comparison, t, rule.unit)}{ref}"
        reason = Reason(rule=f"{rule.criteria}:{rule.category}:{rule.key}", category=rule.category,
                        group=rule.group, parameter=parameter or rule.parameter,
                        criterion=criterion, value=value, status=status, counted=counted,
                        note=note, verified=rule.verified)
        self.reasons.append(reason)
        return reason

    # ---- generic checks -----------------------------------------------------------------
    def absolute(self, key, fld, op, category=None, support=(), note="") -> Reason:
        rule = self.rule(key, fld, category)
        x = self.v.get(fld)
        if x is None:
            return self.add(rule, "not assessable", "missing", note=f"`{fld}` not given")
        t = self.thr(key)
        ok = {"<": x < t - _EPS, "<=": x <= t + _EPS, ">": x > t + _EPS, ">=": x >= t - _EPS,
              "==": abs(x - t) <= _EPS}[op]
        val = _fmt(x, NUMERIC_FIELDS.get(fld, ""))
        return self._support(rule, ok, val, support, note)

    def _support(self, rule, ok, val, support, note="") -> Reason:
        if ok and support:
            missing = [s for s in support if self.v.get(s) is None]
            used = [s for s in support if self.v.get(s)]
            if used:
                return self.add(rule, "not met", val, note=f"taken under {', '.join(used)}: does "
                                                          "not count as recovery")
            if missing:
                return self.add(rule, "not assessable", val,
                                note=f"support flag(s) {', '.join(missing)} not given")
        return self.add(rule, "met" if ok else "not met", val, note=note)

    def flag(self, key, fld, want: bool, category=None) -> Reason:
        rule = self.rule(key, fld, category)
        x = self.v.get(fld)
        if x is None:
            return self.add(rule, "not assessable", "missing", note=f"`{fld}` not given")
        return self.add(rule, "met" if x == want else "not met", "yes" if x else "no")

    def ref_value(self, fld, reference):
        """Reference value(s) for a change: baseline, nadir, or both."""
        base = self.b.get(fld)
        if reference == "baseline":
            return [("baseline", base)]
        nad = self.nadir.get(fld) if self.nadir else None
        if nad is None:
            if self.nadir is None and reference == "nadir":
                self.note_once("nadir not given: progression measured from baseline")
            nad = base
        if reference == "nadir":
            return [("nadir", nad)]
        return [("baseline", base), ("nadir", nad)]

    def note_once(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def change(self, key, fld, direction, category=None, reference=None, counted=True,
               note="", support=(), zero_base_new=False) -> Reason:
        """Percent fall or rise of `fld` against its reference (baseline/nadir)."""
        rule = self.rule(key, fld, category)
        reference = reference or rule.reference
        x = self.v.get(fld)
        t = self.thr(key)
        refs = self.ref_value(fld, reference)
        if x is None:
            return self.add(rule, "not assessable", "missing", counted=counted,
                            note=f"`{fld}` not given at the visit")
        if any(r is None for _, r in refs):
            return self.add(rule, "not assessable", f"{_fmt(x)}; baseline missing",
                            counted=counted, note=f"`{fld}` not given at baseline")
        parts, ok = [], False
        for label, r in refs:
            if r == 0:
                if direction == "rise":
                    hit = zero_base_new and x > 0
                    parts.append(f"{label} 0 -> {_fmt(x)}" + (" (new)" if hit else ""))
                else:
                    hit = False
                    parts.append(f"{label} 0 -> {_fmt(x)}")
            else:
                pct = _pct_change(r, x)
                hit = (pct >= t - _EPS) if direction == "rise" else (-pct >= t - _EPS)
                if rule.comparison.startswith("fall >") and not rule.comparison.startswith(
                        "fall >="):
                    hit = -pct > t + _EPS
                parts.append(f"{_fmt(r)} -> {_fmt(x)} ({pct:+.1f}% vs {label})")
            ok = ok or hit
        return self._support(rule, ok, "; ".join(parts), support, note) if counted else \
            self._uncounted(rule, ok, "; ".join(parts), note)

    def _uncounted(self, rule, ok, val, note):
        return self.add(rule, "met" if ok else "not met", val, counted=False, note=note)


def _met(r: Reason) -> bool:
    return r.status == "met"


# ---------------- NCI-WG 1996 (and the CLL branch of paper-as-applied) ----------------------
def _classify_1996(c: _Ctx, paper: bool) -> tuple[str, str]:
    b, v = c.b, c.v
    # PD
    pd_hits = []
    pd_hits.append(c.change("pd.node_rise_pct", "node_spd_cm2", "rise", "PD", zero_base_new=True))
    pd_hits.append(c.flag("pd.new_node", "new_node", True, "PD"))
    for organ in ("liver_cm", "spleen_cm"):
        pd_hits.append(c.change("pd.organ_rise_pct", organ, "rise", "PD", zero_base_new=True))
    alc_pd = c.change("pd.alc_rise_pct", "alc", "rise", "PD")
    floor = c.thr("pd.alc_floor")
    if _met(alc_pd) and floor > 0 and v["alc"] < floor - _EPS:
        alc_pd.status = "not met"
        alc_pd.note = f"rise below the floor of {floor:g} x10^9/L"
    if paper and _met(alc_pd):
        exempt = c.thr("paper.alc_pd_exempt_node_fall_pct")
        bs, vs = b.get("node_spd_cm2"), v.get("node_spd_cm2")
        if bs and vs is not None and _pct_change(bs, vs) < -exempt - _EPS:
            alc_pd.counted = False
            alc_pd.note = (f"not called progression while the nodes shrink "
                           f"({_pct_change(bs, vs):+.1f}%; paper-as-applied)")
            c.add(c.rule("paper.alc_pd_exempt_node_fall_pct"), "met",
                  f"SPD {_fmt(bs)} -> {_fmt(vs)} cm2")
        else:
            c.add(c.rule("paper.alc_pd_exempt_node_fall_pct"), "not met" if vs is not None else
                  "not assessable", f"SPD {_fmt(bs)} -> {_fmt(vs)} cm2")
    pd_hits.append(alc_pd)
    pd_hits.append(c.flag("pd.richter", "richter", True, "PD"))
    is_pd = any(_met(r) and r.counted for r in pd_hits)

    # CR
    cr = [c.absolute("cr.nodes_spd", "node_spd_cm2", "=="),
          c.absolute("cr.liver_cm", "liver_cm", "=="),
          c.absolute("cr.spleen_cm", "spleen_cm", "=="),
          c.flag("cr.symptoms", "symptoms", False, "CR"),
          c.absolute("cr.alc", "alc", "<="),
          c.absolute("cr.anc", "anc", ">="),
          c.absolute("cr.plt", "plt", ">", support=("transfused",)),
          c.absolute("cr.hb", "hb", ">", support=("transfused",))]
    marrow = c.absolute("cr.marrow_pct", "marrow_lymph_pct", "<")
    cr_clinical = all(_met(r) for r in cr)
    is_cr = cr_clinical and _met(marrow)

    # PR
    pr_req = []
    gate = c.thr("pr.alc_gate")
    base_alc = b.get("alc")
    gated = base_alc is not None and base_alc <= gate + _EPS
    pr_req.append(c.change("pr.alc_fall_pct", "alc", "fall", "PR", counted=not gated,
                           note=(f"baseline ALC {_fmt(base_alc)} <= {gate:g}: normal at baseline, "
                                 "requirement does not apply (pr.alc_gate)") if gated else ""))
    for key, fld in (("pr.node_fall_pct", "node_spd_cm2"), ("pr.organ_fall_pct", "liver_cm"),
                     ("pr.organ_fall_pct", "spleen_cm")):
        base = b.get(fld)
        enlarged = base is not None and base > 0
        r = c.change(key, fld, "fall", "PR", counted=enlarged or base is None,
                     note="" if (enlarged or base is None) else "normal at baseline: not counted")
        pr_req.append(r)
    counts = []
    improve = c.thr("pr.count_improve_pct")
    for key, fld, op, support in (("pr.anc", "anc", ">=", ()), ("pr.plt", "plt", ">", ("transfused",)),
                                  ("pr.hb", "hb", ">", ("transfused",))):
        counts.append(_count_or_improve(c, key, fld, op, improve, support))
    is_pr = (all(_met(r) for r in pr_req if r.counted)
             and any(_met(r) for r in counts))
    detail = ""
    if is_pd:
        cat = "PD"
    elif is_cr:
        cat = "CR"
    elif is_pr:
        cat = "PR"
        if cr_clinical and marrow.status == "not assessable":
            detail = "clinical CR (marrow not examined)"
    else:
        cat = "SD"
        if any(_met(r) and not r.counted for r in pd_hits):
            detail = "ALC rise not called progression (nodes shrinking)"
    return cat, detail or cat


def _count_or_improve(c: _Ctx, key, fld, op, improve, support) -> Reason:
    """A blood count meeting its absolute level or improving by `improve` % over baseline."""
    rule = c.rule(key, fld, "PR")
    x, base = c.v.get(fld), c.b.get(fld)
    t = c.thr(key)
    if x is None:
        return c.add(rule, "not assessable", "missing", note=f"`{fld}` not given",
                     criterion=f"{op} {t:g} {rule.unit} or rise >= {improve:g}%")
    ok_abs = {">": x > t + _EPS, ">=": x >= t - _EPS}[op]
    ok_imp = base is not None and base > 0 and _pct_change(base, x) >= improve - _EPS
    val = _fmt(x, rule.unit) + ("" if base is None else f" (baseline {_fmt(base)}, "
                                f"{_pct_change(base, x):+.0f}%)" if base else "")
    reason = c._support(rule, ok_abs or ok_imp, val, support)
    reason.criterion = f"{op} {t:g} {rule.unit} or rise >= {improve:g}%"
    return reason


# ---------------- IWG 1999 ------------------------------------------------------------------
def _classify_1999(c: _Ctx) -> tuple[str, str]:
    b, v = c.b, c.v
    pd_hits = [c.change("pd.node_rise_pct", "node_spd_cm2", "rise", "PD", zero_base_new=True),
               c.flag("pd.new_node", "new_node", True, "PD")]
    for organ in ("liver_cm", "spleen_cm"):
        pd_hits.append(c.change("pd.organ_rise_pct", organ, "rise", "PD", zero_base_new=True))
    pd_hits.append(c.flag("pd.richter", "richter", True, "PD"))
    rule = c.rule("pd.alc_ignored")
    c.add(rule, "not met", _fmt(v.get("alc"), "x10^9/L"), counted=False,
          note="blood lymphocytes are not an IWG 1999 parameter", criterion="not a parameter")
    is_pd = any(_met(r) for r in pd_hits)

    exam = [c.absolute("cr.liver_cm", "liver_cm", "=="),
            c.absolute("cr.spleen_cm", "spleen_cm", "==")]
    node_cr = c.absolute("cr.node_cm", "largest_node_cm", "<=")
    symptoms = c.flag("cr.symptoms", "symptoms", False, "CR")
    marrow = c.absolute("cr.marrow_pct", "marrow_lymph_pct", "<")
    cru_rule = c.rule("cru.node_fall_pct")
    c.add(cru_rule, "not assessable", "no CT", counted=False,
          note="CRu by a residual mass shrunk > 75% needs CT masses; examination cannot tell a "
               "residual mass from a node; a marrow not examined is not an indeterminate marrow, "
               "so no CRu is called")
    exam_ok = all(_met(r) for r in exam) and _met(symptoms)

    pr_nodes = c.change("pr.node_fall_pct", "node_spd_cm2", "fall", "PR")
    growth = []
    for organ in ("liver_cm", "spleen_cm"):
        r = c.rule("pr.organ_no_growth", organ, "PR")
        x, base = v.get(organ), b.get(organ)
        if x is None or base is None:
            growth.append(c.add(r, "not assessable", "missing", note=f"`{organ}` not given"))
        else:
            growth.append(c.add(r, "met" if x <= base + _EPS else "not met",
                                f"{_fmt(base)} -> {_fmt(x)} cm"))
    new_node_ok = v.get("new_node") is False
    is_pr = _met(pr_nodes) and all(_met(r) for r in growth) and new_node_ok

    if is_pd:
        return "PD", "PD"
    if exam_ok and _met(node_cr):
        if _met(marrow):
            return "CR", "CR"
        if marrow.status == "not assessable":
            # CRu is an indeterminate marrow, not an unexamined one: no marrow, no CR
            return ("PR" if is_pr else "SD"), "CR not confirmable: marrow not examined"
    if is_pr:
        return "PR", "PR"
    return "SD", "SD"


# ---------------- iwCLL 2008 / PR-L 2012 / iwCLL 2018 ---------------------------------------
def _classify_iwcll(c: _Ctx, y2018: bool, redistribution: bool) -> tuple[str, str]:
    b, v = c.b, c.v
    pd_hits = [c.change("pd.node_rise_pct", "node_spd_cm2", "rise", "PD", zero_base_new=True),
               c.flag("pd.new_node", "new_node", True, "PD")]
    for organ in ("liver_cm", "spleen_cm"):
        pd_hits.append(c.change("pd.organ_rise_pct", organ, "rise", "PD", zero_base_new=True))
    alc_pd = c.change("pd.alc_rise_pct", "alc", "rise", "PD")
    floor = c.thr("pd.alc_floor")
    # the floor is on B cells in the text; use them when measured, else the ALC
    floor_val, floor_name = ((v["b_cells"], "B cells") if v.get("b_cells") is not None
                             else (v.get("alc"), "ALC"))
    if _met(alc_pd) and floor_val < floor - _EPS:
        alc_pd.status = "not met"
        alc_pd.note = f"risen count ({floor_name} {_fmt(floor_val)}) below {floor:g} x10^9/L"
    if _met(alc_pd) and redistribution:
        alc_pd.counted = False
        alc_pd.note = "isolated lymphocytosis on a redistributing agent is not PD"
    pd_hits.append(alc_pd)
    marrow_inf = v.get("marrow_lymph_pct")
    for key, fld in (("pd.plt_fall_pct", "plt"), ("pd.hb_fall_gdl", "hb")):
        rule = c.rule(key, fld, "PD")
        x, base = v.get(fld), b.get(fld)
        t = c.thr(key)
        if x is None or base is None:
            pd_hits.append(c.add(rule, "not assessable", "missing", note=f"`{fld}` not given"))
            continue
        if fld == "plt":
            hit = base > 0 and -_pct_change(base, x) >= t - _EPS
            val = f"{_fmt(base)} -> {_fmt(x)} ({_pct_change(base, x):+.0f}%)" if base else "0"
        else:
            drop = base - x
            hit = drop >= t - _EPS if y2018 else drop > t + _EPS
            val = f"{_fmt(base)} -> {_fmt(x)} g/dL (fall {drop:.2f})"
        if not hit:
            pd_hits.append(c.add(rule, "not met", val))
        elif marrow_inf is not None and marrow_inf >= 30 - _EPS:
            pd_hits.append(c.add(rule, "met", val, note="marrow infiltrated: attributed to CLL"))
        else:
            pd_hits.append(c.add(rule, "not assessable", val,
                                 note="fall meets the threshold, but attribution to CLL is not "
                                      "established (no infiltrated marrow at this visit)"))
    pd_hits.append(c.flag("pd.richter", "richter", True, "PD"))
    is_pd = any(_met(r) and r.counted for r in pd_hits)

    # CR
    cr_a = [c.absolute("cr.node_cm", "largest_node_cm", "<" if y2018 else "<="),
            c.absolute("cr.liver_cm", "liver_cm", "==")]
    if y2018:
        cr_a.append(c.absolute("cr.spleen_length_cm", "spleen_length_cm", "<"))
    else:
        cr_a.append(c.absolute("cr.spleen_cm", "spleen_cm", "=="))
    cr_a.append(c.absolute("cr.alc", "alc", "<"))
    cr_a.append(c.absolute("cr.marrow_pct", "marrow_lymph_pct", "<"))
    cr_a.append(c.flag("cr.symptoms", "symptoms", False, "CR"))
    op = ">=" if y2018 else ">"
    cr_b = [c.absolute("cr.plt", "plt", op, support=("transfused",)),
            c.absolute("cr.hb", "hb", op, support=("transfused", "epo")),
            c.absolute("cr.anc", "anc", op, support=("gcsf",))]
    is_cr = all(_met(r) for r in cr_a + cr_b)
    is_cri = all(_met(r) for r in cr_a) and not is_cr

    # PR
    improve = c.thr("pr.count_improve_pct")
    a_items: list[tuple[Reason, bool | None]] = []   # (reason, abnormal at baseline)
    base_node = b.get("largest_node_cm")
    if base_node is not None:   # abnormal = not at the CR level at baseline
        node_abn = base_node >= 1.5 - _EPS if y2018 else base_node > 1.5 + _EPS
    else:
        node_abn = (b.get("node_spd_cm2") or 0) > 0
    a_items.append((c.change("pr.node_fall_pct", "node_spd_cm2", "fall", "PR"), node_abn))
    if y2018:
        rule = c.rule("pr.organ_fall_pct")
        enlarged = [o for o in ("liver_cm", "spleen_cm") if (b.get(o) or 0) > 0]
        if not enlarged:
            a_items.append((c.add(rule, "not met", "liver and spleen not enlarged at baseline",
                                  counted=False, note="normal at baseline: not counted"), False))
        else:
            parts, status = [], "met"
            for o in enlarged:
                x = v.get(o)
                if x is None:
                    status = "not assessable"
                    parts.append(f"{o} missing")
                    continue
                pct = _pct_change(b[o], x)
                parts.append(f"{o} {_fmt(b[o])} -> {_fmt(x)} ({pct:+.1f}%)")
                if -pct < c.thr("pr.organ_fall_pct") - _EPS and status == "met":
                    status = "not met"
            a_items.append((c.add(rule, status, "; ".join(parts)), True))
    else:
        for organ in ("liver_cm", "spleen_cm"):
            a_items.append((c.change("pr.organ_fall_pct", organ, "fall", "PR"),
                            (b.get(organ) or 0) > 0))
    alc_item = c.change("pr.alc_fall_pct", "alc", "fall", "PR")
    base_alc = b.get("alc")
    a_items.append((alc_item, base_alc is not None and base_alc >= 4.0 - _EPS))
    if not y2018:
        bm = b.get("marrow_lymph_pct")
        a_items.append((c.change("pr.marrow_fall_pct", "marrow_lymph_pct", "fall", "PR"),
                        bm is not None and bm >= 30 - _EPS))
    b_items: list[tuple[Reason, bool]] = []
    plt_b, hb_b, anc_b = b.get("plt"), b.get("hb"), b.get("anc")
    if y2018:
        b_items.append((_count_or_improve(c, "pr.plt", "plt", ">=", improve, ("transfused",)),
                        plt_b is not None and plt_b < 100))
        b_items.append((_count_or_improve(c, "pr.hb", "hb", ">=", improve, ("transfused", "epo")),
                        hb_b is not None and hb_b < 11.0))
    else:
        b_items.append((_count_or_improve(c, "pr.plt", "plt", ">", improve, ("transfused",)),
                        plt_b is not None and plt_b <= 100))
        b_items.append((_count_or_improve(c, "pr.hb", "hb", ">", improve, ("transfused", "epo")),
                        hb_b is not None and hb_b <= 11.0))
        b_items.append((_count_or_improve(c, "pr.anc", "anc", ">", improve, ("gcsf",)),
                        anc_b is not None and anc_b <= 1.5))
    need_a = int(round(c.thr("pr.n_group_a")))

    def group_ok(items, need) -> bool:
        abn = [r for r, a in items if a]
        for r, a in items:
            if not a and r.counted:
                r.counted = False
                r.note = (r.note + "; " if r.note else "") + "normal at baseline: not counted"
        if abn:
            return sum(_met(r) for r in abn) >= min(need, len(abn))
        return any(_met(r) for r, _ in items)

    b_ok = group_ok(b_items, 1)
    is_pr = group_ok(a_items, need_a) and b_ok
    alc_fell = _met(alc_item)
    is_prl = False
    if redistribution:
        # Cheson 2012: PR in every respect but the lymphocytosis -> PR-L. The ALC is left out
        # of group A; PR-L applies where the lymphocytosis would otherwise have been PD (ALC
        # rise not counted) or kept the visit from a PR (ALC abnormal at baseline, not fallen).
        # Where the 2008 counting already gives a PR, it stays PR. Our reading, unverified.
        no_alc = [(r, a) for r, a in a_items if r is not alc_item]
        abn = [r for r, a in no_alc if a]
        ok_a = (sum(_met(r) for r in abn) >= min(need_a, len(abn))) if abn else \
            any(_met(r) for r, _ in no_alc)
        suppressed = _met(alc_pd) and not alc_pd.counted
        is_prl = ok_a and b_ok and (suppressed or not is_pr)
        c.add(c.rule("prl.rule"), "met" if is_prl else "not met",
              f"ALC {_fmt(b.get('alc'))} -> {_fmt(v.get('alc'))}",
              criterion="PR with the ALC left out of group A, where the lymphocytosis would "
                        "otherwise be PD or block the PR")
        if is_prl:
            is_pr = False
    if is_pd:
        return "PD", "PD"
    if is_cr:
        return "CR", "CR"
    if is_cri:
        return "CR", "CRi"
    if is_pr:
        return "PR", "PR"
    if is_prl:
        return "PR-L", "PR-L"
    detail = "SD"
    if any(_met(r) and not r.counted for r in pd_hits):
        detail = "SD (lymphocytosis not counted as PD)"
    return "SD", detail


# --------------------------------------------------------------------------------------------
# Public engine
# --------------------------------------------------------------------------------------------
def _check_overrides(thresholds: Mapping[str, float] | None) -> dict[str, float]:
    if not thresholds:
        return {}
    known = {r.key for r in RULES if r.threshold is not None}
    out = {}
    for k, val in thresholds.items():
        if k not in known:
            raise ValueError(f"thresholds: unknown key {k!r}; allowed: {', '.join(sorted(known))}")
        try:
            x = float(val)
        except (TypeError, ValueError):
            raise ValueError(f"thresholds[{k!r}]={val!r} is not a number") from None
        if not math.isfinite(x) or x < 0:
            raise ValueError(f"thresholds[{k!r}]={val!r}: must be a finite number >= 0")
        out[k] = x
    return out


def rule_set_for(criteria: str, baseline: Mapping[str, Any] | pd.Series) -> str:
    """The underlying rule set: for ``"paper-as-applied"``, NCI-WG 1996 (CLL) or IWG 1999 (SLL)."""
    _check_criteria(criteria)
    if criteria != "paper-as-applied":
        return criteria
    variant = baseline.get("variant") if hasattr(baseline, "get") else None
    if _missing(variant) or str(variant) not in ("CLL", "SLL"):
        raise ValueError(f"baseline.variant={variant!r}: 'paper-as-applied' needs the variant "
                         "recorded before registration, 'CLL' or 'SLL'")
    return "nci-wg-1996" if str(variant) == "CLL" else "iwg-1999"


def classify_visit(baseline: Mapping[str, Any] | pd.Series, visit: Mapping[str, Any] | pd.Series,
                   criteria: str, redistribution_agent: bool = False,
                   nadir: Mapping[str, Any] | pd.Series | None = None,
                   thresholds: Mapping[str, float] | None = None) -> VisitResult:
    """Classify one assessment against the day-0 baseline under one rule set.

    Parameters
    ----------
    baseline, visit : mappings or one-row Series with ``alc``, ``anc``, ``plt`` (x10^9/L), ``hb``
        (g/dL), ``node_spd_cm2`` (cm^2), ``largest_node_cm`` (cm), ``liver_cm``, ``spleen_cm``
        (cm below the costal margin, 0 = not palpable), ``new_node``, ``symptoms`` (bool), and
        optionally ``marrow_lymph_pct`` (%), ``b_cells`` (x10^9/L), ``spleen_length_cm`` (cm, by
        imaging), ``richter``, ``transfused``, ``epo``, ``gcsf`` (bool). ``baseline["variant"]``
        ("CLL"/"SLL") is needed for ``"paper-as-applied"``. A missing value makes every criterion
        that needs it "not assessable" (stated in ``.reasons``); it never counts as met.
    criteria : one of :data:`CRITERIA`.
    redistribution_agent : iwCLL 2018 only: do not read an isolated lymphocytosis as PD, and
        allow PR-L. ``"pr-l-2012"`` always does; the other sets ignore the flag.
    nadir : best earlier values (per measure), for progression measured from the nadir (IWG 1999,
        iwCLL 2018). Without it progression is measured from baseline, and a note says so.
    thresholds : overrides by rule key (see ``criteria_table()["key"]``), for the explorer.

    Returns a :class:`VisitResult` with ``.category`` (CR, PR, PR-L, SD, PD), ``.detail``
    (CRu, CRi, clinical CR ...), ``.reasons`` (criterion by criterion) and ``.rule_set``.
    Raises ``ValueError`` for unknown criteria, negative or non-numeric values, hemoglobin in g/L,
    a visit value without its baseline for ALC or node SPD, or a missing variant.
    For teaching only, not clinical decisions.
    """
    _check_criteria(criteria)
    if not isinstance(redistribution_agent, bool):
        raise ValueError(f"redistribution_agent={redistribution_agent!r}: True or False allowed")
    b = _clean(baseline, "baseline")
    v = _clean(visit, "visit")
    n = _clean(nadir, "nadir") if nadir is not None else None
    return _classify_clean(b, v, n, criteria, redistribution_agent, _check_overrides(thresholds))


def _classify_clean(b: dict, v: dict, n: dict | None, criteria: str, redistribution_agent: bool,
                    over: dict[str, float]) -> VisitResult:
    """classify_visit on already validated inputs (used by best_response, once per row)."""
    baseline = b
    for fld in ("node_spd_cm2", "alc"):
        if v.get(fld) is not None and b.get(fld) is None:
            raise ValueError(f"baseline.{fld} is missing while visit.{fld}={v[fld]:g}: a change "
                             f"needs the baseline value ({NUMERIC_FIELDS[fld]}, >= 0)")
    rule_set = rule_set_for(criteria, baseline)
    if criteria == "paper-as-applied":
        # thresholds of the routed set, plus the paper's own exemption row
        ctx = _Ctx(rule_set, b, v, n, over)
        for r in _BY_SET["paper-as-applied"]:
            ctx.rules.setdefault(r.key, []).append(r)
    else:
        ctx = _Ctx(criteria, b, v, n, over)
    redistribution = (criteria == "pr-l-2012") or (criteria == "iwcll-2018" and
                                                   redistribution_agent)
    if rule_set == "nci-wg-1996":
        cat, detail = _classify_1996(ctx, paper=criteria == "paper-as-applied")
    elif rule_set == "iwg-1999":
        cat, detail = _classify_1999(ctx)
    else:
        cat, detail = _classify_iwcll(ctx, y2018=rule_set == "iwcll-2018",
                                      redistribution=redistribution)
    return VisitResult(criteria=criteria, category=cat, detail=detail, reasons=ctx.reasons,
                       rule_set=rule_set, redistribution_agent=redistribution, notes=ctx.notes)


# --------------------------------------------------------------------------------------------
# Best response over a patient's assessments
# --------------------------------------------------------------------------------------------
NADIR_FIELDS = ("node_spd_cm2", "largest_node_cm", "liver_cm", "spleen_cm")


@dataclass
class BestResponse:
    """What :func:`best_response` returns."""

    category: str                      # CR, PR, PR-L, SD, PD or NE
    response_day: int | None           # restaging day of the confirmed best response
    confirmed_day: int | None          # day of the assessment that confirmed it
    pd_day: int | None                 # first assessment classified PD
    visits: pd.DataFrame               # day, restaging, category, detail (up to the first PD)
    criteria: str = ""
    detail: str = ""


def _records(visits: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(visits, pd.DataFrame):
        return visits.to_dict("records")
    return [dict(r) for r in visits]


def best_response(visits: pd.DataFrame | Iterable[Mapping[str, Any]], criteria: str,
                  confirm_days: int = CONFIRM_DAYS, redistribution_agent: bool = False,
                  thresholds: Mapping[str, float] | None = None,
                  baseline_extra: Mapping[str, Any] | None = None) -> BestResponse:
    """Best overall response of one patient, by the algorithm every engine of the collection shares.

    ``visits``: that patient's assessments, one per day (``day`` from registration, ``restaging``
    bool, and the fields of :func:`classify_visit`), including the day-0 baseline. Each later
    assessment is classified in day order against day 0 (and against the nadir, the smallest
    earlier value of each measure, where a guideline measures progression from it); everything
    after the first PD is ignored. A CR/PR/PR-L documented at a restaging assessment on day d
    counts when an assessment on a day >= d + ``confirm_days`` (default 56: the guidelines' "at
    least 2 months" read as two 28-day cycles), before any PD, still meets at least that response.
    Best = the best confirmed response; else SD if there was a restaging assessment before the
    first PD; else PD if there is one; else NE. ``baseline_extra`` adds fields to the baseline
    (e.g. ``variant``). For teaching only.
    """
    _check_criteria(criteria)
    if not isinstance(confirm_days, (int,)) or isinstance(confirm_days, bool) or confirm_days < 0:
        raise ValueError(f"confirm_days={confirm_days!r}: a whole number of days >= 0 is allowed")
    rows = _records(visits)
    pids = {r.get("patient_id") for r in rows if not _missing(r.get("patient_id"))}
    if len(pids) > 1:
        raise ValueError(f"visits.patient_id holds {len(pids)} patients ({', '.join(sorted(map(str, pids))[:3])}"
                         " ...): best_response takes one patient; use classify_cohort for several")
    if any(_missing(r.get("day")) for r in rows):
        raise ValueError("visits.day has a missing value: every assessment needs its day")
    rows = sorted(rows, key=lambda r: r.get("day"))
    if not rows:
        raise ValueError("visits is empty: the day-0 baseline row is needed")
    days = [r.get("day") for r in rows]
    if any(_missing(d) for d in days):
        raise ValueError("visits.day has a missing value: every assessment needs its day")
    if len(set(days)) != len(days):
        raise ValueError(f"visits.day has duplicates {sorted(d for d in set(days) if days.count(d) > 1)}:"
                         " one assessment per day is allowed")
    if days[0] != 0:
        raise ValueError(f"visits has no day-0 row (first day {days[0]}): the baseline is needed")
    baseline = dict(rows[0])
    if baseline_extra:
        baseline.update(baseline_extra)
    if not isinstance(redistribution_agent, bool):
        raise ValueError(f"redistribution_agent={redistribution_agent!r}: True or False allowed")
    over = _check_overrides(thresholds)
    baseline = _clean(baseline, "baseline")
    rows = [baseline] + [_clean(r, f"visit(day {r.get('day')})") for r in rows[1:]]
    nadir: dict[str, float] = {f: baseline[f] for f in NADIR_FIELDS
                               if f in baseline and not _missing(baseline[f])}
    classified = []
    for r in rows[1:]:
        for fld in ("node_spd_cm2", "alc"):
            if r.get(fld) is not None and baseline.get(fld) is None:
                raise ValueError(f"baseline.{fld} is missing while visit.{fld}={r[fld]:g} on day "
                                 f"{r.get('day')}: a change needs the baseline value")
        res = _classify_clean(baseline, r, dict(nadir), criteria, redistribution_agent, over)
        restaging = r.get("restaging")
        classified.append({"day": int(r["day"]), "restaging": bool(restaging) if not
                           _missing(restaging) else False, "category": res.category,
                           "detail": res.detail})
        for f in NADIR_FIELDS:
            x = r.get(f)
            if not _missing(x):
                nadir[f] = min(float(x), nadir.get(f, float("inf")))
        if res.category == "PD":
            break
    table = pd.DataFrame(classified, columns=["day", "restaging", "category", "detail"])
    pd_day = next((v["day"] for v in classified if v["category"] == "PD"), None)
    best, best_day, conf_day, best_detail = None, None, None, ""
    for i, vis in enumerate(classified):
        if not vis["restaging"] or vis["category"] not in RESPONSES:
            continue
        need = RANK[vis["category"]]
        for later in classified[i + 1:]:
            if later["day"] >= vis["day"] + confirm_days and RANK[later["category"]] >= need:
                if best is None or need > RANK[best]:
                    best, best_day, conf_day, best_detail = (vis["category"], vis["day"],
                                                             later["day"], vis["detail"])
                break
    if best is None:
        before_pd = [v for v in classified if v["restaging"] and (pd_day is None or v["day"] < pd_day)]
        if before_pd:
            best, best_detail = "SD", "SD"
        elif pd_day is not None:
            best, best_detail = "PD", "PD"
        else:
            best, best_detail = "NE", "not evaluable (no response assessment)"
    return BestResponse(category=best, response_day=best_day, confirmed_day=conf_day,
                        pd_day=pd_day, visits=table, criteria=criteria, detail=best_detail)


def classify_cohort(visits: pd.DataFrame, patients: pd.DataFrame, criteria: str,
                    confirm_days: int = CONFIRM_DAYS, redistribution_agent: bool = False,
                    thresholds: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Best response of every patient: one row per patient of ``patients``.

    ``visits`` as from ``helpers.data.load_visits()``; ``patients`` as from ``load_patients()``
    (``patient_id``, ``variant``, and ``best_response`` as recorded, if present). Patients with
    no assessment after day 0 come out NE and stay in the denominator. Columns: patient_id,
    variant, recorded, criteria, rule_set, best, response_day, confirmed_day, pd_day.
    """
    _check_criteria(criteria)
    for col in ("patient_id", "variant"):
        if col not in patients.columns:
            raise ValueError(f"patients lacks column {col!r}")
    if "patient_id" not in visits.columns or "day" not in visits.columns:
        raise ValueError("visits needs columns 'patient_id' and 'day'")
    groups = {pid: g for pid, g in visits.groupby("patient_id", observed=True, sort=False)}
    out = []
    for p in patients.itertuples(index=False):
        pid = p.patient_id
        variant = str(p.variant)
        rec = getattr(p, "best_response", None)
        g = groups.get(pid)
        if g is None or len(g) == 0:
            raise ValueError(f"visits has no rows for patient {pid!r}: the day-0 baseline is needed")
        res = best_response(g, criteria, confirm_days=confirm_days,
                            redistribution_agent=redistribution_agent, thresholds=thresholds,
                            baseline_extra={"variant": variant})
        out.append({"patient_id": pid, "variant": variant,
                    "recorded": None if _missing(rec) else str(rec), "criteria": criteria,
                    "rule_set": rule_set_for(criteria, {"variant": variant}),
                    "best": res.category, "detail": res.detail,
                    "response_day": res.response_day, "confirmed_day": res.confirmed_day,
                    "pd_day": res.pd_day})
    return pd.DataFrame(out)


def response_rate(best: Iterable[str], count_prl: bool = True) -> tuple[int, int]:
    """(responders, n): CR + PR (+ PR-L when ``count_prl``) over every patient, NE included."""
    cats = list(best)
    ok = {"CR", "PR", "PR-L"} if count_prl else {"CR", "PR"}
    return sum(c in ok for c in cats), len(cats)


# --------------------------------------------------------------------------------------------
# Response rate and its exact interval; the threshold explorer's pure function
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RateCI:
    responders: int
    n: int
    estimate: float
    low: float
    high: float
    level: float = 0.95

    def __str__(self) -> str:
        return (f"{self.responders}/{self.n} = {100 * self.estimate:.0f}% "
                f"(exact {100 * self.level:.0f}% CI {100 * self.low:.1f}%-{100 * self.high:.1f}%)")


def response_rate_ci(best: Iterable[str], count_prl: bool = True, level: float = 0.95) -> RateCI:
    """Response rate over every patient (NE included) with its exact (Clopper-Pearson) CI."""
    if not 0 < level < 1:
        raise ValueError(f"level={level!r}: a confidence level strictly between 0 and 1 is allowed")
    x, n = response_rate(best, count_prl=count_prl)
    if n == 0:
        raise ValueError("best is empty: the rate needs at least one patient")
    from helpers.design import binomial_ci

    ci = binomial_ci(x, n, level=level, method="exact")
    return RateCI(x, n, x / n, ci.low, ci.high, level)


#: Default explorer thresholds (the guidelines' values) and the keys they override.
EXPLORER_DEFAULTS: dict[str, float] = {"pr.alc_fall_pct": 50.0, "pr.node_fall_pct": 50.0,
                                       "pr.plt": 100.0, "pr.hb": 11.0, "pr.anc": 1.5}


def reclassify(visits: pd.DataFrame, patients: pd.DataFrame, criteria: str,
               thresholds: Mapping[str, float] | None = None,
               redistribution_agent: bool = False,
               confirm_days: int = CONFIRM_DAYS) -> tuple[pd.DataFrame, RateCI]:
    """The cohort's best responses under one rule set with moved thresholds, and the rate.

    Pure function behind the threshold explorer: returns (one row per patient, RateCI).
    """
    table = classify_cohort(visits, patients, criteria, confirm_days=confirm_days,
                            redistribution_agent=redistribution_agent, thresholds=thresholds)
    return table, response_rate_ci(table["best"])


def node_alc_changes(visits: pd.DataFrame) -> pd.DataFrame:
    """Per patient: the best (largest) fall in node SPD after day 0 and the ALC change then.

    Columns: patient_id, day (of the smallest SPD after day 0), node_change_pct (SPD change from
    day 0, %, negative = shrinkage), alc_fold (ALC that day over day 0; NaN when the ALC was not
    recorded that day). Patients without an assessment after day 0 are left out.
    """
    out = []
    for pid, g in visits.groupby("patient_id", observed=True, sort=True):
        g = g.sort_values("day")
        b = g[g["day"] == 0]
        post = g[(g["day"] > 0) & g["node_spd_cm2"].notna()]
        if b.empty or post.empty:
            continue
        b0 = b.iloc[0]
        if pd.isna(b0["node_spd_cm2"]) or b0["node_spd_cm2"] <= 0:
            continue
        best = post.loc[post["node_spd_cm2"].astype(float).idxmin()]
        alc_fold = (float(best["alc"]) / float(b0["alc"])
                    if not pd.isna(best.get("alc")) and b0["alc"] else float("nan"))
        out.append({"patient_id": pid, "day": int(best["day"]),
                    "node_change_pct": _pct_change(float(b0["node_spd_cm2"]),
                                                   float(best["node_spd_cm2"])),
                    "alc_fold": alc_fold})
    return pd.DataFrame(out, columns=["patient_id", "day", "node_change_pct", "alc_fold"])
