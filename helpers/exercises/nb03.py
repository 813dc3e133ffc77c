"""Exercise bank for notebook 03 (response criteria).

The vignettes are hand-made teaching cases, not trial rows; the expected answers are computed
by :mod:`helpers.response`, never typed in. For teaching only, not clinical decisions.
"""
from __future__ import annotations

from helpers.exercises import register

_CATS = ("CR", "PR", "PR-L", "SD", "PD")

#: Vignettes: (baseline, visit) mappings; units as in helpers.response.
VIGNETTES: dict[str, dict] = {
    "A": {  # CLL, mobilization on a non-BCR agent
        "text": ("CLL. Baseline: ALC 20 x10^9/L, node SPD 40 cm2 (largest node 5 cm), spleen "
                 "6 cm below the costal margin, liver not palpable, Hb 10.5 g/dL, platelets "
                 "95 x10^9/L, ANC 2.5 x10^9/L, no symptoms. Restaging: ALC 96, SPD 9.6 cm2 "
                 "(largest 2 cm), spleen 2 cm, Hb 11.5 (untransfused, no EPO), platelets 120, "
                 "ANC 2.8 (no G-CSF), no new node, no Richter transformation."),
        "baseline": dict(alc=20.0, node_spd_cm2=40.0, largest_node_cm=5.0, liver_cm=0.0,
                         spleen_cm=6.0, hb=10.5, plt=95.0, anc=2.5, new_node=False,
                         symptoms=False, variant="CLL"),
        "visit": dict(alc=96.0, node_spd_cm2=9.6, largest_node_cm=2.0, liver_cm=0.0,
                      spleen_cm=2.0, hb=11.5, plt=120.0, anc=2.8, new_node=False,
                      symptoms=False, richter=False, transfused=False, epo=False, gcsf=False),
    },
    "B": {  # SLL, nodes shrink, ALC rises but stays low
        "text": ("SLL (never an ALC > 5 before registration). Baseline: ALC 1.2, SPD 36 cm2 "
                 "(largest 4 cm), liver and spleen not palpable, Hb 12.4, platelets 160, ANC 3.1. "
                 "Restaging: ALC 3.9, SPD 14 cm2 (largest 2.5 cm), liver and spleen not "
                 "palpable, counts unchanged, no new node, no marrow examined."),
        "baseline": dict(alc=1.2, node_spd_cm2=36.0, largest_node_cm=4.0, liver_cm=0.0,
                         spleen_cm=0.0, hb=12.4, plt=160.0, anc=3.1, new_node=False,
                         symptoms=False, variant="SLL"),
        "visit": dict(alc=3.9, node_spd_cm2=14.0, largest_node_cm=2.5, liver_cm=0.0,
                      spleen_cm=0.0, hb=12.4, plt=160.0, anc=3.1, new_node=False,
                      symptoms=False, richter=False, transfused=False, epo=False, gcsf=False),
    },
    "C": {  # CLL with a low baseline ALC: does the ALC-fall requirement apply?
        "text": ("CLL (ALC > 5 at diagnosis, 3.2 at baseline). Baseline: SPD 30 cm2 (largest "
                 "4 cm), spleen not palpable, Hb 10.8, platelets 130, ANC 1.9. Restaging: ALC "
                 "3.0, SPD 12 cm2 (largest 2.2 cm), Hb 11.2 untransfused, platelets 140, ANC "
                 "2.0, no new node, no Richter transformation."),
        "baseline": dict(alc=3.2, node_spd_cm2=30.0, largest_node_cm=4.0, liver_cm=0.0,
                         spleen_cm=0.0, hb=10.8, plt=130.0, anc=1.9, new_node=False,
                         symptoms=False, variant="CLL"),
        "visit": dict(alc=3.0, node_spd_cm2=12.0, largest_node_cm=2.2, liver_cm=0.0,
                      spleen_cm=0.0, hb=11.2, plt=140.0, anc=2.0, new_node=False,
                      symptoms=False, richter=False, transfused=False, epo=False, gcsf=False),
    },
}


def classify(vignette: str, criteria: str, redistribution_agent: bool = False) -> str:
    """Category of a vignette under one rule set (the engine's answer)."""
    from helpers.response import classify_visit
    v = VIGNETTES[vignette]
    return classify_visit(v["baseline"], v["visit"], criteria,
                          redistribution_agent=redistribution_agent).category


@register("03.1", kind="text", choices=_CATS,
          hint="Under NCI-WG 1996 a rise of 50% or more in the blood lymphocyte count is "
               "progression on its own, whatever the nodes do.")
def _ex1():
    return classify("A", "nci-wg-1996")


@register("03.2", kind="text", choices=_CATS,
          hint="With the redistribution flag, iwCLL 2018 does not read an isolated "
               "lymphocytosis as progression; count the group-A and group-B criteria met "
               "without the ALC.")
def _ex2():
    return classify("A", "iwcll-2018", redistribution_agent=True)


@register("03.3", kind="text", choices=_CATS,
          hint="IWG 1999 is a lymphoma scheme: the blood count is not one of its parameters. "
               "Compare the SPD fall with 50% (PR) and 75% (CRu), and the largest node with 1.5 cm.")
def _ex3():
    return classify("B", "iwg-1999")


@register("03.4", kind="text", choices=_CATS,
          hint="Is a baseline ALC of 3.2 x10^9/L abnormal? The engine counts the ALC-fall "
               "requirement only when the baseline ALC is above the CR ceiling of 4.0.")
def _ex4():
    return classify("C", "nci-wg-1996")


@register("03.5", kind="integer",
          hint="Reclassify the cohort with response.classify_cohort(visits, patients, "
               "'pr-l-2012') and count CR, PR and PR-L over all 22 patients.")
def _ex5():
    from helpers import data
    from helpers.response import classify_cohort, response_rate
    table = classify_cohort(data.load_visits(), data.load_patients(), "pr-l-2012")
    return response_rate(table["best"], count_prl=True)[0]
