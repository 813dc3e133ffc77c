"""Does the reconstructed cohort reproduce the paper? ``python -m helpers.fidelity``.

Every row of ``datasets/published_numbers.csv`` is recomputed from the cohort's tables and
printed side by side with the paper's value, at the paper's printed precision (the number of
decimals of the printed string) and with the paper's rounding (``round`` = half up, ``truncate``).
A mismatch is never hidden by a tolerance. The command exits non-zero on any mismatch.
Kaplan-Meier figures use lifelines (``helpers.survival.km_median``); months = days / (365.25/12).
The cohort is reconstructed and synthetic: matching summaries say nothing about real patients.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import data as D
from helpers.mobilization import patient_metrics
from helpers.survival import km_median, os_table, pfs_table, response_duration_table
from helpers.toxicity import worst_grade_by_category, worst_grade_table

Result = tuple  # (value, low, high); low/high None when the paper prints no range


def format_as_printed(x, printed: str, rounding: str = "round") -> str:
    """Format ``x`` with as many decimals as the ``printed`` string, rounding half up or truncating."""
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "NA"
    if np.isinf(x):
        return "inf"
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    q = Decimal(1).scaleb(-decimals)
    mode = ROUND_DOWN if rounding == "truncate" else ROUND_HALF_UP
    return str(Decimal(repr(float(x))).quantize(q, rounding=mode))


class Cohort:
    """All tables, loaded once (from ``path``, a folder, or the default datasets)."""

    def __init__(self, path: str | Path | None = None):
        self.patients = D.load_patients(path)
        self.labs = D.load_labs(path)
        self.nodes = D.load_nodes(path)
        self.assessments = D.load_assessments(path)
        self.ae = D.load_adverse_events(path)
        self.cycles = D.load_cycles(path)
        self.study = D.load_study(path)
        self.published = D.load_published(path)
        self.n = len(self.patients)
        self.table2 = worst_grade_table(self.ae, 3, D.RELATED)
        self.by_category = {"all": worst_grade_by_category(self.ae, 3, None),
                            "attr": worst_grade_by_category(self.ae, 3, D.RELATED)}
        self.responses = response_duration_table(self.patients)
        mob_ids = self.patients.loc[self.patients["mobilized"], "patient_id"]
        self.mob = patient_metrics(self.labs, self.nodes, mob_ids).merge(
            self.patients[["patient_id", "variant", "best_response", "largest_node_cm"]], on="patient_id")


def _median_range(s) -> Result:
    s = pd.Series(s, dtype="float64").dropna()
    return float(np.median(s)), float(s.min()), float(s.max())


def _pct(k, n) -> Result:
    return 100.0 * k / n, None, None


def _count(x) -> Result:
    return int(x), None, None


def _eligible(p: pd.Series) -> bool:
    """The Methods' eligibility criteria on one patient row (full engine: helpers.eligibility)."""
    bili_ok = p["bilirubin_total_xunl"] <= 2 or p["bilirubin_direct_xunl"] < 1.5
    ast_ok = p["ast_xunl"] <= (5 if p["liver_involvement"] else 3)
    measurable = p["largest_node_cm"] > 2 or p["alc"] > 5
    return bool(p["age"] >= 18 and p["prior_therapies"] >= 1 and p["months_since_recurrence_biopsy"] <= 6
                and measurable and p["life_expectancy_ge_3_months"] and p["ecog"] <= 2 and p["anc"] >= 1
                and p["plt"] >= 75 and p["hb"] >= 8 and p["creatinine_xunl"] <= 2 and bili_ok and ast_ok
                and not p["hiv_known"])


