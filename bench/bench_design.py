"""Timing of helpers.design.simon_two_stage (and the design explorer's update), cold.

Run from the repository root::

    PYTHONPATH=$PWD python bench/bench_design.py [--repeats 9]

Each case is timed on ``repeats`` *distinct* parameter sets (p0 nudged by 1e-7 each time, which
leaves the design unchanged), so no call can reuse another's work; ``helpers.design`` keeps no
cache anyway. The median is compared with the budget; the script reports, it never fails
(machines are noisy). R's clinfun::ph2simon takes about 15 ms for the first case on the
development machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.design import simon_two_stage  # noqa: E402

BUDGET_MS = 100.0
TARGET_MS = 15.0
CASES = [  # (p0, p1, alpha, beta, nmax)
    (0.20, 0.40, 0.10, 0.10, 100),   # the Zent et al. 2010 design, the headline figure
    (0.20, 0.40, 0.05, 0.20, 100),
    (0.05, 0.20, 0.10, 0.10, 100),
    (0.10, 0.30, 0.05, 0.20, 100),
    (0.25, 0.45, 0.05, 0.10, 100),
    (0.20, 0.35, 0.05, 0.05, 100),
]


def time_simon(case: tuple, repeats: int) -> list[float]:
    p0, p1, a, b, nmax = case
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            simon_two_stage(p0 + i * 1e-7, p1, a, b, nmax=nmax)
        times.append(1000 * (time.perf_counter() - t0))
    return times


def time_explorer(repeats: int) -> list[float] | None:
    """Median time of one design-explorer update (callback + figure), distinct slider values."""
    try:
        from helpers.widgets import design_explorer
    except ImportError:
        return None
    ex = design_explorer()
    times = []
    values = [0.15, 0.2, 0.25, 0.1, 0.3, 0.22, 0.18, 0.12, 0.28, 0.16, 0.24]
    for v in values[:repeats]:
        t0 = time.perf_counter()
        ex.controls["p0"].value = v
        times.append(1000 * (time.perf_counter() - t0))
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args(argv)
    simon_two_stage(0.3, 0.5, 0.1, 0.1, nmax=60)  # import-time warm-up of scipy, not a cache
    print(f"{'what':<44}{'median ms':>10}{'min':>8}{'max':>8}{'budget':>8}  status")
    for case in CASES:
        ts = time_simon(case, args.repeats)
        med = statistics.median(ts)
        label = "simon_two_stage(%g, %g, %g, %g, nmax=%d)" % case
        status = "ok" if med <= BUDGET_MS else "OVER BUDGET"
        print(f"{label:<44}{med:>10.1f}{min(ts):>8.1f}{max(ts):>8.1f}{BUDGET_MS:>8.0f}  {status}")
    ts = time_explorer(args.repeats)
    if ts is not None:
        med = statistics.median(ts)
        status = "ok" if med <= BUDGET_MS else "OVER BUDGET"
        print(f"{'design_explorer update (p0 slider)':<44}{med:>10.1f}{min(ts):>8.1f}"
              f"{max(ts):>8.1f}{BUDGET_MS:>8.0f}  {status}")
    print(f"(target for the first case: about {TARGET_MS:.0f} ms, R clinfun's Fortran search)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
