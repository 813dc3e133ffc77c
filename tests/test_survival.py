"""Tests of helpers.survival: hand-computed Kaplan-Meier figures on a small table, R cross-checks,
endpoint derivations, follow-up, landmark analysis; the cohort against the paper's numbers."""
from __future__ import annotations

import io
import math
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from helpers import survival as sv

# A small table worked by hand (times in months; event 1 = death, 0 = censored):
#   t:  1  2  2+ 3  4  4  5+ 6  7+ 8
T = [1, 2, 2, 3, 4, 4, 5, 6, 7, 8]
E = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1]
Z = 1.959963984540054  # standard normal 97.5% quantile

# By hand, at each event time: n at risk, d deaths, S = prod(1 - d/n), Greenwood sum d/(n(n-d)).
HAND = {
    1: dict(n=10, d=1, S=9 / 10, G=1 / 90),
    2: dict(n=9, d=1, S=9 / 10 * 8 / 9, G=1 / 90 + 1 / 72),
    3: dict(n=7, d=1, S=9 / 10 * 8 / 9 * 6 / 7, G=1 / 90 + 1 / 72 + 1 / 42),
    4: dict(n=6, d=2, S=9 / 10 * 8 / 9 * 6 / 7 * 4 / 6, G=1 / 90 + 1 / 72 + 1 / 42 + 2 / 24),
    6: dict(n=3, d=1, S=9 / 10 * 8 / 9 * 6 / 7 * 4 / 6 * 2 / 3, G=1 / 90 + 1 / 72 + 1 / 42 + 2 / 24 + 1 / 6),
}


def _row(tab: pd.DataFrame, t: float) -> pd.Series:
    return tab.loc[tab["time"] == t].iloc[0]


# --------------------------------------------------------------------------- hand-computed values

def test_km_estimates_and_greenwood_by_hand():
    tab = sv.km_table(T, E)
    assert list(tab["time"]) == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert _row(tab, 0)["survival"] == 1.0
    for t, h in HAND.items():
        r = _row(tab, t)
        assert r["n_risk"] == h["n"] and r["n_event"] == h["d"]
        assert r["survival"] == pytest.approx(h["S"], abs=1e-12)
        assert r["greenwood"] == pytest.approx(h["G"], abs=1e-12)
        # Greenwood variance of S: S^2 * sum d/(n(n-d))
        assert r["std_err"] ** 2 == pytest.approx(h["S"] ** 2 * h["G"], abs=1e-12)
    # hand values, printed: S(3) = 0.6857, Var S(1) = 0.81/90 = 0.009
    assert _row(tab, 3)["survival"] == pytest.approx(0.685714, abs=1e-6)
    assert _row(tab, 1)["std_err"] ** 2 == pytest.approx(0.009, abs=1e-12)
    # censoring at 5 and 7 does not move the curve
    assert _row(tab, 5)["survival"] == _row(tab, 4)["survival"]
    # the last patient dies: S = 0 and the variance is undefined (R prints Inf/NA)
    assert _row(tab, 8)["survival"] == 0.0 and math.isnan(_row(tab, 8)["greenwood"])


def test_km_matches_lifelines_curve_and_loglog_band():
    tab = sv.km_table(T, E, conf_type="log-log")
    k = sv.kmf(T, E)
    sf = k.survival_function_.iloc[:, 0]
    ci = k.confidence_interval_
    for t in [1, 2, 3, 4, 5, 6, 7]:
        r = _row(tab, t)
        assert r["survival"] == pytest.approx(sf.loc[t], abs=1e-12)
        assert r["lower"] == pytest.approx(ci.loc[t].iloc[0], abs=1e-12)
        assert r["upper"] == pytest.approx(ci.loc[t].iloc[1], abs=1e-12)


