"""The design explorer's callback, driven from a test by setting slider values (no browser)."""
from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import pytest

from helpers.design import simon_two_stage
from helpers.plots import coverage_figure, design_figure, design_svg
from helpers.widgets import DESIGN_DEFAULTS, design_explorer, design_summary


def _designs_in(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r"<tr><td>([^<]+)</td><td>(\d+/\d+)</td><td>(\d+/\d+)</td>", html)


def _expected(p0, p1, a, b, nmax=100):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "optimal too close to nmax"
        res = simon_two_stage(p0, p1, a, b, nmax=nmax)
    return [(h.kind, f"{h.design.r1}/{h.design.n1}", f"{h.design.r}/{h.design.n}") for h in res.hull]


def test_default_shows_the_zent_design():
    ex = design_explorer()
    assert _designs_in(ex.output.value) == [("minimax", "3/19", "10/36"), ("optimal", "3/17", "10/37")]
    assert ex.state["result"].optimal.label() == "3/17, 10/37"
    assert ex.state["values"] == DESIGN_DEFAULTS
    svg = ET.fromstring(ex.figure.value)
    assert svg.tag.endswith("svg")
    assert ex.figure.value.count('class="curve"') == 2 * 2  # 2 designs x 2 panels


@pytest.mark.parametrize("changes", [
    {"p0": 0.05, "p1": 0.20},                          # clinfun vignette: 2 admissible designs
    {"alpha": 0.05, "beta": 0.20},                     # 3/14, 11/38 admissible
    {"p0": 0.10, "p1": 0.30, "alpha": 0.05, "beta": 0.20},
    {"p0": 0.25, "p1": 0.45, "alpha": 0.05},
    {"nmax": 40},                                      # still finds 3/17, 10/37 (n = 37)
])
def test_setting_sliders_changes_the_displayed_designs(changes):
    ex = design_explorer()
    before = ex.output.value
    n_before = ex.state["updates"]
    for name, value in changes.items():
        ex.controls[name].value = value
    vals = {**DESIGN_DEFAULTS, **changes}
    expected = _expected(vals["p0"], vals["p1"], vals["alpha"], vals["beta"], vals["nmax"])
    assert _designs_in(ex.output.value) == expected
    assert ex.state["updates"] == n_before + len(changes)
    assert ex.figure.value.count('class="curve"') == 2 * len(expected)
    if changes != {"nmax": 40}:
        assert ex.output.value != before


def test_invalid_combination_gives_a_message_not_a_traceback():
    ex = design_explorer()
    ex.controls["p0"].value = 0.5        # p1 = 0.4 <= p0
    assert "No design shown" in ex.output.value and "p1=0.4 must be greater than p0=0.5" in ex.output.value
    assert ex.figure.value == ""
    assert ex.state["result"] is None
    ex.controls["p1"].value = 0.7        # valid again
    assert _designs_in(ex.output.value) == _expected(0.5, 0.7, 0.1, 0.1)
    assert ex.figure.value.startswith("<svg")


def test_nmax_too_small_message_names_nmax():
    ex = design_explorer()
    ex.controls["nmax"].value = 30
    assert "nmax=30" in ex.output.value and "try nmax=" in ex.output.value
    ex.controls["nmax"].value = 36
    assert _designs_in(ex.output.value) == [("minimax = optimal", "3/19", "10/36")]
    assert "within 10 of nmax" in ex.output.value  # the clinfun-style warning is shown, not raised


def test_slider_float_noise_is_rounded():
    ex = design_explorer()
    ex.controls["p0"].value = 0.1 + 0.2 - 0.1  # 0.20000000000000004
    assert ex.state["values"]["p0"] == 0.2


def test_unknown_default_rejected():
    with pytest.raises(ValueError, match="unknown setting"):
        design_explorer(gamma=0.1)


def test_design_summary_is_pure():
    r1, h1 = design_summary(0.2, 0.4, 0.1, 0.1, 100)
    r2, h2 = design_summary(0.2, 0.4, 0.1, 0.1, 100)
    assert h1 == h2 and r1.optimal == r2.optimal
    none, msg = design_summary(0.4, 0.2, 0.1, 0.1, 100)
    assert none is None and "p1=0.2" in msg


def test_static_figures_build():
    res = simon_two_stage(0.2, 0.4, 0.05, 0.2)
    fig = design_figure(res)
    assert len(fig.axes) == 4  # three panels plus the PET twin axis
    assert design_svg(res).count('class="curve"') == 2 * 3
    cov = coverage_figure(22, methods=("exact", "wald"))
    assert len(cov.axes[0].lines) == 3  # two methods and the nominal level
