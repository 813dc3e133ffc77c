"""The mobilization subgroup of Zent et al. (Cancer 2010): per-patient metrics, definitions, a
measurement-frequency demonstration and a mass-balance model.

The paper's unplanned finding: in 8 of 22 patients the absolute lymphocyte count (ALC) rose while
the clinically measured lymph nodes shrank. The data contract fixes how its figures were computed:

* *first post-treatment ALC*: the first labs row after day 0 that has an ALC;
* *maximum node decrease*: the smallest node burden (SPD, sum over the cervical, axillary and
  inguinal sites of length x width, cm^2) after day 0, relative to day 0;
* *ALC at maximum node decrease*: the labs row on that same day;
* *fold increase*: that ALC over the day-0 ALC.

We add the *recorded ALC peak* (highest ALC after day 0), because the paper's 38.4 x10^9/L and
4.8-fold are values at the time of maximum node decrease, not the peak.

Units: counts x10^9/L, node dimensions cm, SPD cm^2, volumes mL, time in days from registration.
Everything here is for teaching, not for clinical decisions. The patient rows are a
reconstructed, synthetic cohort.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.data import node_burden  # one implementation: SPD per (patient_id, day), column node_spd_cm2

#: Node sites examined clinically (data contract).
SITES = ("cervical", "axillary", "inguinal")

# --------------------------------------------------------------------------------------------
# Sources for the assumptions of the mass-balance model. ``verified`` says whether the figure was
# checked against a retrievable source (title, journal, year, pages) while writing this module.
# --------------------------------------------------------------------------------------------
SOURCES: dict[str, dict[str, object]] = {
    "nadler1962": {
        "citation": "Nadler SB, Hidalgo JH, Bloch T. Prediction of blood volume in normal human "
                    "adults. Surgery. 1962;51(2):224-232.",
        "what": "blood volume (L) from height, weight and sex: men 0.3669 H^3 + 0.03219 W + 0.6041; "
                "women 0.3561 H^3 + 0.03308 W + 0.1833 (H in m, W in kg)",
        "verified": True,
    },
    "delmonte2009": {
        "citation": "Del Monte U. Does the cell number 10(9) still really fit one gram of tumor "
                    "tissue? Cell Cycle. 2009;8(3):505-506. doi:10.4161/cc.8.3.7608",
        "what": "1 cm^3 (about 1 g) of tumour is 'commonly assumed' to hold 1e9 cells; for "
                "epithelial tumours an order of magnitude fewer (1e8) is more realistic",
        "verified": True,
    },
    "everett1964": {
        "citation": "Everett NB, Caffrey RW, Rieke WO. Recirculation of lymphocytes. "
                    "Ann N Y Acad Sci. 1964;113:887-897 (via BioNumbers ID 113198)",
        "what": "nucleated cells per mg wet weight in the rat: mesenteric lymph node 1.1e6, "
                "spleen 2.0e6 (i.e. 1.1e9 and 2.0e9 per g)",
        "verified": True,
    },
    "wodarz2014": {
        "citation": "Wodarz D, et al. Kinetics of CLL cells in tissues and blood during therapy "
                    "with the BTK inhibitor ibrutinib. Blood. 2014;123(26):4132.",
        "what": "under ibrutinib, the cells redistributed into the blood were estimated at "
                "23.3% +/- 17% of the tissue burden; most of the tissue reduction was cell death",
        "verified": True,
    },
    "ellipsoid": {
        "citation": "assumption (geometry, not a clinical source)",
        "what": "a node is an ellipsoid whose third (unmeasured) axis equals the shorter measured one: "
                "V = pi/6 x length x width x width",
        "verified": False,
    },
    "tissue_density": {
        "citation": "assumption",
        "what": "lymphoid tissue weighs about 1 g per mL, so cells per g and cells per mL are used "
                "interchangeably",
        "verified": False,
    },
}

#: Slider ranges of the mass-balance explorer, each tied to a source key of ``SOURCES``.
CELLS_PER_ML_RANGE = (1e8, 2e9)       # delmonte2009 (low), everett1964 (rat spleen, high)
CELLS_PER_ML_DEFAULT = 1e9            # delmonte2009 ("commonly assumed"), everett1964 (1.1e9 rat node)
EGRESS_FRACTION_DEFAULT = 1.0         # upper bound: every lost cell went to the blood (assumption)

# Node-volume shapes: factor f in V = f x length x width x depth, with depth = width.
SHAPES: dict[str, tuple[float, str]] = {
    "ellipsoid": (math.pi / 6, "ellipsoid, third axis = width (assumption)"),
    "cuboid": (1.0, "box length x width x width (upper bound, about 1.9x the ellipsoid)"),
    "flat ellipsoid": (math.pi / 12, "ellipsoid, third axis = width / 2 (flattened node)"),
}


def _check_number(name: str, value: object, *, low: float | None = None, high: float | None = None,
                  low_open: bool = False) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}={value!r} must be a finite number")
    if low is not None and (x < low or (low_open and x == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name}={value!r} is out of range: allowed {op} {low:g}"
                         + (f" and <= {high:g}" if high is not None else ""))
    if high is not None and x > high:
        raise ValueError(f"{name}={value!r} is out of range: allowed <= {high:g}"
                         + (f" and >= {low:g}" if low is not None else ""))
    return x


# ============================================================================================
# 1. Per-patient metrics
# ============================================================================================

def _alc_series(labs: pd.DataFrame) -> pd.DataFrame:
    missing = {"patient_id", "day", "alc"} - set(labs.columns)
    if missing:
        raise ValueError(f"labs: missing column(s) {sorted(missing)}; required: patient_id, day, alc")
    df = labs[["patient_id", "day", "alc"]].copy()
    df["patient_id"] = df["patient_id"].astype(str)
    df["day"] = df["day"].astype(int)
    df["alc"] = pd.to_numeric(df["alc"], errors="raise").astype(float)
    return df.sort_values(["patient_id", "day"]).reset_index(drop=True)


def patient_metrics(labs: pd.DataFrame | None = None, nodes: pd.DataFrame | None = None,
                    patient_ids: Iterable[str] | None = None, *,
                    patients: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per patient with the mobilization quantities defined in the data contract.

    With no ``labs`` and ``nodes`` the shipped cohort is used (``helpers.data.load_labs()`` etc.,
    patients.csv included). ``patient_ids`` restricts and orders the rows (``helpers.fidelity``
    passes the recorded mobilized patients); ``patients`` adds the patient columns. Columns:

    * ``patient_id``; from ``patients``: ``variant``, ``best_response``, ``mobilized_recorded``
      (the dataset's ``mobilized`` column), ``baseline_largest_node_cm``;
    * ``baseline_alc`` (x10^9/L, day 0), ``baseline_alc_gt5`` (ALC > 5 x10^9/L at baseline);
    * ``first_alc``, ``first_alc_day``: the first labs row after day 0 with an ALC;
    * ``spd0_cm2``, ``min_spd_cm2``, ``max_decrease_day`` (first day of the smallest SPD after
      day 0), ``max_node_decrease_pct`` = 100 x (1 - min / baseline) (NaN when the baseline SPD is 0);
    * ``alc_at_max_decrease`` (labs row on that day; NaN if no ALC was recorded then),
      ``fold_rise`` = that / ``baseline_alc``;
    * ``peak_alc``, ``peak_alc_day``, ``peak_fold``: the highest ALC recorded after day 0.

    A patient without a day-0 ALC raises ``ValueError`` (a baseline is required).
    """
    if labs is None and nodes is None:
        from helpers import data
        labs, nodes = data.load_labs(), data.load_nodes()
        patients = data.load_patients() if patients is None else patients
    elif labs is None or nodes is None:
        raise ValueError("patient_metrics: give both labs and nodes, or neither (the shipped cohort)")
    alc = _alc_series(labs)
    spd = node_burden(nodes)

    rows = []
    spd["patient_id"] = spd["patient_id"].astype(str)
    spd = spd.rename(columns={"node_spd_cm2": "spd_cm2"})
    if patient_ids is not None:
        if isinstance(patient_ids, (pd.DataFrame, str)):
            raise ValueError(f"patient_ids={type(patient_ids).__name__}: give a list or Series of patient ids "
                             "(pass the patients table as patients=...)")
        ids = [str(x) for x in patient_ids]
    else:
        ids = sorted(set(alc["patient_id"]) | set(spd["patient_id"]))
        if patients is not None:
            ids = sorted(set(ids) | set(patients["patient_id"].astype(str)))
    # plain numpy per patient (pandas indexing per patient is slow on a shared machine)
    a_pid, a_day, a_val = alc["patient_id"].to_numpy(), alc["day"].to_numpy(), alc["alc"].to_numpy(float)
    s_pid, s_day = spd["patient_id"].to_numpy(), spd["day"].to_numpy().astype(int)
    s_val = spd["spd_cm2"].to_numpy(float)
    for pid in ids:
        am, sm = a_pid == pid, s_pid == pid
        ad, av = a_day[am], a_val[am]
        sd, sv = s_day[sm], s_val[sm]
        row: dict[str, object] = {"patient_id": pid}
        base = av[ad == 0]
        if not len(base) or np.isnan(base[0]):
            raise ValueError(f"patient_id {pid!r}: no day-0 ALC in labs; a baseline ALC is required")
        row["baseline_alc"] = float(base[0])
        post = (ad > 0) & ~np.isnan(av)          # labs are sorted by day
        pd_, pv = ad[post], av[post]
        if len(pv):
            ipk = int(pv.argmax())               # first day of the maximum
            row.update(first_alc=float(pv[0]), first_alc_day=int(pd_[0]),
                       peak_alc=float(pv[ipk]), peak_alc_day=int(pd_[ipk]))
        else:
            row.update(first_alc=np.nan, first_alc_day=pd.NA, peak_alc=np.nan, peak_alc_day=pd.NA)
        s0 = sv[sd == 0]
        spd0 = float(s0[0]) if len(s0) else np.nan
        row["spd0_cm2"] = spd0
        spost = (sd > 0) & ~np.isnan(sv)
        sdp, svp = sd[spost], sv[spost]
        if len(svp):
            order = np.argsort(sdp, kind="stable")
            sdp, svp = sdp[order], svp[order]
            imin = int(svp.argmin())             # first day of the smallest SPD
            dmin, smin = int(sdp[imin]), float(svp[imin])
            same = av[ad == dmin]
            row.update(min_spd_cm2=smin, max_decrease_day=dmin,
                       max_node_decrease_pct=100.0 * (1.0 - smin / spd0) if spd0 > 0 else np.nan,
                       alc_at_max_decrease=float(same[0]) if len(same) and not np.isnan(same[0]) else np.nan)
        else:
            row.update(min_spd_cm2=np.nan, max_decrease_day=pd.NA, max_node_decrease_pct=np.nan,
                       alc_at_max_decrease=np.nan)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["baseline_alc_gt5"] = out["baseline_alc"] > 5.0
    out["fold_rise"] = out["alc_at_max_decrease"] / out["baseline_alc"]
    out["peak_fold"] = out["peak_alc"] / out["baseline_alc"]
    for col in ("first_alc_day", "peak_alc_day", "max_decrease_day"):
        out[col] = out[col].astype("Int64")
    if patients is not None:
        p = patients.copy()
        p["patient_id"] = p["patient_id"].astype(str)
        keep = {"variant": "variant", "best_response": "best_response", "mobilized": "mobilized_recorded",
                "largest_node_cm": "baseline_largest_node_cm"}
        cols = [c for c in keep if c in p.columns]
        out = out.merge(p[["patient_id", *cols]].rename(columns=keep), on="patient_id", how="left")
        for c in ("variant", "best_response"):
            if c in out.columns:
                out[c] = out[c].astype(str)
        if "mobilized_recorded" in out.columns:
            out["mobilized_recorded"] = out["mobilized_recorded"].astype(bool)
    order = ["patient_id", "variant", "best_response", "mobilized_recorded", "baseline_largest_node_cm",
             "baseline_alc", "baseline_alc_gt5", "first_alc", "first_alc_day", "spd0_cm2", "min_spd_cm2",
             "max_decrease_day", "max_node_decrease_pct", "alc_at_max_decrease", "fold_rise",
             "peak_alc", "peak_alc_day", "peak_fold"]
    return out[[c for c in order if c in out.columns]].reset_index(drop=True)


