"""Figures shared by notebooks and explorers: pure functions that return a matplotlib Figure.

They build figures with ``matplotlib.figure.Figure`` (no pyplot state), so a widget callback can
redraw without leaking figures, and a notebook cell shows the returned figure once. Each
notebook's figures live in their own section below.

For teaching only, not clinical decisions.
"""
from __future__ import annotations

# =============================================================================================
# Notebook 01 - trial design (owner: design branch): Simon designs, OC curves, CI coverage
# =============================================================================================
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from helpers.design import SimonDesign, SimonResult

#: colours of the three kinds of design (colour-blind-safe "colorblind" palette of seaborn)
DESIGN_COLOURS = {"optimal": "#0173b2", "minimax": "#de8f05", "admissible": "#029e73"}
DESIGN_STYLES = {"optimal": "-", "minimax": "--", "admissible": ":"}


def design_curves(result: SimonResult, ps: np.ndarray | None = None) -> pd.DataFrame:
    """Long table of operating characteristics for every design on the hull of ``result``.

    Columns: ``design`` (e.g. "optimal 3/17, 10/37"), ``kind``, ``p`` (true response rate,
    proportion), ``P(promising)``, ``PET`` (probability of stopping after stage 1), ``EN``
    (expected number of patients). Suitable for ``seaborn.lineplot(..., hue="design")``.
    """
    from helpers.design import operating_characteristics

    ps = np.linspace(0.0, 1.0, 101) if ps is None else np.asarray(ps, dtype=float)
    frames = []
    for h in result.hull:
        oc = operating_characteristics(h.design, ps)
        frames.append(pd.DataFrame({
            "design": f"{h.kind} {h.design.label()}", "kind": h.kind, "p": ps,
            "P(promising)": oc.prob_promising, "PET": oc.pet, "EN": oc.en}))
    return pd.concat(frames, ignore_index=True)


def design_figure(result: SimonResult, ps: np.ndarray | None = None,
                  figsize: tuple[float, float] = (11.0, 3.4)) -> Figure:
    """Three panels for a Simon design search: OC curves, expected size, EN0 against n.

    (a) probability of declaring the drug promising against the true response rate, with p0,
    p1 and the target alpha / power marked; (b) expected number of patients and probability of
    early termination; (c) the best EN0 for each maximum size n (clinfun's plot), with the
    minimax, admissible and optimal designs marked. Plain matplotlib (fast enough for a slider).
    """
    from matplotlib.figure import Figure

    curves = design_curves(result, ps)
    fig = Figure(figsize=figsize)  # fixed margins: constrained layout costs ~0.5 s per draw
    fig.subplots_adjust(left=0.06, right=0.985, bottom=0.15, top=0.9, wspace=0.5)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for (label, kind), g in curves.groupby(["design", "kind"], sort=False):
        c, ls = DESIGN_COLOURS[kind], DESIGN_STYLES[kind]
        ax1.plot(g["p"], g["P(promising)"], color=c, ls=ls, label=label)
        ax2.plot(g["p"], g["EN"], color=c, ls=ls, label=label)
    for ax in (ax1, ax2):
        for x in (result.p0, result.p1):
            ax.axvline(x, color="0.6", lw=0.8)
        ax.set_xlabel("true response rate p")
        ax.set_xlim(0, 1)
    ax1.axhline(result.alpha_target, color="0.6", lw=0.8, ls="--")
    ax1.axhline(1 - result.beta_target, color="0.6", lw=0.8, ls="--")
    ax1.set_ylabel("P(declared promising)")
    ax1.set_ylim(0, 1)
    ax1.set_title(f"(a) OC: p0={result.p0:g}, p1={result.p1:g}", fontsize=10)
    ax1.legend(fontsize=7, loc="lower right")
    ax2.set_ylabel("expected number of patients")
    ax2.set_title("(b) expected size; PET on right axis", fontsize=10)
    twin = ax2.twinx()
    for (label, kind), g in curves.groupby(["design", "kind"], sort=False):
        twin.plot(g["p"], g["PET"], color=DESIGN_COLOURS[kind], lw=0.8, alpha=0.5,
                  ls=DESIGN_STYLES[kind])
    twin.set_ylim(0, 1)
    twin.set_ylabel("PET (faint lines)", fontsize=8)
    by_n = result.by_n
    last = int(by_n["n"].searchsorted(result.optimal.n)) + 6
    shown = by_n.iloc[:last]
    ax3.plot(shown["n"], shown["EN0"], color="0.4", marker=".", lw=1)
    ax3.plot([h.design.n for h in result.hull], [h.design.en0 for h in result.hull], color="0.2",
             ls="--", lw=0.8, label="lower convex hull")
    for h in result.hull:
        ax3.plot([h.design.n], [h.design.en0], "o", color=DESIGN_COLOURS[h.kind], ms=7,
                 label=f"{h.kind} {h.design.label()}")
    ax3.set_xlabel("maximum number of patients n")
    ax3.set_ylabel("EN0 (expected size under p0)")
    ax3.set_title("(c) best EN0 for each n", fontsize=10)
    ax3.legend(fontsize=7)
    return fig