def _computations() -> dict[str, Callable[[Cohort], Result]]:
    c: dict[str, Callable[[Cohort], Result]] = {}
    P = lambda k: k.patients  # noqa: E731
    c["n_patients"] = lambda k: _count(k.n)
    c["n_eligible"] = lambda k: _count(sum(_eligible(r) for _, r in P(k).iterrows()))
    c["n_sll"] = lambda k: _count((P(k)["variant"] == "SLL").sum())
    c["cycle_days"] = lambda k: _count(k.study["cycle_days"])
    def dose_start(k):
        doses = set(k.cycles.loc[k.cycles["cycle"] == 1, "dose"].astype(str))
        return (10, None, None) if doses == {"10 mg daily"} else (np.nan, None, None)
    c["dose_start_mg_daily"] = dose_start

    def dose_ladder_steps(k):
        ladder = ["10 mg daily", "5 mg daily", "5 mg every other day", "5 mg every third day"]  # Methods
        longest: list[str] = []
        for _, g in k.cycles.sort_values(["patient_id", "cycle"]).groupby("patient_id"):
            seq = list(dict.fromkeys(g["dose"].astype(str)))
            longest = seq if len(seq) > len(longest) else longest
        return (len(longest) - 1 if longest == ladder[:len(longest)] else np.nan), None, None
    c["dose_ladder_steps"] = dose_ladder_steps

    def cbc_interval(k):
        gaps = [np.diff(np.sort(g.loc[g["day"] <= 21, "day"].to_numpy(dtype=float))).max()
                for _, g in k.labs.groupby("patient_id") if (g["day"] <= 21).sum() > 1]
        return float(max(gaps)), None, None
    c["cbc_interval_cycle1"] = cbc_interval

    def restaged_after(k) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        a = k.assessments[k.assessments["restaging"].astype(bool)]
        for pid, g in k.cycles.groupby("patient_id"):
            days = set(a.loc[a["patient_id"] == pid, "day"].astype(int))
            out[str(pid)] = [int(c) - 1 for c, d in zip(g["cycle"], g["start_day"]) if int(d) in days]
        return out

    def restage_nth(i):
        def f(k):
            firsts = {v[i] for v in restaged_after(k).values() if len(v) > i}
            return (firsts.pop(), None, None) if len(firsts) == 1 else (np.nan, None, None)
        return f
    c["restage_first_after_cycle"] = restage_nth(0)
    c["restage_second_after_cycle"] = restage_nth(1)

    def restage_every(k):
        steps = {b - a for v in restaged_after(k).values() for a, b in zip(v[1:], v[2:])}
        return (steps.pop(), None, None) if len(steps) == 1 else (np.nan, None, None)
    c["restage_every_cycles"] = restage_every

    def bleeding(k):
        thr = set(k.ae.loc[k.ae["term"] == "thrombocytopenia", "patient_id"])
        bleed = k.ae["term"].astype(str).str.contains("hemorrhage|bleed|hematoma|epistaxis")
        return _count(k.ae.loc[bleed & k.ae["patient_id"].isin(thr), "patient_id"].nunique())
    c["bleeding_with_thrombocytopenia"] = bleeding
    c["enrollment_start"] = lambda k: (P(k)["registration_date"].min().strftime("%Y-%m"), None, None)
    c["enrollment_end"] = lambda k: (P(k)["registration_date"].max().strftime("%Y-%m"), None, None)
    c["years_dx_median"] = lambda k: _median_range(P(k)["years_since_diagnosis"])
    c["t1_age_median"] = lambda k: _median_range(P(k)["age"])
    c["t1_men_n"] = lambda k: _count((P(k)["sex"] == "M").sum())
    c["t1_men_pct"] = lambda k: _pct((P(k)["sex"] == "M").sum(), k.n)
    c["t1_women_n"] = lambda k: _count((P(k)["sex"] == "F").sum())
    c["t1_women_pct"] = lambda k: _pct((P(k)["sex"] == "F").sum(), k.n)
    for col in ("alc", "anc", "hb", "plt"):
        c[f"t1_{col}_median"] = (lambda col: lambda k: _median_range(P(k)[col]))(col)
    c["t1_alc_gt5_n"] = lambda k: _count((P(k)["alc"] > 5).sum())
    c["t1_alc_gt5_pct"] = lambda k: _pct((P(k)["alc"] > 5).sum(), k.n)
    c["t1_alc_le5_n"] = lambda k: _count((P(k)["alc"] <= 5).sum())
    c["t1_alc_le5_pct"] = lambda k: _pct((P(k)["alc"] <= 5).sum(), k.n)
    c["t1_node5_n"] = lambda k: _count((P(k)["largest_node_cm"] >= 5).sum())
    c["t1_node5_pct"] = lambda k: _pct((P(k)["largest_node_cm"] >= 5).sum(), k.n)
    c["t1_node_lt5_n"] = lambda k: _count((P(k)["largest_node_cm"] < 5).sum())
    c["t1_node_lt5_pct"] = lambda k: _pct((P(k)["largest_node_cm"] < 5).sum(), k.n)
    for e in (0, 1, 2):
        c[f"t1_ecog{e}_n"] = (lambda e: lambda k: _count((P(k)["ecog"] == e).sum()))(e)
        c[f"t1_ecog{e}_pct"] = (lambda e: lambda k: _pct((P(k)["ecog"] == e).sum(), k.n))(e)
    c["t1_prior_median"] = lambda k: _median_range(P(k)["prior_therapies"])
    # response
    c["n_pr"] = lambda k: _count((P(k)["best_response"] == "PR").sum())
    c["n_cr"] = lambda k: _count((P(k)["best_response"] == "CR").sum())

    def pr_pct(k):
        from helpers.design import binomial_ci  # the paper's "95% binomial confidence interval": exact

        x, n = int((P(k)["best_response"].isin(["CR", "PR"])).sum()), k.n
        ci = binomial_ci(x, n, level=0.95, method="exact")
        return 100 * x / n, 100 * ci.low, 100 * ci.high
    c["pr_pct"] = pr_pct
    for i in range(4):
        c[f"pr_onset_{i + 1}"] = (lambda i: lambda k: (k.responses["onset_months"].iloc[i], None, None))(i)
        c[f"pr_duration_{i + 1}"] = (lambda i: lambda k: (k.responses["time_months"].iloc[i], None, None))(i)
    c["n_progressed"] = lambda k: _count(P(k)["progression_day"].notna().sum())
    c["n_died"] = lambda k: _count(P(k)["death_day"].notna().sum())
    for cause in D.DEATH_CAUSES:
        c[f"death_{cause}"] = (lambda cause: lambda k: _count((P(k)["death_cause"] == cause).sum()))(cause)

    def followup(k):
        alive = P(k)[P(k)["death_day"].isna()]
        return _median_range(D.to_months(alive["last_contact_day"]))
    c["followup_alive_median"] = followup

    def km(tab):
        return lambda k: km_median(tab(P(k))["time_months"], tab(P(k))["event"])
    c["os_median"] = km(os_table)
    c["pfs_median"] = km(pfs_table)
    # mobilization
    M = lambda k: k.mob  # noqa: E731
    alc5 = lambda k: P(k)["alc"] > 5  # noqa: E731
    c["mob_n"] = lambda k: _count(len(M(k)))
    c["mob_pct"] = lambda k: _pct(len(M(k)), k.n)
    c["mob_alc_gt5_n"] = lambda k: _count((P(k)["mobilized"] & alc5(k)).sum())
    c["mob_alc_gt5_pct"] = lambda k: _pct((P(k)["mobilized"] & alc5(k)).sum(), alc5(k).sum())
    c["mob_alc_le5_n"] = lambda k: _count((P(k)["mobilized"] & ~alc5(k)).sum())
    c["mob_alc_le5_pct"] = lambda k: _pct((P(k)["mobilized"] & ~alc5(k)).sum(), (~alc5(k)).sum())
    c["mob_measurable_n"] = lambda k: _count((M(k)["largest_node_cm"] > 2).sum())
    c["mob_node5_n"] = lambda k: _count((M(k)["largest_node_cm"] >= 5).sum())
    c["mob_node5_pct"] = lambda k: _pct((M(k)["largest_node_cm"] >= 5).sum(), len(M(k)))
    c["mob_base_alc"] = lambda k: _median_range(M(k)["baseline_alc"])
    c["mob_first_alc"] = lambda k: _median_range(M(k)["first_alc"])
    c["mob_first_alc_day"] = lambda k: _median_range(M(k)["first_alc_day"])
    c["mob_node_decrease"] = lambda k: _median_range(M(k)["max_node_decrease_pct"])
    c["mob_node_decrease_abstract"] = lambda k: _median_range(M(k)["max_node_decrease_pct"])
    c["mob_fold"] = lambda k: _median_range(M(k)["fold_rise"])
    c["mob_alc_at_max"] = lambda k: _median_range(M(k)["alc_at_max_decrease"])
    c["mob_max_day"] = lambda k: _median_range(M(k)["max_decrease_day"])
    for key, resp in (("mob_pr", "PR"), ("mob_sd", "SD"), ("mob_pd", "PD"), ("mob_ne", "NE")):
        c[key] = (lambda resp: lambda k: _count((M(k)["best_response"] == resp).sum()))(resp)
    c["mob_pr_sll"] = lambda k: _count(((M(k)["best_response"] == "PR") & (M(k)["variant"] == "SLL")).sum())
    c["mob_cll_n"] = lambda k: _count((M(k)["variant"] == "CLL").sum())

    def marrow_day(k):
        a = k.assessments.merge(P(k)[["patient_id", "mobilized"]], on="patient_id")
        days = a.loc[a["marrow_lymph_pct"].notna() & (a["day"] > 0) & a["mobilized"], "day"]
        return (int(days.iloc[0]) if len(days) == 1 else np.nan), None, None
    c["marrow_day"] = marrow_day
    # treatment

    def tx_days(k):
        p = P(k)
        return p["off_treatment_day"].astype("float64").fillna(p["last_contact_day"].astype("float64"))
    c["tx_months_median"] = lambda k: (float(np.median(D.to_months(tx_days(k)))), None,
                                        float(D.to_months(tx_days(k)).max()))
    c["tx_min_weeks"] = lambda k: (float(tx_days(k).min()) / 7, None, None)
    c["tx_cycles_median"] = lambda k: _median_range(P(k)["cycles"])
    c["off_n"] = lambda k: _count(P(k)["off_treatment_day"].notna().sum())
    for reason, key in (("progression", "off_progression"), ("toxicity", "off_toxicity"), ("died", "off_died"),
                        ("refused", "off_refused")):
        c[key] = (lambda reason: lambda k: _count((P(k)["off_treatment_reason"] == reason).sum()))(reason)

    def off_tox_term(term, grade=None):
        def f(k):
            ids = P(k).loc[P(k)["off_treatment_reason"] == "toxicity", "patient_id"]
            ae = k.ae[k.ae["patient_id"].isin(ids) & k.ae["note"].fillna("").str.contains("going off treatment")]
            if grade is not None:
                ae = ae[(ae["term"] == term) & (ae["grade"] == grade)]
            else:
                ae = ae[ae["ctcae_category"] == "hematology"]
            return _count(ae["patient_id"].nunique())
        return f
    c["off_tox_pancreatitis_g2"] = off_tox_term("pancreatitis", 2)
    c["off_tox_fatigue_g3"] = off_tox_term("fatigue", 3)
    c["off_tox_cytopenia"] = off_tox_term(None)

    def died_on_study(cause):
        return lambda k: _count(((P(k)["off_treatment_reason"] == "died") & (P(k)["death_cause"] == cause)).sum())

    def died_on_study_sepsis_possible(k):
        # the paper's wording: "sepsis possibly related to treatment" (a grade 5 sepsis row, possible)
        ids = P(k).loc[(P(k)["off_treatment_reason"] == "died") & (P(k)["death_cause"] == "infection_treatment"),
                       "patient_id"]
        sep = k.ae[(k.ae["term"] == "sepsis") & (k.ae["grade"] == 5) & (k.ae["attribution"] == "possible")]
        return _count(sep.loc[sep["patient_id"].isin(ids), "patient_id"].nunique())
    c["off_died_sepsis"] = died_on_study_sepsis_possible
    c["off_died_progression"] = died_on_study("progression")
    cy = lambda k: k.cycles  # noqa: E731
    c["delay_patients"] = lambda k: _count(cy(k).loc[cy(k)["delayed"], "patient_id"].nunique())
    c["delay_cycles"] = lambda k: _count(cy(k)["delayed"].sum())
    for r in D.DELAY_REASONS:
        c[f"delay_{r}"] = (lambda r: lambda k: _count((cy(k)["delay_reason"] == r).sum()))(r)
    c["reduction_patients"] = lambda k: _count(cy(k).loc[cy(k)["reduced"], "patient_id"].nunique())
    c["reduction_cycles"] = lambda k: _count(cy(k)["reduced"].sum())
    for r in D.REDUCTION_REASONS:
        c[f"reduction_{r}"] = (lambda r: lambda k: _count((cy(k)["reduction_reason"] == r).sum()))(r)
    # toxicity

    def cat(category, grade, attr_key):
        def f(k):
            t = k.by_category[attr_key]
            if category not in t.index:
                return _count(0)
            return _count(t.loc[category, grade])
        return f
    for attr_key in ("all", "attr"):
        for category, short in (("hematologic", "hem"), ("nonhematologic", "nonhem")):
            c[f"ae_{short}_g3plus_{attr_key}"] = cat(category, "total", attr_key)
            for g in (3, 4, 5):
                c[f"ae_{short}_g{g}_{attr_key}"] = cat(category, g, attr_key)

    def g34(term):
        def f(k):
            ae = k.ae[(k.ae["term"] == term) & k.ae["grade"].isin([3, 4]) & k.ae["attribution"].isin(D.RELATED)]
            return _pct(ae["patient_id"].nunique(), k.n)
        return f
    c["rate_anemia_g34"] = g34("anemia")
    c["rate_neutropenia_g34"] = g34("neutropenia")
    c["rate_thrombocytopenia_g34"] = g34("thrombocytopenia")

    def g3_nonhem(term):
        def f(k):
            t = k.table2
            return _count(t.xs(term, level="term")[3].sum() if term in t.index.get_level_values("term") else 0)
        return f
    c["g3_pneumonia"] = g3_nonhem("pneumonia")
    c["g3_hypertriglyceridemia"] = g3_nonhem("hypertriglyceridemia")

    def sepsis_death_with(term, grade, attrs):
        def f(k):
            dead = P(k).loc[P(k)["death_cause"] == "infection_treatment", "patient_id"]
            sep = k.ae[(k.ae["term"] == "sepsis") & (k.ae["grade"] == 5) & k.ae["patient_id"].isin(dead)]
            ae = k.ae[k.ae["patient_id"].isin(sep["patient_id"]) & (k.ae["term"] == term) &
                      (k.ae["grade"] == grade) & k.ae["attribution"].isin(attrs)]
            return _count(ae["patient_id"].nunique())
        return f
    c["sepsis_death_ards_g4"] = sepsis_death_with("ards", 4, ("probable",))
    c["sepsis_death_neutropenia_g3"] = sepsis_death_with("neutropenia", 3, ("probable",))
    c["sepsis_death_g2_neutropenia"] = sepsis_death_with("neutropenia", 2, D.RELATED)
    return c