# ============================================================================================
# 2. What counts as mobilization: the definition explorer's pure function
# ============================================================================================

#: The operational definition the cohort is built to (ours, documented in datasets/README.md; the
#: paper states none): at the time of the maximum node decrease, the ALC is at least
#: ``ALC_FOLD_MIN`` times baseline and the node burden (SPD) at least ``NODE_DECREASE_MIN_PCT`` %
#: below baseline.
ALC_FOLD_MIN = 1.5
NODE_DECREASE_MIN_PCT = 30.0
#: Names used by the cohort's first version (kept so older callers work).
DEFAULT_MIN_FOLD = ALC_FOLD_MIN
DEFAULT_MIN_NODE_DECREASE_PCT = NODE_DECREASE_MIN_PCT


def classify_mobilized(metrics: pd.DataFrame, alc_fold_min: float = ALC_FOLD_MIN,
                       node_decrease_min_pct: float = NODE_DECREASE_MIN_PCT,
                       window_days: float | None = None) -> pd.DataFrame:
    """Who counts as mobilized under a definition (pure; the definition explorer calls it).

    A patient is mobilized when, at the time of the maximum node decrease (``patient_metrics``),
    the ALC fold rise over baseline is >= ``alc_fold_min`` (dimensionless, > 0) and the node burden
    fell by >= ``node_decrease_min_pct`` % (0-100); with ``window_days`` (days, > 0), that maximum
    node decrease must also come on or before day ``window_days``. A patient without an ALC on
    that day, or without measurable nodes at baseline, never counts.

    Returns a copy of ``metrics`` with boolean columns ``meets_alc``, ``meets_nodes``,
    ``in_window`` and ``mobilized``.
    """
    fold = _check_number("alc_fold_min", alc_fold_min, low=0.0, high=1000.0, low_open=True)
    pct = _check_number("node_decrease_min_pct", node_decrease_min_pct, low=0.0, high=100.0)
    if window_days is not None:
        window = _check_number("window_days", window_days, low=0.0, low_open=True)
    need = {"fold_rise", "max_node_decrease_pct", "max_decrease_day"}
    missing = need - set(metrics.columns)
    if missing:
        raise ValueError(f"metrics: missing column(s) {sorted(missing)}; pass the frame "
                         "returned by patient_metrics()")
    out = metrics.copy()
    out["meets_alc"] = (out["fold_rise"] >= fold).fillna(False).astype(bool)
    out["meets_nodes"] = (out["max_node_decrease_pct"] >= pct).fillna(False).astype(bool)
    if window_days is None:
        out["in_window"] = out["max_decrease_day"].notna().astype(bool)
    else:
        out["in_window"] = (out["max_decrease_day"].astype("Float64") <= window).fillna(False).astype(bool)
    out["mobilized"] = out["meets_alc"] & out["meets_nodes"] & out["in_window"]
    return out


