"""The eligibility explorer's callback: set several slider values and check the output moves
the way the pure funnel function says it should."""
from __future__ import annotations

import html

import pytest

pytest.importorskip("ipywidgets")

from helpers import eligibility as el
from helpers.widgets import eligibility_explorer


@pytest.fixture(scope="module")
def population():
    return el.screening_population()


def test_explorer_default_equals_protocol_funnel(population):
    ex = eligibility_explorer(population)
    assert ex.eligible == el.screening_funnel(population).n_eligible
    assert f"<b>{ex.eligible} of 400</b>" in ex.summary.value
    assert "protocol thresholds" in ex.summary.value and "synthetic" in ex.summary.value
    assert set(ex.controls) >= {"anc_min", "plt_min", "hb_min", "ecog_max"}


@pytest.mark.parametrize("param,value", [("plt_min", 100.0), ("plt_min", 50.0), ("anc_min", 0.5),
                                         ("anc_min", 1.5), ("hb_min", 10.0), ("ecog_max", 1),
                                         ("ast_max_xunl", 1.0), ("creatinine_max_xunl", 1.0)])
def test_each_slider_updates_to_the_pure_result(population, param, value):
    ex = eligibility_explorer(population)
    before_html, before_n = ex.output.value, ex.eligible
    ex.controls[param].value = value
    expected = el.screening_funnel(population, **{param: value}).n_eligible
    assert ex.eligible == expected != before_n
    assert ex.output.value != before_html
    assert f"{param} = {value:g}" in ex.summary.value


def test_several_sliders_combine_and_reset(population):
    ex = eligibility_explorer(population)
    base = ex.eligible
    ex.controls["plt_min"].value = 50.0
    ex.controls["anc_min"].value = 0.5
    loose = ex.eligible
    assert loose == el.screening_funnel(population, plt_min=50.0, anc_min=0.5).n_eligible > base
    ex.controls["ecog_max"].value = 0
    assert ex.eligible < loose
    ex.controls["plt_min"].value = 75.0
    ex.controls["anc_min"].value = 1.0
    ex.controls["ecog_max"].value = 2
    assert ex.eligible == base and "protocol thresholds" in ex.summary.value


def test_funnel_html_lists_every_rule(population):
    ex = eligibility_explorer(population)
    for rule in el.RULES:
        assert html.escape(rule.label) in ex.output.value