_COMPUTE = _computations()


def _t2(key: str) -> Callable[[Cohort], Result] | None:
    parts = key.split("_")
    if parts[0] != "t2":
        return None
    term, grade, what = "_".join(parts[1:-2]), int(parts[-2][1:]), parts[-1]

    def f(k):
        t = k.table2
        n = int(t.xs(term, level="term")[grade].sum()) if term in t.index.get_level_values("term") else 0
        return (_count(n) if what == "n" else _pct(n, k.n))
    return f


def compute(key: str, cohort: Cohort) -> Result:
    """Recompute one published quantity from the tables; KeyError if the key is unknown."""
    f = _COMPUTE.get(key) or _t2(key)
    if f is None:
        raise KeyError(f"no computation registered for published key {key!r}")
    return f(cohort)


def _blank(p) -> bool:
    return p is None or p is pd.NA or (isinstance(p, float) and np.isnan(p)) or str(p) in ("", "<NA>")


def _show(v: list) -> str:
    """'value (low-high)', 'value (up to high)' or 'value'."""
    value, low, high = v
    if low is None and high is None:
        return value
    if low is None:
        return f"{value} (up to {high})"
    return f"{value} ({low}-{high})"


def fidelity_table(path: str | Path | None = None) -> pd.DataFrame:
    """One row per published number: key, quantity, source, paper, ours, match (bool), note."""
    k = Cohort(path)
    rows = []
    for _, r in k.published.iterrows():
        printed = [r["value"], r["low"], r["high"]]
        try:
            ours_raw = compute(r["key"], k)
            error = ""
        except Exception as exc:  # report, never hide
            ours_raw, error = (None, None, None), f"{type(exc).__name__}: {exc}"
        ours, paper = [], []
        for x, p in zip(ours_raw, printed):
            if _blank(p):
                ours.append(None)
                paper.append(None)
                continue
            paper.append(str(p))
            ours.append(format_as_printed(x, str(p), r["rounding"]))
        rows.append(dict(key=r["key"], quantity=r["quantity"], source=r["source"], paper=_show(paper),
                         ours=_show(ours) if not error else error, match=(ours == paper) and not error,
                         rounding=r["rounding"], note=r["note"] if isinstance(r["note"], str) else ""))
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    t = fidelity_table()
    pd.set_option("display.width", 200)
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 60):
        print(t[["quantity", "paper", "ours", "match"]].to_string(index=False))
    bad = t[~t["match"]]
    print(f"\n{len(t) - len(bad)} of {len(t)} published numbers reproduced at the paper's printed precision.")
    if len(bad):
        print("MISMATCH: " + ", ".join(bad["key"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