def is_mobilized(metrics: pd.DataFrame, min_fold: float = ALC_FOLD_MIN,
                 min_node_decrease_pct: float = NODE_DECREASE_MIN_PCT) -> pd.Series:
    """Boolean Series: the default definition (``classify_mobilized`` without a window)."""
    return classify_mobilized(metrics, min_fold, min_node_decrease_pct)["mobilized"]


def mobilized_ids(metrics: pd.DataFrame, **definition: float | None) -> list[str]:
    """Patient ids counted as mobilized by ``classify_mobilized(metrics, **definition)``."""
    c = classify_mobilized(metrics, **definition)
    return c.loc[c["mobilized"], "patient_id"].astype(str).tolist()


# ============================================================================================
# 3. The subgroup summary beside the paper's numbers
# ============================================================================================

@dataclass(frozen=True)
class Stat:
    """One summary number of the subgroup: value and, for medians, the range."""
    key: str
    label: str
    value: float
    low: float | None = None
    high: float | None = None
    unit: str = ""


def _median_range(s: pd.Series) -> tuple[float, float, float]:
    s = pd.to_numeric(s, errors="coerce").dropna().astype(float)
    if s.empty:
        return (np.nan, np.nan, np.nan)
    return (float(s.median()), float(s.min()), float(s.max()))