def coverage_figure(n: int, methods: tuple[str, ...] = ("exact", "wilson", "jeffreys", "wald"),
                    level: float = 0.95, ps: np.ndarray | None = None,
                    figsize: tuple[float, float] = (8.0, 3.6)) -> Figure:
    """Exact coverage (by enumeration) of binomial interval methods across true rates, size n."""
    from matplotlib.figure import Figure

    from helpers.design import coverage

    ps = np.linspace(0.005, 0.995, 397) if ps is None else np.asarray(ps, dtype=float)
    fig = Figure(figsize=figsize)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.9)
    ax = fig.subplots()
    palette = ["#0173b2", "#029e73", "#cc78bc", "#d55e00"]
    for m, c in zip(methods, palette):
        ax.plot(ps, coverage(n, ps, m, level), color=c, lw=1, label=m)
    ax.axhline(level, color="0.3", ls="--", lw=0.8)
    ax.set_ylim(0.5, 1.0)
    ax.set_xlim(0, 1)
    ax.set_xlabel("true response rate p")
    ax.set_ylabel(f"coverage of the nominal {level:.0%} interval")
    ax.set_title(f"Exact coverage with n = {n}", fontsize=10)
    ax.legend(fontsize=8, loc="lower center", ncol=len(methods))
    return fig

def _svg_panel(series: list[tuple[str, str, np.ndarray, np.ndarray]], *, x0: float, y0: float,
               w: float, h: float, xlim: tuple[float, float], ylim: tuple[float, float],
               xlabel: str, ylabel: str, title: str, vlines=(), hlines=(),
               xticks=(), yticks=()) -> str:
    """One line-chart panel as SVG elements (no external library; a few hundred microseconds)."""
    (xa, xb), (ya, yb) = xlim, ylim

    def sx(v):
        return x0 + (np.asarray(v, dtype=float) - xa) / (xb - xa) * w

    def sy(v):
        return y0 + h - (np.asarray(v, dtype=float) - ya) / (yb - ya) * h

    out = [f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" fill="white" '
           f'stroke="#444" stroke-width="0.8"/>']
    for t in xticks:
        out.append(f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{y0 + h:.1f}" y2="{y0 + h + 4:.1f}" '
                   f'stroke="#444"/><text x="{sx(t):.1f}" y="{y0 + h + 15:.1f}" font-size="10" '
                   f'text-anchor="middle">{t:g}</text>')
    for t in yticks:
        out.append(f'<line x1="{x0 - 4:.1f}" x2="{x0:.1f}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
                   f'stroke="#444"/><text x="{x0 - 6:.1f}" y="{sy(t) + 3:.1f}" font-size="10" '
                   f'text-anchor="end">{t:g}</text>')
    for v in vlines:
        out.append(f'<line x1="{sx(v):.1f}" x2="{sx(v):.1f}" y1="{y0:.1f}" y2="{y0 + h:.1f}" '
                   f'stroke="#999" stroke-width="0.8"/>')
    for v in hlines:
        out.append(f'<line x1="{x0:.1f}" x2="{x0 + w:.1f}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" '
                   f'stroke="#999" stroke-width="0.8" stroke-dasharray="4,3"/>')
    dash = {"-": "", "--": ' stroke-dasharray="6,3"', ":": ' stroke-dasharray="2,2"'}
    for colour, style, xs, ys in series:
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(sx(xs), sy(np.clip(ys, ya, yb))))
        out.append(f'<polyline class="curve" points="{pts}" fill="none" stroke="{colour}" '
                   f'stroke-width="1.8"{dash[style]}/>')
    out.append(f'<text x="{x0 + w / 2:.1f}" y="{y0 + h + 30:.1f}" font-size="11" '
               f'text-anchor="middle">{xlabel}</text>')
    out.append(f'<text transform="translate({x0 - 36:.1f},{y0 + h / 2:.1f}) rotate(-90)" '
               f'font-size="11" text-anchor="middle">{ylabel}</text>')
    out.append(f'<text x="{x0 + w / 2:.1f}" y="{y0 - 6:.1f}" font-size="11" '
               f'text-anchor="middle">{title}</text>')
    return "".join(out)