def test_log_band_by_hand():
    tab = sv.km_table(T, E, conf_type="log")
    for t, h in HAND.items():
        r = _row(tab, t)
        se = math.sqrt(h["G"])
        assert r["lower"] == pytest.approx(h["S"] * math.exp(-Z * se), abs=1e-12)
        assert r["upper"] == pytest.approx(min(1.0, h["S"] * math.exp(Z * se)), abs=1e-12)
    # at t=1: 0.9 * exp(-1.96 * sqrt(1/90)) = 0.7320; the upper limit is clipped at 1
    assert _row(tab, 1)["lower"] == pytest.approx(0.732012, abs=1e-6)
    assert _row(tab, 1)["upper"] == 1.0


def test_loglog_and_plain_bands_by_hand():
    ll = sv.km_table(T, E, conf_type="log-log")
    pl = sv.km_table(T, E, conf_type="plain")
    for t, h in HAND.items():
        s, se = h["S"], math.sqrt(h["G"])
        k = Z * se / math.log(s)
        assert _row(ll, t)["lower"] == pytest.approx(s ** math.exp(-k), abs=1e-12)
        assert _row(ll, t)["upper"] == pytest.approx(s ** math.exp(k), abs=1e-12)
        assert _row(pl, t)["lower"] == pytest.approx(max(0.0, s - Z * s * se), abs=1e-12)
        assert _row(pl, t)["upper"] == pytest.approx(min(1.0, s + Z * s * se), abs=1e-12)
    # log-log at t=1: 0.9^exp(+1.96*sqrt(1/90)/ln 0.9) = 0.4730 (lower)
    assert _row(ll, 1)["lower"] == pytest.approx(0.473009, abs=1e-6)


def test_bands_widths_differ_by_transform():
    # the same curve, three intervals: the transform matters
    lows = {ct: _row(sv.km_table(T, E, conf_type=ct), 4)["lower"] for ct in sv.CONF_TYPES}
    # at t=4 (S=0.457): plain 0.131, log-log 0.143, log 0.224
    assert lows["plain"] < lows["log-log"] < lows["log"]
    assert lows["log"] == pytest.approx(0.224196, abs=1e-6)


def test_median_and_its_ci_by_hand():
    # S drops below 0.5 first at t=4 (0.457); lower bands cross 0.5 at t=1 (log-log: 0.473)
    # and t=3 (log: 0.445); no upper band ever reaches 0.5 before S drops to 0 -> not reached
    ll = sv.km_median(T, E, conf_type="log-log")
    lg = sv.km_median(T, E, conf_type="log")
    assert (ll.median, ll.lower, ll.upper) == (4.0, 1.0, math.inf)
    assert (lg.median, lg.lower, lg.upper) == (4.0, 3.0, math.inf)
    assert ll.format() == "4.0 (1.0-NR)"


def test_median_agrees_with_lifelines_when_the_curve_does_not_reach_zero():
    from lifelines.utils import median_survival_times
    t = [1, 2, 2, 3, 4, 4, 5, 6, 7, 9]
    e = [1, 1, 0, 1, 1, 1, 0, 1, 1, 0]  # last one censored
    k = sv.kmf(t, e)
    lo, hi = median_survival_times(k.confidence_interval_).iloc[0]
    m = sv.km_median(t, e)
    assert m.median == k.median_survival_time_
    assert (m.lower, m.upper) == (lo, hi)


def test_median_tie_midpoint_rule():
    # S = 0.5 exactly between t=2 and t=4: R averages (3.0), lifelines takes the first time (2.0)
    t, e = [1, 2, 3, 4], [0, 1, 0, 1]
    # n=4 at t=1 censored; t=2: n=3,d=1 -> 2/3; not 0.5. Use a cleaner table:
    t, e = [2, 2, 4, 4], [1, 1, 1, 1]
    assert sv.km_median(t, e).median == 2.0
    assert sv.km_median(t, e, tie="midpoint").median == 3.0


def test_survival_at_chosen_times():
    out = sv.survival_at(T, [0, 2.5, 4, 7.5, 9], E, conf_type="log")
    assert list(out["survival"][:4]) == pytest.approx([1.0, HAND[2]["S"], HAND[4]["S"], HAND[6]["S"]])
    assert math.isnan(out["survival"].iloc[4])  # beyond the last observation
    assert list(out["n_risk"]) == [10, 7, 6, 1, 0]


