"""Kernel-side half of the explorer benchmark (see bench/README.md for the protocol).

bench/run.py starts an IPython kernel (inline matplotlib backend, as in JupyterLab), runs this
file in it and calls :func:`probe`. Timing inside a kernel means an update costs what a fellow
waits for: the callback, the figure drawn and encoded as PNG by the inline backend, and the
outputs published. :func:`probe` returns plain data (printed as JSON by the caller).
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import math
import statistics
import time
from collections.abc import Mapping
from pathlib import Path


def load_module(spec: str):
    """Import ``spec``: a dotted module name, or a path to a ``.py`` file."""
    if spec.endswith(".py"):
        path = Path(spec)
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return module
    return importlib.import_module(spec)


def factories(module) -> list[tuple[str, object]]:
    """``module.EXPLORERS`` (name -> factory) if defined, else its public zero-argument functions."""
    registry = getattr(module, "EXPLORERS", None)
    if isinstance(registry, Mapping):
        return list(registry.items())
    found = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module.__name__:
            continue
        params = inspect.signature(obj).parameters.values()
        required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        if not required:
            found.append((name, obj))
    return found


CONTROL_TYPES = ("IntSlider", "FloatSlider", "FloatLogSlider", "SelectionSlider", "Dropdown", "ToggleButtons",
                 "RadioButtons", "Select", "Checkbox", "ToggleButton", "BoundedIntText", "BoundedFloatText",
                 "IntText", "FloatText")


def controls_among_attributes(obj) -> dict:
    """Controls held directly as attributes (for objects without a ``.controls`` mapping)."""
    found = {}
    for name, value in (vars(obj) if hasattr(obj, "__dict__") else {}).items():
        if not name.startswith("_") and any(cls.__name__ in CONTROL_TYPES for cls in type(value).__mro__):
            found[name] = value
    return found


def distinct_values(control, n: int) -> list:
    """Up to ``n`` values for ``control``, each different from the one before (first != current)."""
    current = control.value
    options = getattr(control, "_options_values", None)
    if options is not None:  # Dropdown, Select, ToggleButtons, RadioButtons, SelectionSlider
        others = [v for v in options if v != current]
        return others[:n]
    if isinstance(current, bool):
        return [not current if i % 2 == 0 else current for i in range(n)]
    if isinstance(current, (tuple, list)):
        return []  # range sliders: not moved by the bench
    lo, hi = getattr(control, "min", None), getattr(control, "max", None)
    if lo is None or hi is None or hi <= lo:
        return []
    # Sliders: nudges around the current value (+1, -1, +2, -2, ... steps), as a fellow moves a
    # slider, so the timed updates are typical ones, not the extremes of the range.
    log = type(control).__name__ == "FloatLogSlider"
    position = math.log(current, control.base) if log else current
    step = getattr(control, "step", None) or (hi - lo) / 100
    values: list = []
    for k in [k * sign for k in range(1, 50) for sign in (1, -1)][: 4 * n]:
        pos = position + k * step
        if not lo - 1e-12 <= pos <= hi + 1e-12:
            continue
        if isinstance(current, int) and not log:
            value = int(round(pos))
        else:
            value = round(control.base ** pos if log else pos, 10)
        if value != current and value not in values:
            values.append(value)
        if len(values) >= n:
            break
    return values


def _flush_figures() -> None:
    try:
        from matplotlib_inline.backend_inline import flush_figures
    except ImportError:  # pragma: no cover
        return
    flush_figures()


def probe(module_spec: str, n_values: int = 7) -> dict:
    """Time each explorer's construction and updates; never raises (errors are reported)."""
    result: dict = {"module": module_spec, "explorers": [], "notes": []}
    try:
        module = load_module(module_spec)
    except Exception as exc:  # noqa: BLE001
        result["notes"].append(f"cannot import {module_spec}: {type(exc).__name__}: {exc}")
        return result
    for name, factory in factories(module):
        row: dict = {"name": name}
        result["explorers"].append(row)
        try:
            start = time.perf_counter()
            explorer = factory()
            _flush_figures()
            row["build_ms"] = (time.perf_counter() - start) * 1000
        except Exception as exc:  # noqa: BLE001
            row["error"] = f"factory raised {type(exc).__name__}: {exc}"
            continue
        controls = getattr(explorer, "controls", None)
        if not isinstance(controls, Mapping):
            controls = controls_among_attributes(explorer)
            if not controls:
                row["skipped"] = "not an explorer: no .controls mapping and no control among its attributes"
                continue
            row["protocol"] = f"no .controls mapping; used its control attributes {list(controls)}"
        if not hasattr(explorer, "output"):
            row["protocol"] = "; ".join(filter(None, [row.get("protocol"), "no .output attribute"]))
        for control_name, control in controls.items():
            values = distinct_values(control, n_values)
            if len(values) >= 2 or (len(values) == 1 and n_values == 1):
                break
        else:
            row["skipped"] = f"no control with distinct values to set (controls: {list(controls)})"
            continue
        row["control"] = control_name
        row["values"] = [repr(v) for v in values]
        times = []
        try:
            for value in values:
                clear = getattr(explorer, "clear_cache", None)
                if callable(clear):
                    clear()
                start = time.perf_counter()
                control.value = value
                _flush_figures()
                times.append((time.perf_counter() - start) * 1000)
        except Exception as exc:  # noqa: BLE001
            row["error"] = f"setting {control_name}={value!r} raised {type(exc).__name__}: {exc}"
            continue
        row["update_ms"] = times
        row["median_ms"] = statistics.median(times)
        row["max_ms"] = max(times)
    if not result["explorers"]:
        result["notes"].append(f"{module_spec} defines no explorer factory")
    return result