def design_svg(result: SimonResult, ps: np.ndarray | None = None, width: int = 860,
               height: int = 270) -> str:
    """Light SVG version of panels (a) and (b) of :func:`design_figure`, for the explorer.

    Drawing with matplotlib takes 80-150 ms on a shared machine, over the 100 ms budget of a
    slider update; this string takes about a millisecond. One ``<polyline class="curve">`` per
    design and panel; a legend names the designs.
    """
    curves = design_curves(result, ps)
    groups = list(curves.groupby(["design", "kind"], sort=False))
    en_max = float(max(result.hull[-1].design.n, max(h.design.n for h in result.hull)))
    pw, ph, top = (width - 55 - 70 - 150) / 2, height - 80, 28   # panels, then a 150-px legend
    common = {"y0": top, "w": pw, "h": ph, "xlim": (0, 1), "xlabel": "true response rate p",
              "vlines": (result.p0, result.p1), "xticks": (0, 0.2, 0.4, 0.6, 0.8, 1)}
    a = _svg_panel([(DESIGN_COLOURS[k], DESIGN_STYLES[k], g["p"].to_numpy(),
                     g["P(promising)"].to_numpy()) for (_, k), g in groups],
                   x0=55, ylim=(0, 1), ylabel="P(declared promising)",
                   title=f"(a) OC curves, p0={result.p0:g}, p1={result.p1:g}",
                   hlines=(result.alpha_target, 1 - result.beta_target),
                   yticks=(0, 0.2, 0.4, 0.6, 0.8, 1), **common)
    step = max(5, int(np.ceil(en_max / 5 / 5.0)) * 5)
    b = _svg_panel([(DESIGN_COLOURS[k], DESIGN_STYLES[k], g["p"].to_numpy(), g["EN"].to_numpy())
                    for (_, k), g in groups],
                   x0=55 + pw + 70, ylim=(0, en_max * 1.05), ylabel="expected number of patients",
                   title="(b) expected size", yticks=tuple(range(0, int(en_max) + 1, step)),
                   **common)
    legend = []
    lx = width - 140
    for i, ((label, k), _g) in enumerate(groups):
        y = top + 12 + 30 * i
        legend.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{y}" y2="{y}" stroke="{DESIGN_COLOURS[k]}" '
                      f'stroke-width="2"/><text x="{lx + 26}" y="{y + 4}" font-size="10">{k}</text>'
                      f'<text x="{lx + 26}" y="{y + 16}" font-size="10">{label.split(" ", 1)[1]}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="Operating-characteristic curves and expected sample size of '
            f'the Simon designs">' + a + b + "".join(legend) + "</svg>")


# ============================ end of notebook 01 section ====================================
