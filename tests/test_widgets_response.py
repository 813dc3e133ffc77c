"""The notebook-03 threshold explorer, driven from a test by setting control values."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers.widgets import response_explorer


def _cohort():
    b = dict(alc=20.0, node_spd_cm2=40.0, largest_node_cm=5.0, liver_cm=0.0, spleen_cm=6.0,
             hb=10.5, plt=95.0, anc=2.5, new_node=False, symptoms=False)
    v = dict(b, richter=False, transfused=False, epo=False, gcsf=False)
    rows = []

    def patient(pid, visit):
        rows.append(dict(b, patient_id=pid, day=0, restaging=False))
        rows.append(dict(v, **visit, patient_id=pid, day=56, restaging=True))
        rows.append(dict(v, **visit, patient_id=pid, day=112, restaging=True))

    patient("A", dict(alc=8.0, node_spd_cm2=16.0, spleen_cm=2.0, plt=120.0))   # PR everywhere
    patient("B", dict(alc=12.0, node_spd_cm2=16.0, spleen_cm=2.0, plt=120.0))  # ALC fell 40%
    patient("C", dict(alc=8.0, node_spd_cm2=26.0, spleen_cm=2.0, plt=120.0))   # nodes fell 35%
    patient("D", dict(alc=8.0, node_spd_cm2=16.0, spleen_cm=2.0, plt=90.0, hb=10.5, anc=1.4))
    patient("E", dict(alc=96.0, node_spd_cm2=9.6, spleen_cm=2.0, plt=120.0))   # mobilized
    patients = pd.DataFrame({"patient_id": list("ABCDE"), "variant": ["CLL"] * 5,
                             "best_response": ["PR", "SD", "SD", "SD", "SD"]})
    return pd.DataFrame(rows), patients


def test_explorer_updates_on_each_control():
    visits, patients = _cohort()
    ex = response_explorer(visits, patients, criteria="nci-wg-1996")
    assert set(ex.controls) == {"criteria", "alc_fall_pct", "node_fall_pct", "plt", "hb", "anc",
                                "redistribution_agent"}
    first = ex.output.value
    assert "1/5 = 20%" in first and "nci-wg-1996" in first
    assert list(ex.state["table"]["best"]) == ["PR", "SD", "SD", "SD", "PD"]

    ex.controls["alc_fall_pct"].value = 40          # B now meets the ALC fall
    assert list(ex.state["table"]["best"]) == ["PR", "PR", "SD", "SD", "PD"]
    assert "2/5 = 40%" in ex.output.value and ex.output.value != first

    ex.controls["node_fall_pct"].value = 35         # C now meets the node fall
    assert ex.state["table"]["best"].tolist()[2] == "PR"
    assert "3/5 = 60%" in ex.output.value

    ex.controls["plt"].value = 85                   # D: platelets 90 > 85 now count
    assert ex.state["table"]["best"].tolist()[3] == "PR"
    assert "4/5 = 80%" in ex.output.value

    ex.controls["criteria"].value = "pr-l-2012"     # E becomes PR-L, not PD
    assert ex.state["table"]["best"].tolist()[4] == "PR-L"
    assert "5/5 = 100%" in ex.output.value

    ex.controls["criteria"].value = "iwcll-2018"
    assert ex.state["table"]["best"].tolist()[4] == "PD"
    ex.controls["redistribution_agent"].value = True
    assert ex.state["table"]["best"].tolist()[4] == "PR-L"
    assert "redistribution flag on" in ex.output.value


def test_explorer_hb_and_anc_controls():
    visits, patients = _cohort()
    ex = response_explorer(visits, patients, criteria="nci-wg-1996")
    ex.controls["plt"].value = 150                  # D: platelets no longer count
    before = ex.state["table"]["best"].tolist()[3]
    ex.controls["anc"].value = 1.4                  # D: ANC 1.4 now counts
    assert (before, ex.state["table"]["best"].tolist()[3]) == ("SD", "PR")
    ex.controls["anc"].value = 1.5
    ex.controls["hb"].value = 10.0                  # D: Hb 10.5 > 10 counts
    assert ex.state["table"]["best"].tolist()[3] == "PR"
    assert ex.state["thresholds"]["pr.hb"] == 10.0


def test_explorer_rejects_unknown_criteria():
    visits, patients = _cohort()
    with pytest.raises(ValueError, match="criteria"):
        response_explorer(visits, patients, criteria="who-2016")
