"""Rebuild the reconstructed (synthetic) 22-patient cohort: ``python datasets/build/reconstruct.py``.

The paper (Zent et al., Cancer 2010;116:2201-7) prints summaries, never patient rows. This script
writes rows whose summaries reproduce every printed number (see ``datasets/README.md`` and
``python -m helpers.fidelity``). It is the ONLY code that writes into ``datasets/``.

Construction: every constrained value (baseline counts, response/progression/death days, the
mobilized patients' ALC and node values, AE nadirs, cycle delays) is a hand-curated anchor in
``PATIENTS`` below, chosen with the reasoning written in ``datasets/README.md``. Everything left
free by the paper (counts on ordinary visits, node sizes between anchors, eligibility labs, body
size) is filled deterministically: a seeded ``numpy.random.default_rng(SEED)`` draws small
fluctuations around the anchors. Running it twice gives byte-identical CSVs.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np

SEED = 20100217  # the paper's online publication date
OUT = Path(__file__).resolve().parents[1]
CYCLE_DAYS = 28
DATA_CUTOFF = dt.date(2009, 1, 31)
LADDER = ["10 mg daily", "5 mg daily", "5 mg every other day", "5 mg every third day"]
SITES = ("cervical", "axillary", "inguinal")
RESTAGE_AFTER = (2, 6, 9, 12, 15, 18)


def P(**kw):
    return kw


# ---------------------------------------------------------------------------------------------
# Anchors. Roles (kept in `role`, not shipped): PR1..PR4 the four partial responses (onsets 1.8,
# 6.4, 9.1, 14.1 months; PR1 and PR2 are the two mobilized SLL responders); C1..C6 the mobilized
# CLL-variant patients; PDn1..PDn3, PDk, PDu, PDd progressed before any restaging (PDd died on
# study); SDa, SDb, SDt stable then progressed (SDt off for cytopenia); NEs the on-study sepsis
# death; ON1, ON2 still on treatment. The planning table is in datasets/README.md.
# frac = node SPD / baseline SPD at a visit; alc in x10^9/L.
# ---------------------------------------------------------------------------------------------
PATIENTS = [
    P(role="PR3", reg="2006-01-17", age=68, sex="M", variant="SLL", yrs=9.1, prior=4, ecog=0,
      alc=1.4, anc=3.4, hb=12.6, plt=171, nodes=[(5.5, 4.0), (4.0, 3.0), (3.0, 2.5)], liver=0, spleen=2,
      cycles=[0, 28, 56, 98, 126, 154, 182, 221, 249, 277, 305, 333, 361, 389, 417, 445, 473, 501],
      flags={4: ("hematologic", "hematologic"), 8: ("hematologic", None)},
      hold_labs={84: dict(anc=0.4, plt=38, wbc=1.9), 210: dict(plt=36)},
      frac=[(0, 1), (28, .86), (56, .76), (98, .70), (154, .63), (182, .58), (249, .53), (277, .42),
            (361, .36), (529, .30), (620, .33), (710, .36), (800, .38)],
      followups=[529, 620, 710, 800], restage_extra=[529],
      pd=(880, 1.62), best="PR", response_day=277, progression_day=880, death_day=None, death_cause="",
      last_contact=907, off_day=880, off_reason="progression",
      aes=[("neutropenia", "hematology", 4, "possible", 84, 95, ""),
           ("leukopenia", "hematology", 3, "possible", 84, 95, ""),
           ("thrombocytopenia", "hematology", 3, "possible", 84, 95, ""),
           ("thrombocytopenia", "hematology", 3, "possible", 210, 220, ""),
           ("hypertriglyceridemia", "metabolic/laboratory", 3, "probable", 310, 326,
            "fenofibrate and diet; grade 2 by day 326, so the day-333 pre-cycle retreatment criteria were met")]),
    P(role="PDn1", reg="2006-02-21", age=79, sex="M", variant="CLL", yrs=12.4, prior=9, ecog=2,
      alc=292.0, anc=1.6, hb=9.6, plt=78, nodes=[(3.5, 3.0), (6.5, 5.0), (4.0, 3.5)], liver=3, spleen=8,
      cycles=[0], weekly=[7], frac=[(0, 1)], pd=(7, 1.7), alc_pd=305.0, best="PD", response_day=None,
      progression_day=7, death_day=60, death_cause="progression", last_contact=60, off_day=7,
      off_reason="progression", aes=[]),
    P(role="SDa", reg="2006-03-28", age=81, sex="F", variant="SLL", yrs=6.8, prior=6, ecog=1,
      alc=2.6, anc=2.1, hb=10.8, plt=118, nodes=[(3.0, 2.5), (5.5, 4.5), (3.5, 3.0)], liver=0, spleen=0,
      cycles=[0, 28, 56, 84, 112, 140, 168, 196, 224],
      paths=dict(hb=[(0, 10.8), (140, 10.8), (168, 10.1), (196, 9.3), (224, 8.6), (240, 7.7)],
                 anc=[(0, 2.1), (196, 2.0), (224, 1.4), (240, 0.8)]),
      frac=[(0, 1), (56, .92), (168, .88), (224, .95)], pd=(240, 1.65),
      best="SD", response_day=None, progression_day=240, death_day=700, death_cause="progression",
      last_contact=700, off_day=240, off_reason="progression",
      aes=[("neutropenia", "hematology", 3, "possible", 240, 262, "found at the progression visit; off study"),
           ("anemia", "hematology", 3, "possible", 240, 262, "found at the progression visit; transfused")]),
    P(role="C1", reg="2006-05-09", age=72, sex="M", variant="CLL", yrs=8.3, prior=7, ecog=1,
      alc=5.6, anc=2.4, hb=11.2, plt=102, nodes=[(4.5, 4.0), (7.0, 6.0), (5.0, 4.0)], liver=0, spleen=4,
      cycles=[0, 44], flags={2: ("hematologic", "hematologic")},
      hold_labs={28: dict(anc=0.4, plt=45)}, extra_labs={14: dict(alc=12.0)},
      frac=[(0, 1), (44, .2296), (72, .30), (120, .55)],
      dims_at={44: [(1.8, 1.6), (3.2, 3.2), (2.5, 2.1)]}, alc_at={44: 36.6, 72: 52.0, 120: 20.0},
      restage_extra=[72], followups=[72, 120], pd=(175, 1.1), alc_pd=15.0,
      best="SD", response_day=None, progression_day=175, death_day=400, death_cause="progression",
      last_contact=400, off_day=72, off_reason="refused",
      aes=[("neutropenia", "hematology", 4, "possible", 28, 40, ""),
           ("thrombocytopenia", "hematology", 3, "possible", 28, 40, "")]),
    P(role="PR4", reg="2006-06-20", age=63, sex="F", variant="SLL", yrs=5.2, prior=3, ecog=0,
      alc=2.4, anc=4.1, hb=13.4, plt=210, nodes=[(4.5, 3.5), (4.0, 3.0), (3.5, 3.0)], liver=0, spleen=0,
      cycles=[0, 28, 56, 84, 112, 140, 168, 196, 224, 252, 289, 317, 345, 373, 401, 429, 457, 485],
      flags={11: ("hospitalization", "infection")},
      frac=[(0, 1), (56, .85), (168, .72), (252, .64), (345, .56), (401, .52), (429, .45), (485, .40), (513, .38),
            (600, .37), (700, .36)],
      followups=[513, 600, 700], restage_extra=[513], hold_labs={280: {}},
      best="PR", response_day=429, progression_day=None, death_day=None, death_cause="",
      last_contact=700, off_day=513, off_reason="toxicity",
      aes=[("pneumonia", "infection", 3, "possible", 275, 288, "hospitalized"),
           ("fatigue", "constitutional", 3, "probable", 505, 540, "reason for going off treatment")]),
    P(role="PDk", reg="2006-08-01", age=77, sex="M", variant="CLL", yrs=7.0, prior=6, ecog=1,
      alc=12.3, anc=3.2, hb=12.0, plt=95, nodes=[(3.0, 2.5), (5.0, 4.0), (4.0, 3.0)], liver=0, spleen=3,
      cycles=[0, 28], paths=dict(plt=[(0, 95), (21, 90), (28, 80), (56, 35)]), frac=[(0, 1), (28, .98)],
      pd=(56, 1.6), pd_restaging=True,
      best="PD", response_day=None, progression_day=56, death_day=230, death_cause="unknown",
      last_contact=230, off_day=56, off_reason="progression",
      aes=[("thrombocytopenia", "hematology", 3, "possible", 56, 70, "found at the progression visit; off study"),
           ("hyponatremia", "metabolic/laboratory", 4, "unrelated", 78, 84,
            "20 days after the last dose (within the 30-day reporting window); attributed to progressive disease")]),
    P(role="C6", reg="2006-09-12", age=75, sex="M", variant="CLL", yrs=14.6, prior=8, ecog=1,
      alc=101.2, anc=1.9, hb=10.2, plt=88, nodes=[(4.0, 3.5), (6.0, 5.0), (5.0, 4.0)], liver=2, spleen=6,
      cycles=[0, 42], flags={2: ("hematologic", "hematologic")},
      hold_labs={28: dict(plt=22, hb=7.6)}, visit_flags={42: dict(transfused=True)},
      frac=[(0, 1), (42, .62)], alc_at={42: 415.3},
      pd=(70, .78), pd_spleen=10, alc_pd=380.0, pd_restaging=True,
      best="PD", response_day=None, progression_day=70, death_day=200, death_cause="progression",
      last_contact=200, off_day=70, off_reason="progression",
      aes=[("thrombocytopenia", "hematology", 4, "possible", 28, 38, ""),
           ("anemia", "hematology", 3, "possible", 28, 38, "transfused 2 units of red cells")]),
    P(role="PR2", reg="2006-10-24", age=70, sex="M", variant="SLL", yrs=4.4, prior=5, ecog=0,
      alc=0.7, anc=3.0, hb=13.1, plt=150, nodes=[(4.0, 3.0), (6.5, 5.0), (4.5, 3.5)], liver=0, spleen=0,
      cycles=[0, 49, 77, 105, 133, 167, 195, 242, 270, 298, 326, 354, 382, 410, 438, 466, 494],
      flags={2: ("hematologic", "hematologic"), 6: ("hematologic", "hematologic"),
             8: ("hematologic", "hematologic")},
      hold_labs={28: dict(plt=21), 161: dict(anc=0.8), 223: dict(plt=32)},
      frac=[(0, 1), (49, .80), (77, .60), (105, .56), (133, .54), (167, .52), (195, .20), (242, .07),
            (270, .085), (494, .095)],
      alc_at={49: 1.2, 77: 3.5, 105: 6.0, 133: 9.0, 167: 12.5, 195: 15.0, 242: 17.6, 270: 21.0,
              298: 16.0, 326: 13.0, 354: 11.0, 382: 10.0, 410: 9.0, 438: 8.5, 466: 8.0, 494: 7.5},
      pd=(530, .25), alc_pd=7.0,
      best="PR", response_day=195, progression_day=530, death_day=None, death_cause="",
      last_contact=621, off_day=530, off_reason="progression",
      aes=[("thrombocytopenia", "hematology", 4, "possible", 28, 45, ""),
           ("neutropenia", "hematology", 3, "possible", 161, 166, ""),
           ("thrombocytopenia", "hematology", 3, "possible", 223, 240, ""),
           ("cellulitis", "infection", 3, "possible", 356, 368,
            "outpatient IV antibiotics; resolved by day 368, so the day-382 retreatment criteria were met")]),
    P(role="PDd", reg="2006-12-05", age=85, sex="M", variant="CLL", yrs=22.0, prior=10, ecog=2,
      alc=3.1, anc=1.4, hb=10.0, plt=165, nodes=[(3.5, 3.0), (4.5, 4.0), (3.0, 2.5)], liver=0, spleen=2,
      cycles=[0, 28], paths=dict(hb=[(0, 10.0), (28, 10.0), (35, 8.6), (48, 9.2)]), extra_labs={35: dict(hb=8.6)},
      frac=[(0, 1), (28, 1.05)],
      pd=(48, 1.7),
      best="PD", response_day=None, progression_day=48, death_day=50, death_cause="progression",
      last_contact=50, off_day=50, off_reason="died",
      aes=[("hemolysis", "hematology", 3, "unrelated", 35, 50, "autoimmune hemolysis attributed to CLL; prednisone 1 mg/kg (medical intervention: CTC v3.0 grade 3)")]),
    P(role="C4", reg="2007-01-16", age=74, sex="M", variant="CLL", yrs=10.5, prior=6, ecog=0,
      alc=14.5, anc=2.8, hb=11.5, plt=97, nodes=[(4.0, 3.0), (6.5, 5.5), (5.0, 4.0)], liver=0, spleen=3,
      cycles=[0, 42, 70, 98, 126, 154, 182], flags={2: ("hematologic", "hematologic")},
      hold_labs={28: dict(plt=23)},
      frac=[(0, 1), (42, .12), (70, .15), (98, .20), (126, .25), (154, .30), (182, .35)],
      alc_at={42: 66.7, 70: 95.0, 98: 120.0, 126: 110.0, 154: 90.0, 182: 85.0},
      pd=(215, .9), alc_pd=70.0,
      best="SD", response_day=None, progression_day=215, death_day=630, death_cause="progression",
      last_contact=630, off_day=215, off_reason="progression",
      aes=[("thrombocytopenia", "hematology", 4, "possible", 28, 40, "")]),
    P(role="PDu", reg="2007-02-27", age=66, sex="F", variant="SLL", yrs=3.1, prior=2, ecog=1,
      alc=0.6, anc=1.5, hb=12.2, plt=160, nodes=[(3.5, 3.0), (5.5, 4.5), (4.0, 3.0)], liver=0, spleen=0,
      cycles=[0, 42], flags={2: ("hematologic", "hematologic")},
      hold_labs={28: dict(anc=0.8, wbc=1.7)}, frac=[(0, 1), (42, .95)], pd=(70, 1.6), pd_restaging=True,
      best="PD", response_day=None, progression_day=70, death_day=320, death_cause="infection_unrelated",
      last_contact=320, off_day=70, off_reason="progression",
      aes=[("neutropenia", "hematology", 3, "possible", 28, 40, ""),
           ("leukopenia", "hematology", 3, "possible", 28, 40, ""),
           ("pneumonia", "infection", 5, "unrelated", 310, 320, "death cause (infection unrelated to treatment), reported in survival follow-up 250 days after the last dose")]),
    P(role="C2", reg="2007-04-10", age=76, sex="F", variant="CLL", yrs=7.1, prior=7, ecog=0,
      alc=6.2, anc=2.2, hb=11.0, plt=92, nodes=[(5.0, 4.0), (6.0, 5.0), (5.0, 4.0)], liver=0, spleen=2,
      cycles=[0, 42], flags={2: ("hematologic", "hematologic")},
      hold_labs={28: dict(plt=19, anc=0.9)}, extra_labs={21: dict(alc=16.1)},
      frac=[(0, 1), (42, .26), (70, .30), (130, .60)],
      dims_at={42: [(2.0, 2.0), (3.0, 2.6), (3.2, 2.0)]}, alc_at={42: 40.2, 70: 48.0, 130: 25.0},
      restage_extra=[70], followups=[70, 130], pd=(200, 1.2), alc_pd=20.0,
      best="SD", response_day=None, progression_day=200, death_day=500, death_cause="progression",
      last_contact=500, off_day=70, off_reason="refused",
      aes=[("thrombocytopenia", "hematology", 4, "possible", 28, 40, ""),
           ("neutropenia", "hematology", 3, "possible", 28, 40, "")]),
    P(role="NEs", reg="2007-05-22", age=82, sex="F", variant="SLL", yrs=5.9, prior=5, ecog=1,
      alc=0.4, anc=1.2, hb=12.1, plt=180, nodes=[(3.0, 2.5), (4.5, 3.5), (3.0, 2.0)], liver=0, spleen=0,
      cycles=[0, 28], extra_labs={54: dict(anc=1.1, wbc=2.1)}, frac=[(0, 1), (28, .97)],
      best="NE", response_day=None, progression_day=None, death_day=74, death_cause="infection_treatment",
      last_contact=74, off_day=74, off_reason="died",
      aes=[("neutropenia", "hematology", 2, "possible", 54, 74, ""),
           ("sepsis", "infection", 5, "possible", 54, 74, "sepsis possibly related to treatment; died on study")]),
    P(role="C5", reg="2007-07-03", age=74, sex="M", variant="CLL", yrs=7.0, prior=6, ecog=0,
      alc=46.0, anc=8.6, hb=10.5, plt=120, nodes=[(4.5, 4.0), (7.5, 6.0), (5.5, 4.5)], liver=2, spleen=5,
      cycles=[0, 30, 58, 86, 114, 142, 170, 198, 226, 254, 282, 310, 338, 366],
      flags={2: ("laboratory", None)},
      frac=[(0, 1), (30, .60), (58, .40), (86, .32), (114, .34), (366, .60), (394, .62)],
      alc_at={30: 98.0, 58: 180.0, 86: 230.0, 114: 310.0, 142: 260.0, 170: 240.0, 198: 220.0, 226: 210.0,
              254: 200.0, 282: 195.0, 310: 190.0, 338: 185.0, 366: 180.0, 394: 175.0},
      followups=[394], pd=(400, 1.0), alc_pd=170.0,
      best="SD", response_day=None, progression_day=400, death_day=None, death_cause="",
      last_contact=517, off_day=400, off_reason="progression",
      aes=[("diarrhea", "gastrointestinal", 3, "possible", 372, 384,
            "in the last cycle; no further cycle was given (off for progression on day 400)")]),
    P(role="PDn2", reg="2007-08-14", age=80, sex="M", variant="CLL", yrs=9.8, prior=8, ecog=1,
      alc=38.0, anc=3.6, hb=11.9, plt=147, nodes=[(4.0, 3.0), (5.5, 4.5), (4.5, 3.5)], liver=0, spleen=4,
      cycles=[0], frac=[(0, 1)], pd=(28, 1.6), alc_pd=44.0,
      best="PD", response_day=None, progression_day=28, death_day=110, death_cause="progression",
      last_contact=110, off_day=28, off_reason="progression", aes=[]),
    P(role="PR1", reg="2007-09-25", age=58, sex="M", variant="SLL", yrs=2.1, prior=1, ecog=0,
      alc=2.0, anc=2.9, hb=14.2, plt=269, nodes=[(3.5, 3.0), (4.5, 3.5), (3.0, 2.5)], liver=0, spleen=0,
      cycles=[0, 28, 56, 84, 112], frac=[(0, 1), (28, .60), (56, .18), (84, .20), (112, .23), (118, .24)],
      alc_at={28: 2.6, 56: 3.8, 84: 4.4, 112: 3.9, 118: 3.7}, followups=[118], pd=(123, .42), alc_pd=3.5,
      best="PR", response_day=56, progression_day=123, death_day=260, death_cause="progression",
      last_contact=260, off_day=123, off_reason="progression", aes=[]),
    P(role="SDt", reg="2007-11-06", age=78, sex="M", variant="SLL", yrs=6.2, prior=4, ecog=1,
      alc=1.1, anc=1.0, hb=9.9, plt=84, nodes=[(3.0, 2.5), (4.5, 3.5), (3.5, 3.0)], liver=0, spleen=2,
      cycles=[0, 28], frac=[(0, 1), (28, .96), (56, .95), (100, 1.05)], restage_extra=[56],
      followups=[56, 100], visit_labs={56: dict(plt=17, hb=7.7)}, visit_flags={56: dict(transfused=True)},
      pd=(155, 1.65),
      best="SD", response_day=None, progression_day=155, death_day=300, death_cause="progression",
      last_contact=300, off_day=60, off_reason="toxicity",
      aes=[("thrombocytopenia", "hematology", 4, "possible", 56, 80, "cytopenia: reason for going off treatment"),
           ("anemia", "hematology", 3, "possible", 56, 80, "")]),
    P(role="SDb", reg="2007-12-18", age=46, sex="F", variant="SLL", yrs=4.8, prior=3, ecog=0,
      alc=0.8, anc=1.8, hb=12.9, plt=147, nodes=[(3.0, 2.5), (4.0, 3.5), (3.5, 2.5)], liver=0, spleen=0,
      cycles=[0, 28, 56, 84, 112, 140, 168, 196, 224],
      paths=dict(plt=[(0, 147), (168, 150), (196, 125), (224, 88), (252, 38)],
                 anc=[(0, 1.8), (196, 1.8), (224, 1.5), (252, 1.1)]),
      visit_labs={252: dict(wbc=1.9)}, alc_at={252: 0.5},
      frac=[(0, 1), (56, .90), (168, .86), (224, .90)],
      pd=(252, 1.6), pd_restaging=True,
      best="SD", response_day=None, progression_day=252, death_day=None, death_cause="",
      last_contact=396, off_day=252, off_reason="progression",
      aes=[("thrombocytopenia", "hematology", 3, "possible", 252, 270, "found at the progression visit; off study"),
           ("leukopenia", "hematology", 3, "possible", 252, 270, "")]),
    P(role="C3", reg="2008-01-29", age=74, sex="M", variant="CLL", yrs=11.2, prior=7, ecog=0,
      alc=8.0, anc=4.6, hb=11.9, plt=152, nodes=[(3.0, 2.5), (4.0, 3.0), (3.5, 3.0)], liver=0, spleen=3,
      cycles=[0, 29], extra_labs={7: dict(alc=20.5), 66: dict(anc=0.8)}, visit_flags={6: dict(symptoms=True)},
      frac=[(0, 1), (6, .92), (29, .45)], alc_at={29: 24.0}, marrow={0: 70, 6: 72}, day6=True,
      best="NE", response_day=None, progression_day=None, death_day=76, death_cause="infection_treatment",
      last_contact=76, off_day=40, off_reason="toxicity",
      aes=[("fever", "constitutional", 1, "possible", 5, 8,
            "fever and night sweats with a rising lymphocyte count: the concern behind the day-6 marrow"),
           ("pancreatitis", "gastrointestinal", 2, "possible", 36, 50, "reason for going off treatment"),
           ("neutropenia", "hematology", 3, "probable", 66, 76, ""),
           ("sepsis", "infection", 5, "probable", 66, 76,
            "positive blood cultures; died after going off study (26 days after the last dose)"),
           ("ards", "pulmonary", 4, "probable", 68, 76, "adult respiratory distress syndrome complicating sepsis")]),
    P(role="PDn3", reg="2008-03-11", age=71, sex="M", variant="CLL", yrs=16.0, prior=9, ecog=1,
      alc=2.9, anc=2.8, hb=10.4, plt=99, nodes=[(3.0, 2.5), (4.5, 3.5), (4.0, 3.0)], liver=0, spleen=3,
      cycles=[0, 28], frac=[(0, 1), (28, 1.1)], pd=(42, 1.55), visit_labs={42: dict(plt=21, hb=7.8)},
      paths=dict(hb=[(0, 10.4), (14, 10.0), (28, 9.1), (42, 7.8)], plt=[(0, 99), (21, 90), (28, 68), (42, 21)]),
      best="PD", response_day=None, progression_day=42, death_day=150, death_cause="progression",
      last_contact=150, off_day=42, off_reason="progression",
      aes=[("thrombocytopenia", "hematology", 4, "possible", 42, 60, ""),
           ("anemia", "hematology", 3, "possible", 42, 60, "")]),
    P(role="ON1", reg="2008-04-17", age=69, sex="M", variant="CLL", yrs=6.9, prior=6, ecog=0,
      alc=4.2, anc=3.9, hb=12.4, plt=190, nodes=[(3.5, 3.0), (5.5, 4.0), (4.0, 3.5)], liver=0, spleen=0,
      cycles=[0, 28, 56, 84, 112, 140, 168, 196, 224, 252, 280],
      paths=dict(hb=[(0, 12.4), (112, 12.1), (168, 10.7), (224, 9.0), (252, 7.9), (280, 9.0)],
                 plt=[(0, 190), (140, 186), (196, 142), (252, 82), (280, 45)]),
      visit_flags={280: dict(epo=True)},
      frac=[(0, 1), (56, .88), (168, .80), (280, .82)],
      best="SD", response_day=None, progression_day=None, death_day=None, death_cause="",
      last_contact=289, off_day=None, off_reason="",
      aes=[("anemia", "hematology", 3, "possible", 252, 280, "erythropoietin from day 252; grade 2 by day 280"),
           ("thrombocytopenia", "hematology", 3, "possible", 280, 289,
            "platelets 45 meet the retreatment rule (>= 40): full dose continued; ongoing at the data cut-off")]),
    P(role="ON2", reg="2008-07-29", age=62, sex="M", variant="SLL", yrs=3.6, prior=2, ecog=0,
      alc=1.8, anc=5.2, hb=16.4, plt=236, nodes=[(3.0, 2.5), (4.5, 3.5), (3.5, 3.0)], liver=0, spleen=0,
      cycles=[0, 28, 56, 84, 112, 140, 168], flags={5: (None, "mucositis")},
      frac=[(0, 1), (56, .90), (168, .84)],
      best="SD", response_day=None, progression_day=None, death_day=None, death_cause="",
      last_contact=186, off_day=None, off_reason="",
      aes=[("hypertriglyceridemia", "metabolic/laboratory", 3, "probable", 60, 78,
            "fenofibrate and diet; grade 2 by day 78, so the day-84 pre-cycle retreatment criteria were met"),
           ("mucositis", "gastrointestinal", 2, "probable", 100, 118, ""),
           ("pneumonia", "infection", 3, "possible", 172, 184,
            "in the last cycle before the data cut-off; IV antibiotics (grade 3), resolved by day 184")]),
]

GRADE3 = {"anc": 1.0, "hb": 8.0, "plt": 50}  # NCI CTC v3.0 grade 3 begins below these
NORMAL_WBC_OTHER = 0.5  # monocytes + eosinophils + basophils, x10^9/L (assumption)


def interp(anchors, day):
    xs = [a for a, _ in anchors]
    ys = [b for _, b in anchors]
    return float(np.interp(day, xs, ys))


def lab_paths(p, base):
    """Each count's course (day, value) anchors, interpolated linearly between lab days.

    Explicit ``paths`` anchors win. Otherwise every fixed low value (a held cycle's pre-cycle count,
    an adverse-event nadir) is approached over the 14 days before it, from baseline: counts fall
    over one to two weeks, never overnight, and recovers off drug over two to four weeks.
    """
    out = {}
    fixed = {}
    for key in ("hold_labs", "extra_labs", "visit_labs"):
        for d, ov in p.get(key, {}).items():
            for col, val in ov.items():
                if col in ("anc", "hb", "plt"):
                    fixed.setdefault(col, {})[d] = val
    for col in ("anc", "hb", "plt"):
        if col in p.get("paths", {}):
            out[col] = sorted(p["paths"][col])
            continue
        pts = {0: base[col]}
        for d, val in sorted(fixed.get(col, {}).items()):
            if val < base[col]:
                start = max(0, d - 21)
                if not any(start < e < d for e in pts):
                    # a week before the nadir the count is still above the grade 3 limit (the event's
                    # onset day is the nadir day) and at most ~2.2x the nadir (platelets: lifespan 7-10 days)
                    wk = (min(base[col], val + 1.2) if col == "hb"
                          else min(base[col], max(val * 2.2, GRADE3[col] * 1.1)))
                    for e, x in ((start, base[col]), (d - 14, (base[col] + wk) / 2), (d - 7, wk)):
                        if e > 0:
                            pts.setdefault(e, x)
                pts[d] = val
                # recovery off drug: 70% of the way back to baseline in 2 weeks, all of it in 4
                pts.setdefault(d + 14, val + 0.7 * (base[col] - val))
                pts.setdefault(d + 28, base[col])
        out[col] = sorted(pts.items())
    return out


def fit_dims(base, target_spd):
    """Node dimensions near base scaled to target SPD, on a 0.1 cm grid, as exact as possible."""
    spd0 = sum(l * w for l, w in base)
    s = math.sqrt(target_spd / spd0)
    dims = [[round(l * s, 1), round(w * s, 1)] for l, w in base]
    for d in dims:
        d[0], d[1] = max(d[0], 0.5), max(d[1], 0.5)

    def err(ds):
        return abs(sum(a * b for a, b in ds) - target_spd)

    best = err(dims)
    improved = True
    while improved and best > 1e-9:
        improved = False
        for i in range(3):
            for j in range(2):
                for step in (-0.1, 0.1, -0.2, 0.2):
                    cand = [row[:] for row in dims]
                    cand[i][j] = round(cand[i][j] + step, 1)
                    if cand[i][j] < 0.5 or cand[i][1] > cand[i][0]:
                        continue
                    e = err(cand)
                    if e < best - 1e-12:
                        dims, best, improved = cand, e, True
    return [tuple(d) for d in dims]


def r1(x):
    return float(f"{x:.1f}")


def build():
    rng = np.random.default_rng(SEED)
    pts = sorted(PATIENTS, key=lambda p: p["reg"])
    rows = {k: [] for k in ("patients", "labs", "nodes", "assessments", "adverse_events", "cycles")}
    for i, p in enumerate(pts, start=1):
        pid = f"P{i:02d}"
        p["pid"] = pid
        off = p["off_day"]
        end_tx = off if off is not None else p["last_contact"]
        # --- cycles -------------------------------------------------------------------------
        level = 0
        cyc_rows = []
        for k, start in enumerate(p["cycles"], start=1):
            delay_reason, red_reason = p.get("flags", {}).get(k, (None, None))
            if red_reason:
                level += 1
            cyc_rows.append(dict(patient_id=pid, cycle=k, start_day=start, dose=LADDER[level],
                                 delayed=bool(delay_reason), delay_reason=delay_reason or "",
                                 reduced=bool(red_reason), reduction_reason=red_reason or ""))
        rows["cycles"] += cyc_rows
        # --- visits (assessments) -----------------------------------------------------------
        cycles = p["cycles"]
        restage_days = set(p.get("restage_extra", []))
        for k in RESTAGE_AFTER:
            if k < len(cycles):
                restage_days.add(cycles[k])  # start of cycle k+1 = restaging after cycle k
        visit_days = set(cycles[1:]) | set(p.get("followups", []))
        if p.get("day6"):
            visit_days.add(6)
        pd_day, pd_frac = p.get("pd", (None, None))
        if pd_day is not None:
            visit_days.add(pd_day)
            if p.get("pd_restaging"):
                restage_days.add(pd_day)
            else:
                restage_days.discard(pd_day)
        visit_days = sorted(d for d in visit_days if d > 0)
        spd0 = sum(l * w for l, w in p["nodes"])
        assess = [(0, 1.0)]
        for d in visit_days:
            f = pd_frac if d == pd_day else interp(p["frac"], d)
            assess.append((d, f))
        # --- labs -----------------------------------------------------------------------------
        lab_days = {0}
        for d in p.get("weekly", [7, 14, 21]):
            if d <= end_tx:
                lab_days.add(d)
        lab_days |= set(visit_days) | set(p.get("hold_labs", {})) | set(p.get("extra_labs", {}))
        alc_at = dict(p.get("alc_at", {}))
        if pd_day is not None and "alc_pd" in p:
            alc_at[pd_day] = p["alc_pd"]
        base = dict(alc=p["alc"], anc=p["anc"], hb=p["hb"], plt=p["plt"])
        mobil = p["role"].startswith("C") or p["role"] in ("PR1", "PR2")
        alc_anchor_pts = sorted([(0, p["alc"])] + list(alc_at.items()) +
                                [(d, o["alc"]) for d, o in p.get("extra_labs", {}).items() if "alc" in o])
        paths = lab_paths(p, base)
        for d in sorted(lab_days):
            ov = {}
            ov.update(p.get("hold_labs", {}).get(d, {}))
            ov.update(p.get("extra_labs", {}).get(d, {}))
            ov.update(p.get("visit_labs", {}).get(d, {}))
            if d == 0:
                v = dict(base)
            else:
                v = {}
                # seeded day-to-day variation around the patient's course (`lab_paths`); the floors keep
                # ordinary visits off grade 3 while the course is at baseline
                f_anc, f_hb, f_plt = rng.uniform(0.9, 1.12), rng.uniform(0.97, 1.03), rng.uniform(0.85, 1.08)
                for col, f, floor, nd in (("anc", f_anc, 1.1, 1), ("hb", f_hb, 8.6, 1), ("plt", f_plt, 55, 0)):
                    course = interp(paths[col], d)
                    if d in dict(paths[col]) and col in p.get("paths", {}):
                        val = course  # an explicit anchor of the course: exact
                    elif course == base[col]:
                        val = max(course * f, floor)
                    else:
                        val = course * (1 + (f - 1) / 3)  # on a falling or recovering course: small variation
                    v[col] = int(round(val)) if nd == 0 else r1(val)
                if mobil:
                    latent = float(np.interp(d, [a for a, _ in alc_anchor_pts], [b for _, b in alc_anchor_pts]))
                else:
                    latent = base["alc"] * rng.uniform(0.92, 1.15)
                v["alc"] = r1(latent) if base["alc"] < 50 else float(round(latent, 1))
                if d in alc_at:
                    v["alc"] = alc_at[d]
                v.update(ov)
            recorded = d == 0 or (d in visit_days and d != 6) or d in alc_at or "alc" in ov
            latent_alc = v["alc"]
            wbc = ov.get("wbc", r1(latent_alc + v["anc"] + NORMAL_WBC_OTHER * (1 if d == 0 else rng.uniform(0.8, 1.2))))
            rows["labs"].append(dict(patient_id=pid, day=d, wbc=wbc, alc=v["alc"] if recorded else None,
                                     anc=v["anc"], hb=v["hb"], plt=v["plt"]))
        # --- nodes + assessments ------------------------------------------------------------
        nadir_f = 1.0
        for d, f in assess:
            if d == 0:
                dims = list(p["nodes"])
            elif d in p.get("dims_at", {}):
                dims = p["dims_at"][d]  # exact anchor (the median node decrease depends on it)
            else:
                dims = fit_dims(p["nodes"], f * spd0)
            for site, (l, w) in zip(SITES, dims):
                rows["nodes"].append(dict(patient_id=pid, day=d, site=site, length_cm=l, width_cm=w))
            is_pd = d == pd_day
            spleen = p["spleen"]
            if is_pd and "pd_spleen" in p:
                spleen = p["pd_spleen"]
            vf = p.get("visit_flags", {}).get(d, {})
            rows["assessments"].append(dict(
                patient_id=pid, day=d, restaging=d in restage_days, liver_cm=p["liver"], spleen_cm=spleen,
                new_node=bool(is_pd), symptoms=vf.get("symptoms", False),
                marrow_lymph_pct=p.get("marrow", {}).get(d), transfused=vf.get("transfused", False),
                epo=vf.get("epo", False), gcsf=False, richter=False))
        # --- adverse events ------------------------------------------------------------------
        cat_of = lambda c: "hematologic" if c == "hematology" else "nonhematologic"  # noqa: E731
        for term, ccat, grade, attr, day, end, note in p["aes"]:
            rows["adverse_events"].append(dict(patient_id=pid, term=term, ctcae_category=ccat,
                                               category=cat_of(ccat), grade=grade, attribution=attr,
                                               day=day, end_day=end, note=note))
        # --- patient row --------------------------------------------------------------------
        nodes0 = p["nodes"]
        prow = dict(
            patient_id=pid, age=p["age"], sex=p["sex"], variant=p["variant"],
            years_since_diagnosis=p["yrs"], prior_therapies=p["prior"], ecog=p["ecog"],
            alc=p["alc"], anc=p["anc"], hb=p["hb"], plt=p["plt"],
            largest_node_cm=max(l for l, _ in nodes0),
            registration_date=p["reg"], best_response=p["best"], response_day=p["response_day"],
            progression_day=p["progression_day"], death_day=p["death_day"], death_cause=p["death_cause"],
            last_contact_day=p["last_contact"], off_treatment_day=p["off_day"],
            off_treatment_reason=p["off_reason"], cycles=len(cycles), mobilized=mobil,
            creatinine_xunl=r1(rng.uniform(0.6, 1.3)),
            bilirubin_total_xunl=r1(rng.uniform(0.4, 1.1)),
            bilirubin_direct_xunl=r1(rng.uniform(0.1, 0.4)),
            ast_xunl=r1(rng.uniform(0.5, 1.6)),
            liver_involvement=p["liver"] > 0,
            life_expectancy_ge_3_months=True,
            hiv_known=False,
            months_since_recurrence_biopsy=r1(rng.uniform(0.3, 5.0)),
            weight_kg=r1(rng.uniform(72, 98) if p["sex"] == "M" else rng.uniform(55, 80)),
            height_cm=r1(rng.uniform(168, 188) if p["sex"] == "M" else rng.uniform(155, 172)),
        )
        rows["patients"].append(prow)
    return rows


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, float):
        s = f"{v:.2f}"
        return s[:-1] if s.endswith("0") else s
    return str(v)


COLUMNS = {
    "patients": ["patient_id", "age", "sex", "variant", "years_since_diagnosis", "prior_therapies", "ecog",
                 "alc", "anc", "hb", "plt", "largest_node_cm", "registration_date", "best_response",
                 "response_day", "progression_day", "death_day", "death_cause", "last_contact_day",
                 "off_treatment_day", "off_treatment_reason", "cycles", "mobilized",
                 "creatinine_xunl", "bilirubin_total_xunl", "bilirubin_direct_xunl", "ast_xunl",
                 "liver_involvement", "life_expectancy_ge_3_months", "hiv_known",
                 "months_since_recurrence_biopsy", "weight_kg", "height_cm"],
    "labs": ["patient_id", "day", "wbc", "alc", "anc", "hb", "plt"],
    "nodes": ["patient_id", "day", "site", "length_cm", "width_cm"],
    "assessments": ["patient_id", "day", "restaging", "liver_cm", "spleen_cm", "new_node", "symptoms",
                    "marrow_lymph_pct", "transfused", "epo", "gcsf", "richter"],
    "adverse_events": ["patient_id", "term", "ctcae_category", "category", "grade", "attribution", "day",
                       "end_day", "note"],
    "cycles": ["patient_id", "cycle", "start_day", "dose", "delayed", "delay_reason", "reduced",
               "reduction_reason"],
}


def write_csv(path: Path, columns, records):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in records:
            w.writerow([fmt(r.get(c)) for c in columns])


def main(out: Path = OUT) -> None:
    rows = build()
    for name, cols in COLUMNS.items():
        recs = rows[name]
        if name == "adverse_events":
            recs = sorted(recs, key=lambda r: (r["patient_id"], r["day"], r["term"]))
        write_csv(out / f"{name}.csv", cols, recs)
    study = [("data_cutoff", DATA_CUTOFF.isoformat()), ("enrollment_start", "2006-01-01"),
             ("enrollment_end", "2008-07-31"), ("cycle_days", str(CYCLE_DAYS)),
             ("n_enrolled", "22"), ("seed", str(SEED)),
             ("paper", "Zent CS et al. Cancer 2010;116:2201-7. doi:10.1002/cncr.25005"),
             ("notice", "Reconstructed, synthetic rows: summaries match the paper, individual rows are invented")]
    with (out / "study.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["key", "value"])
        w.writerows(study)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from published import write_published  # noqa: E402
    write_published(out / "published_numbers.csv")


if __name__ == "__main__":
    main()