def subgroup_stats(metrics: pd.DataFrame, mobilized: pd.Series | None = None) -> list[Stat]:
    """The paper's mobilization numbers, computed from per-patient ``metrics``.

    ``mobilized`` (boolean, aligned with ``metrics``) defaults to the dataset's recorded flag
    ``mobilized_recorded``. Counts are numbers of patients; ALC x10^9/L; days from registration;
    node decrease in % of the baseline SPD; fold dimensionless.
    """
    if mobilized is None:
        if "mobilized_recorded" not in metrics.columns:
            raise ValueError("metrics: no 'mobilized_recorded' column; pass mobilized= explicitly")
        mobilized = metrics["mobilized_recorded"]
    mob = metrics[mobilized.astype(bool).to_numpy()]
    n_all, n_mob = len(metrics), len(mob)
    hi = metrics["baseline_alc"] > 5.0
    k_hi, k_lo = int((mob["baseline_alc"] > 5.0).sum()), int((mob["baseline_alc"] <= 5.0).sum())

    def pct(k: int, n: int) -> float:
        return 100.0 * k / n if n else np.nan

    stats: list[Stat] = [
        Stat("n_mobilized", "mobilized patients", n_mob, unit="patients"),
        Stat("pct_mobilized", f"mobilized, % of all {n_all}", pct(n_mob, n_all), unit="%"),
        Stat("n_alc_gt5", "baseline ALC > 5: all patients", int(hi.sum()), unit="patients"),
        Stat("mob_alc_gt5", "baseline ALC > 5: mobilized", k_hi, unit="patients"),
        Stat("mob_alc_gt5_pct", "baseline ALC > 5: mobilized, %", pct(k_hi, int(hi.sum())), unit="%"),
        Stat("n_alc_le5", "baseline ALC <= 5: all patients", int((~hi).sum()), unit="patients"),
        Stat("mob_alc_le5", "baseline ALC <= 5: mobilized", k_lo, unit="patients"),
        Stat("mob_alc_le5_pct", "baseline ALC <= 5: mobilized, %", pct(k_lo, int((~hi).sum())), unit="%"),
    ]
    if "baseline_largest_node_cm" in mob.columns:
        big = int((mob["baseline_largest_node_cm"] >= 5.0).sum())
        stats.append(Stat("mob_node_ge5", "mobilized with a node >= 5 cm at baseline", big, unit="patients"))
        stats.append(Stat("mob_node_ge5_pct", "mobilized with a node >= 5 cm, % of mobilized",
                          pct(big, n_mob), unit="%"))
        # measurable as the Methods define it: a lesion with greatest dimension > 2 cm
        stats.append(Stat("mob_measurable_nodes", "mobilized with measurable nodes (> 2 cm) at baseline",
                          int((mob["baseline_largest_node_cm"] > 2.0).sum()), unit="patients"))
    if "variant" in mob.columns:
        stats.append(Stat("mob_cll", "mobilized with the CLL variant", int((mob["variant"] == "CLL").sum()),
                          unit="patients"))
    if "best_response" in mob.columns:
        for resp in ("PR", "SD", "PD", "NE"):
            stats.append(Stat(f"mob_{resp.lower()}", f"mobilized with best response {resp}",
                              int((mob["best_response"] == resp).sum()), unit="patients"))
        if "variant" in mob.columns:
            stats.append(Stat("mob_pr_sll", "mobilized PRs with the SLL variant",
                              int(((mob["best_response"] == "PR") & (mob["variant"] == "SLL")).sum()),
                              unit="patients"))
    for key, col, label, unit in (
        ("baseline_alc", "baseline_alc", "baseline ALC", "x10^9/L"),
        ("first_alc", "first_alc", "first post-treatment ALC", "x10^9/L"),
        ("first_alc_day", "first_alc_day", "day of first post-treatment ALC", "days"),
        ("node_decrease", "max_node_decrease_pct", "maximum node decrease", "%"),
        ("node_decrease_abstract", "max_node_decrease_pct", "maximum node decrease (Abstract)", "%"),
        ("fold_rise", "fold_rise", "ALC fold rise at maximum node decrease", "fold"),
        ("alc_at_max", "alc_at_max_decrease", "ALC at maximum node decrease", "x10^9/L"),
        ("max_decrease_day", "max_decrease_day", "day of maximum node decrease", "days"),
        ("peak_alc", "peak_alc", "recorded ALC peak (not in the paper)", "x10^9/L"),
        ("peak_fold", "peak_fold", "fold rise at the recorded peak (not in the paper)", "fold"),
    ):
        med, lo, hi_ = _median_range(mob[col])
        stats.append(Stat(key, label, med, lo, hi_, unit))
    return stats


def subgroup_summary(metrics: pd.DataFrame | None = None, mobilized: pd.Series | None = None,
                     with_paper: bool = True) -> pd.DataFrame:
    """Tidy frame of the subgroup numbers: ``key, label, unit, value, low, high``.

    ``metrics`` defaults to ``patient_metrics()`` of the shipped cohort. With ``with_paper`` the
    paper's printed values are joined from ``helpers.data.load_published()`` as ``paper_key,
    paper_value, paper_low, paper_high, paper_rounding`` (strings as printed; empty for rows the
    paper does not print; see ``PUBLISHED_KEYS``).
    """
    if metrics is None:
        metrics = patient_metrics()
    df = pd.DataFrame([s.__dict__ for s in subgroup_stats(metrics, mobilized)])
    if with_paper:
        df = _join_published(df)
    return df