def test_at_risk_conventions_by_hand():
    gt = sv.at_risk_table(T, [0, 2, 4, 6, 8], E)
    ge = sv.at_risk_table(T, [0, 2, 4, 6, 8], E, convention="ge")
    assert list(gt["at_risk"]) == [10, 7, 4, 2, 0]  # time > t
    assert list(ge["at_risk"]) == [10, 9, 6, 3, 1]  # time >= t
    assert list(gt["events"]) == [0, 2, 5, 6, 7]
    assert list(gt["censored"]) == [0, 1, 1, 2, 3]
    assert (gt[["at_risk", "censored", "events"]].sum(axis=1) == 10).all()
    assert (ge[["at_risk", "censored", "events"]].sum(axis=1) == 10).all()
    # between observed times the two conventions agree
    assert list(sv.at_risk_table(T, [2.5], E)["at_risk"]) == list(sv.at_risk_table(T, [2.5], E, convention="ge")["at_risk"])


def test_at_risk_gt_is_what_lifelines_add_at_risk_counts_prints():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lifelines.plotting import add_at_risk_counts

    ticks = [0, 2, 4, 6, 8]
    k = sv.kmf(T, E)
    fig, ax = plt.subplots()
    k.plot_survival_function(ax=ax)
    add_at_risk_counts(k, ax=ax, xticks=ticks)
    labels = [lbl.get_text() for lbl in fig.axes[-1].get_xticklabels()]
    plt.close(fig)
    printed = [[int(x) for x in re.findall(r"(\d+)\s*(?:\n|$)", lbl)][-3:] for lbl in labels]
    ours = sv.at_risk_table(T, ticks, E)
    assert printed == ours[["at_risk", "censored", "events"]].values.tolist()


@pytest.mark.parametrize("bad", [dict(conf_type="logit"), dict(alpha=1.5), dict(tie="last")])
def test_bad_options_name_the_field(bad):
    with pytest.raises(ValueError, match=list(bad)[0]):
        sv.km_median(T, E, **bad)


def test_bad_durations():
    with pytest.raises(ValueError, match="negative"):
        sv.km_table([1, -2], [1, 1])
    with pytest.raises(ValueError, match="same length"):
        sv.km_table([1, 2], [1])
    with pytest.raises(ValueError, match="events"):
        sv.km_table([1, 2], [1, 2])
    with pytest.raises(ValueError, match="convention"):
        sv.at_risk_table(T, [1], E, convention="geq")


# --------------------------------------------------------------------------- R cross-checks

R_SCRIPT = r"""
suppressMessages(library(survival))
d <- read.csv(file("stdin"))
for (ct in c("log", "log-log", "plain")) {
  fit <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
  tab <- summary(fit)$table
  write.csv(data.frame(conf_type = ct, time = fit$time, n_risk = fit$n.risk, surv = fit$surv,
                       std_err = fit$std.err, lower = fit$lower, upper = fit$upper,
                       median = tab[["median"]], lcl = tab[["0.95LCL"]], ucl = tab[["0.95UCL"]]),
            stdout(), row.names = FALSE)
}
"""

needs_r = pytest.mark.skipif(shutil.which("Rscript") is None,
                             reason="Rscript not found: install Debian's r-base-core and r-cran-survival "
                                    "(.ci/run does) to run the cross-checks against R's survfit")