#: Our summary keys -> the ``key`` of datasets/published_numbers.csv.
PUBLISHED_KEYS: dict[str, str] = {
    "n_mobilized": "mob_n",
    "pct_mobilized": "mob_pct",
    "n_alc_gt5": "t1_alc_gt5_n",
    "n_alc_le5": "t1_alc_le5_n",
    "mob_alc_gt5": "mob_alc_gt5_n",
    "mob_alc_gt5_pct": "mob_alc_gt5_pct",
    "mob_alc_le5": "mob_alc_le5_n",
    "mob_alc_le5_pct": "mob_alc_le5_pct",
    "mob_node_ge5": "mob_node5_n",
    "mob_node_ge5_pct": "mob_node5_pct",
    "mob_cll": "mob_cll_n",
    "node_decrease_abstract": "mob_node_decrease_abstract",
    "mob_measurable_nodes": "mob_measurable_n",
    "mob_pr": "mob_pr", "mob_sd": "mob_sd", "mob_pd": "mob_pd", "mob_ne": "mob_ne",
    "mob_pr_sll": "mob_pr_sll",
    "baseline_alc": "mob_base_alc",
    "first_alc": "mob_first_alc",
    "first_alc_day": "mob_first_alc_day",
    "node_decrease": "mob_node_decrease",
    "fold_rise": "mob_fold",
    "alc_at_max": "mob_alc_at_max",
    "max_decrease_day": "mob_max_day",
}


def _join_published(df: pd.DataFrame) -> pd.DataFrame:
    """Add the paper's printed values (strings exactly as printed) from ``load_published()``."""
    from helpers import data
    pub = data.load_published().set_index("key")
    out = df.copy()
    for col in ("paper_key", "paper_value", "paper_low", "paper_high", "paper_rounding"):
        out[col] = ""
    for i, key in out["key"].items():
        q = PUBLISHED_KEYS.get(key)
        if q is None or q not in pub.index:
            continue
        r = pub.loc[q]
        out.at[i, "paper_key"] = q
        for src, dst in (("value", "paper_value"), ("low", "paper_low"), ("high", "paper_high"),
                         ("rounding", "paper_rounding")):
            v = r[src]
            out.at[i, dst] = "" if pd.isna(v) else str(v)
    return out


def _printed(value: float, like: str, truncate: bool = False) -> str:
    """``value`` formatted with as many decimals as the printed string ``like`` has."""
    d = len(like.split(".")[1]) if "." in like else 0
    if truncate:
        value = math.floor(value * 10 ** d + 1e-9) / 10 ** d
    return f"{value:.{d}f}"


def paper_comparison(summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ours beside the paper at the paper's printed precision, one row per number.

    Columns: ``key`` (published_numbers.csv key), ``label``, ``unit``, ``ours`` and ``paper``
    (strings; a median as "7.1 (0.7-101.2)"), ``match`` (the strings are equal). Rows we compute
    that the paper does not print are left out (see ``subgroup_summary``).
    """
    summary = subgroup_summary() if summary is None else summary
    rows = []
    for _, r in summary.iterrows():
        if not r.get("paper_key"):
            continue
        trunc = r["paper_rounding"] == "truncate"
        ours = _printed(float(r["value"]), r["paper_value"], trunc)
        paper = r["paper_value"]
        if r["paper_low"]:
            ours += f" ({_printed(float(r['low']), r['paper_low'])}-{_printed(float(r['high']), r['paper_high'])})"
            paper += f" ({r['paper_low']}-{r['paper_high']})"
        rows.append({"key": r["paper_key"], "label": r["label"], "unit": r["unit"], "ours": ours,
                     "paper": paper, "match": ours == paper})
    return pd.DataFrame(rows)


def format_subgroup_comparison(summary: pd.DataFrame | None = None) -> list[str]:
    """Printable lines of ``paper_comparison``: label, unit, ours, paper, and "ok" or "DIFFERS"."""
    comp = paper_comparison(summary)
    width = int(comp["label"].str.len().max()) if len(comp) else 10
    return [f"{r['label']:<{width}}  {r['unit']:<8} ours {r['ours']:<18} paper {r['paper']:<18} "
            f"{'ok' if r['match'] else 'DIFFERS'}" for _, r in comp.iterrows()]


# ============================================================================================
# 4. Measurement frequency: how much of a peak does a coarse schedule miss?
# ============================================================================================

TRAJECTORY_SHAPES = {
    "rise_fall": "ALC(t) = b [1 + (F-1) (t/tp) exp(1 - t/tp)]: rises to F x baseline at day tp, then "
                 "falls back (a gamma-variate bump; an assumption, not a measured curve)",
    "rise_plateau": "ALC(t) = b [1 + (F-1)(1 - exp(-3 t/tp))]: rises to 95% of the plateau F x "
                    "baseline by day tp and stays there (an assumption)",
}


@dataclass
class SampledTrajectory:
    """A smooth ALC curve (daily) and what two sampling schedules see of it."""
    shape: str
    curve: pd.DataFrame          # day, alc
    samples: pd.DataFrame        # schedule, interval_days, day, alc
    summary: pd.DataFrame        # schedule, interval_days, n_samples, seen_peak, seen_peak_day, true_peak,
                                 # true_peak_day, pct_of_peak_seen, pct_of_rise_missed,
                                 # first_day_seen_90pct (first sample at >= 90% of the rise), true_day_90pct


def trajectory(days: np.ndarray, shape: str = "rise_fall", baseline_alc: float = 7.1,
               peak_fold: float = 4.8, peak_day: float = 14.0) -> np.ndarray:
    """ALC (x10^9/L) of the smooth assumed curve ``shape`` (see ``TRAJECTORY_SHAPES``) at ``days``."""
    if shape not in TRAJECTORY_SHAPES:
        raise ValueError(f"shape={shape!r} is not allowed; choose one of {sorted(TRAJECTORY_SHAPES)}")
    b = _check_number("baseline_alc", baseline_alc, low=0.0, high=1000.0, low_open=True)
    f = _check_number("peak_fold", peak_fold, low=1.0, high=1000.0)
    tp = _check_number("peak_day", peak_day, low=0.0, high=3650.0, low_open=True)
    t = np.clip(np.asarray(days, dtype=float), 0.0, None)
    if shape == "rise_fall":
        bump = (t / tp) * np.exp(1.0 - t / tp)
    else:
        bump = 1.0 - np.exp(-3.0 * t / tp)
    return b * (1.0 + (f - 1.0) * bump)


def trajectory_defaults(metrics: pd.DataFrame | None = None,
                        mobilized: pd.Series | None = None) -> dict[str, float]:
    """Height of the assumed curve of section 6 taken from the cohort, not typed.

    ``baseline_alc``: median day-0 ALC (x10^9/L) of the mobilized patients; ``peak_fold``: their
    median fold rise at the maximum node decrease. ``mobilized`` defaults to the column
    ``mobilized_recorded`` of ``metrics`` (``patient_metrics()`` of the cohort if None).
    """
    if metrics is None:
        metrics = patient_metrics()
    if mobilized is None:
        if "mobilized_recorded" not in metrics.columns:
            raise ValueError("metrics: no 'mobilized_recorded' column; pass mobilized= explicitly")
        mobilized = metrics["mobilized_recorded"]
    sub = metrics.loc[np.asarray(mobilized, dtype=bool)]
    if sub.empty:
        raise ValueError("mobilized: no patient is mobilized; allowed: at least one True value")
    return {"baseline_alc": float(sub["baseline_alc"].astype(float).median()),
            "peak_fold": float(sub["fold_rise"].astype(float).median()),
            "n_patients": int(len(sub))}


def sample_trajectory(shape: str = "rise_fall", baseline_alc: float = 7.1, peak_fold: float = 4.8,
                      peak_day: float = 14.0, horizon_days: int = 112,
                      intervals_days: Sequence[int] = (7, 28), offset_days: int = 0) -> SampledTrajectory:
    """Sample an assumed smooth ALC trajectory on coarse and fine schedules.

    The curve (``TRAJECTORY_SHAPES``; its shape is an assumption, not data) starts at
    ``baseline_alc`` (x10^9/L) and reaches ``peak_fold`` x baseline at ``peak_day`` (days). Each
    schedule samples on days 0, offset + k, offset + 2k, ... up to ``horizon_days`` (k in
    ``intervals_days``; 7 = weekly, 28 = once per 28-day cycle). The summary says, per schedule,
    the highest value seen, its day, the percentage of the true peak seen and the percentage of
    the rise (peak - baseline) that the schedule misses, and the first sampled day at which 90% of
    the rise is seen (``<NA>`` if never) beside the true day the curve gets there.
    """
    horizon = int(_check_number("horizon_days", horizon_days, low=1.0, high=3650.0))
    off = int(_check_number("offset_days", offset_days, low=0.0, high=3650.0))
    intervals = list(intervals_days)
    if not intervals:
        raise ValueError("intervals_days=() is empty; give at least one sampling interval in days")
    for k in intervals:
        _check_number("intervals_days", k, low=1.0, high=3650.0)
    days = np.arange(0, horizon + 1)
    alc = trajectory(days, shape, baseline_alc, peak_fold, peak_day)
    curve = pd.DataFrame({"day": days, "alc": alc})
    ipk = int(np.argmax(alc))
    true_peak, true_day = float(alc[ipk]), int(days[ipk])
    base = float(alc[0])
    srows, rows = [], []
    for k in intervals:
        k = int(k)
        name = "weekly" if k == 7 else ("once per 28-day cycle" if k == 28 else f"every {k} days")
        sdays = np.unique(np.concatenate([[0], np.arange(off if off > 0 else k, horizon + 1, k)]))
        sdays = sdays[sdays <= horizon]
        salc = trajectory(sdays, shape, baseline_alc, peak_fold, peak_day)
        for d, v in zip(sdays, salc):
            srows.append({"schedule": name, "interval_days": k, "day": int(d), "alc": float(v)})
        j = int(np.argmax(salc))
        seen = float(salc[j])
        rise = true_peak - base
        level = base + 0.9 * rise
        hit = sdays[salc >= level - 1e-12]
        rows.append({"schedule": name, "interval_days": k, "n_samples": len(sdays),
                     "seen_peak": seen, "seen_peak_day": int(sdays[j]), "true_peak": true_peak,
                     "true_peak_day": true_day, "pct_of_peak_seen": 100.0 * seen / true_peak,
                     "pct_of_rise_missed": 100.0 * (true_peak - seen) / rise if rise > 0 else 0.0,
                     "first_day_seen_90pct": int(hit[0]) if len(hit) else pd.NA,
                     "true_day_90pct": int(days[np.argmax(alc >= level - 1e-12)])})
    return SampledTrajectory(shape, curve, pd.DataFrame(srows), pd.DataFrame(rows))


# ============================================================================================
# 5. Mass balance: can the shrinkage of the measured nodes supply the cells in the blood?
# ============================================================================================

def nadler_blood_volume_l(height_cm: float, weight_kg: float, sex: str) -> float:
    """Blood volume (L) by Nadler's formula (Nadler, Hidalgo, Bloch. Surgery 1962;51:224-232).

    Men: 0.3669 H^3 + 0.03219 W + 0.6041; women: 0.3561 H^3 + 0.03308 W + 0.1833, with H the
    height in metres and W the weight in kg. Derived in healthy adults; ``height_cm`` must lie in
    120-230 and ``weight_kg`` in 30-250 (outside that the regression is an extrapolation).
    """
    h = _check_number("height_cm", height_cm, low=120.0, high=230.0) / 100.0
    w = _check_number("weight_kg", weight_kg, low=30.0, high=250.0)
    s = str(sex).strip().upper()[:1]
    if s == "M":
        return 0.3669 * h ** 3 + 0.03219 * w + 0.6041
    if s == "F":
        return 0.3561 * h ** 3 + 0.03308 * w + 0.1833
    raise ValueError(f"sex={sex!r} is not allowed; use 'M' or 'F'")


#: Blood-volume slider range: Nadler's formula at the extremes of adult body size used as limits
#: (a 150 cm, 45 kg woman and a 195 cm, 130 kg man), rounded outwards.
BLOOD_VOLUME_RANGE_L = (round(nadler_blood_volume_l(150, 45, "F"), 1) - 0.1,
                        round(nadler_blood_volume_l(195, 130, "M"), 1) + 0.1)


def node_volume_ml(length_cm: float, width_cm: float, shape: str = "ellipsoid") -> float:
    """Volume (mL = cm^3) of a node measured as ``length_cm`` x ``width_cm`` on examination.

    The third, unmeasured axis is taken equal to the width (the shorter measured dimension);
    ``shape`` picks the solid (``SHAPES``): ``ellipsoid`` (pi/6 L W W, the default assumption),
    ``cuboid`` (L W W, an upper bound) or ``flat ellipsoid`` (third axis = width / 2).
    """
    if shape not in SHAPES:
        raise ValueError(f"shape={shape!r} is not allowed; choose one of {sorted(SHAPES)}")
    length = _check_number("length_cm", length_cm, low=0.0, high=50.0)
    width = _check_number("width_cm", width_cm, low=0.0, high=50.0)
    if width > length:
        length, width = width, length  # the shorter dimension sets the depth
    return SHAPES[shape][0] * length * width * width


@dataclass
class MassBalance:
    """Result of ``mass_balance``. Volumes mL; cells x10^9; ALC x10^9/L."""
    volume_before_ml: float
    volume_after_ml: float
    volume_lost_ml: float
    cells_released_1e9: float
    blood_volume_l: float
    implied_alc_rise: float
    observed_alc_rise: float | None = None
    pct_of_observed_explained: float | None = None
    tissue_needed_ml: float | None = None
    messages: list[str] = field(default_factory=list)

    def as_frame(self) -> pd.DataFrame:
        """Two-column table (quantity, value) for display."""
        rows = [
            ("volume of measured nodes before (mL)", self.volume_before_ml),
            ("volume of measured nodes after (mL)", self.volume_after_ml),
            ("volume lost (mL)", self.volume_lost_ml),
            ("cells released to blood (x10^9)", self.cells_released_1e9),
            ("blood volume (L)", self.blood_volume_l),
            ("implied ALC rise (x10^9/L)", self.implied_alc_rise),
        ]
        if self.observed_alc_rise is not None:
            rows += [("observed ALC rise (x10^9/L)", self.observed_alc_rise),
                     ("% of observed rise explained", self.pct_of_observed_explained),
                     ("tissue that must have emptied (mL)", self.tissue_needed_ml)]
        return pd.DataFrame(rows, columns=["quantity", "value"])


def _dims_rows(node_dims_cm: object) -> list[tuple[float, float, float, float]]:
    if isinstance(node_dims_cm, pd.DataFrame):
        cols = ["length0_cm", "width0_cm", "length1_cm", "width1_cm"]
        missing = set(cols) - set(node_dims_cm.columns)
        if missing:
            raise ValueError(f"node_dims_cm: missing column(s) {sorted(missing)}; required: {cols}")
        items: Iterable = node_dims_cm[cols].itertuples(index=False, name=None)
    elif isinstance(node_dims_cm, Iterable) and not isinstance(node_dims_cm, (str, bytes)):
        items = node_dims_cm
    else:
        raise ValueError(f"node_dims_cm={node_dims_cm!r} must be rows of (length_before, width_before, "
                         "length_after, width_after) in cm")
    rows = []
    for i, r in enumerate(items):
        try:
            vals = tuple(r)  # type: ignore[arg-type]
        except TypeError:
            raise ValueError(f"node_dims_cm row {i}={r!r} must have 4 numbers (cm)") from None
        if len(vals) != 4:
            raise ValueError(f"node_dims_cm row {i}={r!r} has {len(vals)} numbers; 4 are required: "
                             "length_before, width_before, length_after, width_after (cm)")
        names = ("length_before_cm", "width_before_cm", "length_after_cm", "width_after_cm")
        rows.append(tuple(_check_number(f"node_dims_cm row {i} {n}", v, low=0.0, high=50.0)
                          for n, v in zip(names, vals)))
    if not rows:
        raise ValueError("node_dims_cm is empty; give at least one node as (length_before, width_before, "
                         "length_after, width_after) in cm")
    return rows  # type: ignore[return-value]


def mass_balance(node_dims_cm: object, cells_per_ml: float = CELLS_PER_ML_DEFAULT,
                 blood_volume_l: float = 5.0, shape: str = "ellipsoid",
                 egress_fraction: float = EGRESS_FRACTION_DEFAULT,
                 observed_alc_rise: float | None = None) -> MassBalance:
    """ALC rise (x10^9/L) implied by the shrinkage of the clinically measured nodes.

    ``node_dims_cm``: rows ``(length_before, width_before, length_after, width_after)`` in cm, one
    per measured node (or a frame with ``length0_cm, width0_cm, length1_cm, width1_cm``). Node
    volume follows ``node_volume_ml(shape=...)``; ``cells_per_ml`` (cells per mL of node tissue,
    1e8-2e9 from ``SOURCES`` delmonte2009/everett1964; default 1e9) turns lost volume into cells;
    ``egress_fraction`` (0-1, assumption) is the share of the lost cells that entered the blood
    rather than died (Wodarz 2014 estimated about a quarter under ibrutinib); ``blood_volume_l``
    (L, e.g. ``nadler_blood_volume_l``) dilutes them. Blood-tissue recirculation and cell death
    in the blood are ignored: the result is an order-of-magnitude check, not a measurement.

    With ``observed_alc_rise`` (x10^9/L) the result also gives the percentage of it the measured
    nodes explain and the tissue volume that must have emptied to supply it at that density.
    """
    dims = _dims_rows(node_dims_cm)
    density = _check_number("cells_per_ml", cells_per_ml, low=1e6, high=1e10)
    bv = _check_number("blood_volume_l", blood_volume_l, low=0.5, high=15.0)
    egress = _check_number("egress_fraction", egress_fraction, low=0.0, high=1.0)
    if shape not in SHAPES:
        raise ValueError(f"shape={shape!r} is not allowed; choose one of {sorted(SHAPES)}")
    before = sum(node_volume_ml(l0, w0, shape) for l0, w0, _, _ in dims)
    after = sum(node_volume_ml(l1, w1, shape) for _, _, l1, w1 in dims)
    lost = before - after
    messages: list[str] = []
    if lost <= 0:
        messages.append("The measured nodes did not shrink (volume lost <= 0): shrinkage releases no "
                        "cells in this model.")
    cells = max(lost, 0.0) * density * egress / 1e9  # x10^9 cells
    if egress == 0:
        messages.append("egress_fraction = 0: every lost cell is assumed to have died in place, so "
                        "none reaches the blood.")
    implied = cells / bv  # x10^9 per L
    result = MassBalance(before, after, lost, cells, bv, implied, messages=messages)
    if observed_alc_rise is not None:
        obs = _check_number("observed_alc_rise", observed_alc_rise, low=-1e4, high=1e4)
        result.observed_alc_rise = obs
        if obs > 0:
            result.pct_of_observed_explained = 100.0 * implied / obs
            result.tissue_needed_ml = obs * bv * 1e9 / (density * egress) if egress > 0 else math.inf
        else:
            messages.append("The observed ALC did not rise: there is nothing for the nodes to explain.")
    return result


def patient_mass_balance_inputs(patient_id: str, nodes: pd.DataFrame | None = None,
                                metrics: pd.DataFrame | None = None,
                                patients: pd.DataFrame | None = None) -> dict[str, object]:
    """Inputs of ``mass_balance`` for one patient of the cohort.

    Node dimensions at day 0 and at the day of maximum node decrease (per site), the observed ALC
    rise there (x10^9/L), and the Nadler blood volume from ``height_cm``, ``weight_kg``, ``sex`` of
    patients.csv (``None`` if those columns are absent).
    """
    if nodes is None or metrics is None or patients is None:
        from helpers import data
        nodes = data.load_nodes() if nodes is None else nodes
        patients = data.load_patients() if patients is None else patients
        metrics = patient_metrics(patients=patients) if metrics is None else metrics
    pid = str(patient_id)
    m = metrics[metrics["patient_id"].astype(str) == pid]
    if m.empty:
        raise ValueError(f"patient_id={patient_id!r} is not in the cohort; allowed: "
                         f"{', '.join(metrics['patient_id'].astype(str))}")
    m = m.iloc[0]
    day = m["max_decrease_day"]
    if pd.isna(day):
        raise ValueError(f"patient_id={patient_id!r} has no node examination after day 0")
    n = nodes[nodes["patient_id"].astype(str) == pid]
    n0 = n[n["day"] == 0].set_index("site")[["length_cm", "width_cm"]]
    n1 = n[n["day"] == int(day)].set_index("site")[["length_cm", "width_cm"]]
    dims = n0.join(n1, lsuffix="0", rsuffix="1", how="outer").fillna(0.0)
    dims = dims.rename(columns={"length_cm0": "length0_cm", "width_cm0": "width0_cm",
                                "length_cm1": "length1_cm", "width_cm1": "width1_cm"})
    bv = None
    p = patients[patients["patient_id"].astype(str) == pid]
    if {"height_cm", "weight_kg", "sex"} <= set(p.columns) and not p.empty:
        r = p.iloc[0]
        bv = nadler_blood_volume_l(float(r["height_cm"]), float(r["weight_kg"]), str(r["sex"]))
    return {"node_dims_cm": dims.reset_index(), "day": int(day),
            "observed_alc_rise": float(m["alc_at_max_decrease"] - m["baseline_alc"]),
            "blood_volume_l": bv}