def run_survfit(times, events) -> pd.DataFrame:
    data = pd.DataFrame({"time": times, "event": np.asarray(events, dtype=int)}).to_csv(index=False)
    res = subprocess.run(["Rscript", "-e", R_SCRIPT], input=data, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    chunks = [c for c in re.split(r'(?m)^(?="conf_type")', res.stdout) if c.strip()]
    return pd.concat([pd.read_csv(io.StringIO(c)) for c in chunks], ignore_index=True)


def _nan_inf(x: float) -> float:
    return math.inf if (x is None or (isinstance(x, float) and math.isnan(x))) else float(x)


def compare_with_r(times, events):
    r = run_survfit(times, events)
    for ct in ("log", "log-log", "plain"):
        rr = r[r["conf_type"] == ct]
        ours = sv.km_table(times, events, conf_type=ct, time_col="time")
        ours = ours[ours["time"] > 0].reset_index(drop=True)
        assert list(ours["time"]) == pytest.approx(list(rr["time"]))
        assert list(ours["n_risk"]) == list(rr["n_risk"])
        assert list(ours["survival"]) == pytest.approx(list(rr["surv"]), abs=1e-10)
        finite = np.isfinite(rr["std_err"].to_numpy())
        assert np.sqrt(ours["greenwood"].to_numpy()[finite]) == pytest.approx(rr["std_err"].to_numpy()[finite], abs=1e-10)
        for col in ("lower", "upper"):
            a, b = ours[col].to_numpy(), rr[col].to_numpy()
            assert list(np.isnan(a)) == list(np.isnan(b)), (ct, col)
            assert a[~np.isnan(a)] == pytest.approx(b[~np.isnan(b)], abs=1e-10), (ct, col)
        m = sv.km_median(times, events, conf_type=ct, tie="midpoint", time_col="time")
        row = rr.iloc[0]
        assert (m.median, m.lower, m.upper) == pytest.approx(
            (_nan_inf(row["median"]), _nan_inf(row["lcl"]), _nan_inf(row["ucl"]))), ct


@needs_r
def test_small_table_against_r_survfit_all_transforms():
    compare_with_r(T, E)


@needs_r
def test_tied_median_against_r_survfit():
    compare_with_r([2, 2, 4, 4, 5], [1, 1, 1, 1, 0])
    compare_with_r([2, 2, 4, 4], [1, 1, 1, 1])


# --------------------------------------------------------------------------- endpoints and landmarks on hand-made patients

def hand_patients() -> pd.DataFrame:
    """Six patients in the data contract's columns (days from registration)."""
    return pd.DataFrame({
        "patient_id": ["A", "B", "C", "D", "E", "F"],
        "registration_date": pd.to_datetime(["2006-01-01", "2006-07-01", "2007-01-01", "2007-07-01", "2008-01-01", "2008-06-01"]),
        "best_response": ["PR", "PR", "SD", "PD", "SD", "NE"],
        "response_day": pd.array([60, 200, None, None, None, None], dtype="Int64"),
        "progression_day": pd.array([150, None, 120, 50, None, None], dtype="Int64"),
        "death_day": pd.array([400, None, 300, 80, None, 20], dtype="Int64"),
        "last_contact_day": pd.array([400, 700, 300, 80, 500, 20], dtype="Int64"),
        "mobilized": [True, False, True, False, False, False],
        "mobilization_day": pd.array([45, None, 240, None, None, None], dtype="Int64"),
    })


STUDY = {"data_cutoff": "2010-01-01"}


def test_os_and_pfs_tables_follow_the_paper_definitions():
    p = hand_patients()
    os_ = sv.os_table(p).set_index("patient_id")
    pfs = sv.pfs_table(p).set_index("patient_id")
    assert os_.loc["A", ["time_days", "event"]].tolist() == [400, True]   # death, any cause
    assert os_.loc["B", ["time_days", "event"]].tolist() == [700, False]  # alive: last contact
    assert pfs.loc["A", ["time_days", "event"]].tolist() == [150, True]   # progression first
    assert pfs.loc["F", ["time_days", "event"]].tolist() == [20, True]    # death without progression
    assert pfs.loc["E", ["time_days", "event"]].tolist() == [500, False]
    assert os_.loc["A", "time_months"] == pytest.approx(400 / (365.25 / 12))


def test_response_duration():
    d = sv.response_duration_table(hand_patients()).set_index("patient_id")
    assert list(d.index) == ["A", "B"]
    assert d.loc["A", ["time_days", "event"]].tolist() == [90, True]
    assert d.loc["B", ["time_days", "event"]].tolist() == [500, False]  # censored at last contact
    assert sv.format_duration(8.94, False) == "8.9+" and sv.format_duration(2.2, True) == "2.2"


def test_reverse_km_follow_up():
    p = hand_patients()
    cut = sv.registration_cutoff_days(p, STUDY)
    assert cut["B"] == (pd.Timestamp("2010-01-01") - pd.Timestamp("2006-07-01")).days
    rk = sv.reverse_km_table(p, STUDY).set_index("patient_id")
    assert rk.loc["B", "event"] and rk.loc["B", "time_days"] == cut["B"]      # alive: to the cut-off
    assert not rk.loc["A", "event"] and rk.loc["A", "time_days"] == 400       # death censors follow-up
    rl = sv.reverse_km_table(p, STUDY, end="last_contact").set_index("patient_id")
    assert rl.loc["B", "time_days"] == 700
    fu = sv.follow_up_summary(p, STUDY).set_index("method")
    assert fu.loc["alive, last contact", "n"] == 2
    assert fu.loc["alive, last contact", "median"] == pytest.approx(600 / (365.25 / 12))
    with pytest.raises(ValueError, match="data_cutoff"):
        sv.reverse_km_table(p, {"cutoff": "2010-01-01"})


def test_landmark_groups_and_drops():
    p = hand_patients()
    lm = sv.landmark_table(p, 90, by="response").set_index("patient_id")
    # D died day 80 and F day 20: dropped; A responded day 60 <= 90: responder; B (day 200) not yet
    assert lm.attrs["n_dropped"] == 2
    assert set(lm.index[~lm["included"]]) == {"D", "F"}
    assert set(lm["drop_reason"][~lm["included"]]) == {"event before landmark"}
    assert lm.loc["A", "group"] == "responder" and lm.loc["B", "group"] == "non-responder"
    assert lm.loc["A", "time_days"] == 400 - 90
    lm2 = sv.landmark_table(p, 250, by="response").set_index("patient_id")
    assert lm2.loc["B", "group"] == "responder" and lm2.attrs["n_dropped"] == 2  # C died day 300 > 250
    mob = sv.landmark_table(p, 100, by="mobilized").set_index("patient_id")
    assert mob.loc["A", "group"] == "mobilized" and mob.loc["C", "group"] == "not mobilized"  # C documented day 240
    naive = sv.naive_table(p, by="response").set_index("patient_id")
    assert naive.loc["B", "group"] == "responder" and naive.loc["F", "group"] == "non-responder"


def test_landmark_beyond_last_follow_up_raises_clear_error():
    p = hand_patients()
    with pytest.raises(ValueError, match=r"landmark_days=700 .*last follow-up \(700 days"):
        sv.landmark_table(p, 700)
    with pytest.raises(ValueError, match="landmark_days=-1"):
        sv.landmark_table(p, -1)
    with pytest.raises(ValueError, match="landmark_days='six'"):
        sv.landmark_table(p, "six")
    with pytest.raises(ValueError, match="by='stage'"):
        sv.landmark_table(p, 10, by="stage")
    view = sv.landmark_view(p, landmark_months=40)
    assert view.table is None and "beyond the last follow-up" in view.message


def test_landmark_view_message_counts_drops():
    v = sv.landmark_view(hand_patients(), landmark_months=90 / (365.25 / 12))
    assert v.n_dropped == 2 and "2 of 6 patients dropped" in v.message
    assert set(v.summary["group"]) == {"responder", "non-responder"}


# --------------------------------------------------------------------------- the cohort against the paper

def paper(key: str) -> tuple[float, float | None, float | None]:
    from helpers.data import load_published
    row = load_published().set_index("key").loc[key]
    f = (lambda x: None if x is None or pd.isna(x) or str(x).strip() == "" else float(x))
    return f(row["value"]), f(row["low"]), f(row["high"])


def printed(m: sv.MedianCI) -> tuple[float, float, float]:
    return round(m.median, 1), round(m.lower, 1), round(m.upper, 1)


def test_cohort_os_median_and_ci_match_the_paper():
    assert paper("os_median") == (10.5, 4.9, 20.7)
    assert printed(sv.km_median(sv.os_table())) == paper("os_median")
    os_ = sv.os_table()
    assert len(os_) == 22 and int(os_.event.sum()) == 15  # "15 patients have died"


def test_cohort_pfs_median_and_ci_match_the_paper():
    assert paper("pfs_median") == (5.1, 2.3, 8.3)
    assert printed(sv.km_median(sv.pfs_table())) == paper("pfs_median")


def test_cohort_response_onsets_and_durations_match_the_paper():
    d = sv.response_duration_table()
    assert len(d) == 4
    for i, r in enumerate(d.itertuples(), start=1):
        assert round(r.onset_months, 1) == paper(f"pr_onset_{i}")[0]
        assert round(r.time_months, 1) == paper(f"pr_duration_{i}")[0]
    assert list(d["event"]) == [True, True, True, False]  # only the 4th is "8.9+"


def test_cohort_follow_up_of_patients_alive_matches_the_paper():
    fu = sv.follow_up_summary().set_index("method")
    row = fu.loc["alive, last contact"]
    assert row["n"] == 7
    assert (round(row["median"]), round(row["low"]), round(row["high"])) == paper("followup_alive_median")
    # the reverse KM uses all 22 and ends alive patients at the data cut-off
    rk = sv.reverse_km_table()
    assert len(rk) == 22 and int(rk.event.sum()) == 7
    assert (rk.loc[~rk.event, "time_days"].to_numpy() == sv.os_table().loc[~rk.event.to_numpy(), "time_days"].to_numpy()).all()


def test_cohort_log_band_gives_a_different_interval():
    ll, lg = sv.km_median(sv.os_table()), sv.km_median(sv.os_table(), conf_type="log")
    assert ll.median == lg.median
    assert (ll.lower, ll.upper) != (lg.lower, lg.upper)


def test_cohort_mobilization_days_match_the_paper():
    days = sv.mobilization_days().dropna()
    assert len(days) == 8
    assert (float(np.median(days)), days.min(), days.max()) == paper("mob_max_day")


def test_cohort_landmark_drops_early_deaths():
    os_ = sv.os_table()
    for months in (2, 6, 12):
        lm = sv.landmark_table(landmark_days=months * sv.DAYS_PER_MONTH)
        assert lm.attrs["n_dropped"] == int((os_.time_months <= months).sum())
    with pytest.raises(ValueError, match="beyond the last follow-up"):
        sv.landmark_table(landmark_days=os_.time_days.max())


@needs_r
@pytest.mark.parametrize("table", ["os", "pfs"])
def test_cohort_against_r_survfit(table):
    tab = sv.os_table() if table == "os" else sv.pfs_table()
    compare_with_r(tab["time_months"].to_numpy(), tab["event"].to_numpy())


def test_logrank_matches_lifelines():
    from lifelines.statistics import multivariate_logrank_test
    t = [1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 3, 9, 5, 2]
    e = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1]
    for groups in (list("aabbaabbaabbab"), list("abcabcabcabcab")):
        expected = multivariate_logrank_test(t, groups, e).p_value
        assert sv.logrank_p(t, groups, e) == pytest.approx(expected, rel=1e-9)
    assert math.isnan(sv.logrank_p(t, ["a"] * len(t), e))


def test_event_counts_match_lifelines_event_table():
    t = [0, 1, 2, 2, 3, 4, 4, 5]
    e = [1, 1, 1, 0, 1, 1, 1, 0]
    et = sv.kmf(t, e).event_table
    tab = sv.km_table(t, e)
    assert list(tab["time"]) == list(et.index)
    assert list(tab["n_risk"]) == list(et["at_risk"])
    assert list(tab["n_event"]) == list(et["observed"])
    assert list(tab["n_censor"]) == list(et["censored"])
