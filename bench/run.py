"""``make bench``: timing figures against the budgets in bench/budgets.toml.

    python bench/run.py [--notebooks NB.ipynb ...] [--widgets-module helpers.widgets | file.py]
                        [--skip-notebooks] [--json .bench/results.json]

Measures, on this machine:
- ``import helpers`` in a fresh interpreter, beyond pandas' own import (pandas imported first);
  the import of each ``helpers`` submodule is shown too, for information;
- the Simon search ``helpers.design.simon_two_stage(0.2, 0.4, 0.1, 0.1, nmax=100)`` (skipped with
  a note while helpers/design.py is absent);
- each notebook's cold Run-All (nbclient, fresh kernel) against the cold run of a notebook that
  holds only its imports (its import statements, plus ``import helpers.X`` for each submodule it
  uses);
- each explorer's update: the median time of setting several distinct values on one control
  (callback, figure drawn and PNG-encoded by the inline backend) inside an IPython kernel; the
  explorers come from the factories in helpers/widgets.py (protocol: bench/README.md).

It prints a table and compares each figure with its budget. It is a benchmark, not a test: it
always exits 0 (a missing notebook, module or explorer is reported, not fatal).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
BENCH_DIR = REPO_ROOT / "bench"
PROBE = BENCH_DIR / "explorer_probe.py"
MARKER = "@@BENCH@@"


# --- rows -----------------------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.notes: list[str] = []

    def add(self, group: str, what: str, value: float | None, unit: str, budget: float | None,
            detail: str = "", verdict: str | None = None) -> None:
        if verdict is None:
            if value is None or budget is None:
                verdict = "info" if value is not None else "n/a"
            else:
                verdict = "OK" if value <= budget else "OVER"
        self.rows.append({"group": group, "what": what, "value": value, "unit": unit, "budget": budget,
                          "verdict": verdict, "detail": detail})

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def table(self) -> str:
        def fmt(value, unit):
            if value is None:
                return "-"
            return f"{value:.0f} {unit}" if unit == "ms" else f"{value:.2f} {unit}".rstrip()

        width = max([len(r["what"]) for r in self.rows] + [20]) + 2
        head = f"{'measure':<{width}} {'measured':>10} {'budget':>11}  {'verdict':<8} detail"
        lines = [head, "-" * len(head)]
        group = None
        for row in self.rows:
            if row["group"] != group:
                group = row["group"]
                lines.append(f"[{group}]")
            budget = "-" if row["budget"] is None else ("<= " + fmt(row["budget"], row["unit"]))
            verdict, detail = row["verdict"], row["detail"]
            if len(verdict) > 8:  # "skipped: why" / "error: why": the reason goes to the detail column
                verdict, _, why = verdict.partition(":")
                detail = ", ".join(filter(None, [why.strip(), detail]))
            lines.append(f"  {row['what']:<{width - 2}} {fmt(row['value'], row['unit']):>10} {budget:>11}  "
                         f"{verdict:<8} {detail}".rstrip())
        over = [r for r in self.rows if r["verdict"] == "OVER"]
        lines.append("-" * len(head))
        lines.append(f"{len(self.rows)} figure(s), {len(over)} over budget"
                     + (": " + ", ".join(r["what"] for r in over) if over else ""))
        return "\n".join(lines)


# --- environment ----------------------------------------------------------------------------------

def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    env.setdefault("MPLBACKEND", "Agg")
    return env


def helpers_submodules() -> list[str]:
    names = []
    for path in sorted((REPO_ROOT / "helpers").iterdir()):
        if path.name.startswith("_"):
            continue
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").is_file()):
            names.append(path.stem)
    return names


# --- 1. import helpers ----------------------------------------------------------------------------

IMPORT_SNIPPET = """\
import json, time
t0 = time.perf_counter()
import pandas
t1 = time.perf_counter()
import {target}
t2 = time.perf_counter()
print(json.dumps({{"pandas": t1 - t0, "beyond": t2 - t1}}))
"""


def time_import(target: str, repeat: int) -> tuple[float, float]:
    """Median seconds of ``import target`` after pandas, and of pandas, in fresh interpreters."""
    beyond, pandas = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", IMPORT_SNIPPET.format(target=target)], cwd=REPO_ROOT,
                             env=child_env(), capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}")
        data = json.loads(out.stdout.strip().splitlines()[-1])
        beyond.append(data["beyond"])
        pandas.append(data["pandas"])
    return statistics.median(beyond), statistics.median(pandas)


def bench_imports(report: Report, budgets: dict, repeat: int) -> None:
    budget = budgets["import_helpers"]["max_beyond_pandas_s"]
    try:
        beyond, pandas = time_import("helpers", repeat)
    except Exception as exc:  # noqa: BLE001
        report.add("import", "import helpers", None, "s", budget, verdict=f"error: {exc}")
        return
    report.add("import", "import helpers, beyond pandas", beyond, "s", budget, f"pandas itself {pandas:.2f} s")
    for name in helpers_submodules():
        try:
            seconds, _ = time_import(f"helpers.{name}", 1)
        except Exception as exc:  # noqa: BLE001
            report.add("import", f"import helpers.{name}", None, "s", None, verdict=f"error: {exc}"[:60])
            continue
        report.add("import", f"import helpers.{name}, beyond pandas", seconds, "s", None)


# --- 2. Simon search ------------------------------------------------------------------------------

def bench_simon(report: Report, budgets: dict, repeat: int) -> None:
    cfg = budgets["simon"]
    what = f"simon_two_stage{tuple(cfg['args'])} nmax={cfg['nmax']}"
    if not (REPO_ROOT / "helpers" / "design.py").is_file():
        report.add("simon", what, None, "ms", cfg["max_ms"], verdict="skipped: helpers/design.py absent")
        return
    try:
        import importlib

        design = importlib.import_module("helpers.design")
        search = design.simon_two_stage
    except Exception as exc:  # noqa: BLE001
        report.add("simon", what, None, "ms", cfg["max_ms"], verdict=f"skipped: {type(exc).__name__}: {exc}"[:70])
        return
    times = []
    for _ in range(repeat):
        clear = getattr(search, "cache_clear", None)
        if callable(clear):
            clear()
        start = time.perf_counter()
        search(*cfg["args"], nmax=cfg["nmax"])
        times.append((time.perf_counter() - start) * 1000)
    report.add("simon", what, statistics.median(times), "ms", cfg["max_ms"], f"median of {repeat}, first {times[0]:.0f} ms")


# --- 3. Run-All -----------------------------------------------------------------------------------

def import_lines(nb) -> list[str]:
    """The notebook's import statements, plus ``import helpers.X`` for each submodule it uses."""
    from IPython.core.inputtransformer2 import TransformerManager

    transformer = TransformerManager()
    known = set(helpers_submodules())
    lines = ["%matplotlib inline"]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(transformer.transform_cell(cell.source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                lines.append(ast.unparse(node))
        for name in re.findall(r"\bhelpers\.(\w+)", cell.source):
            if name in known:
                lines.append(f"import helpers.{name}")
    return list(dict.fromkeys(lines))


def run_cold(nb, folder: Path, timeout: int) -> float:
    from nbclient import NotebookClient

    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def bench_notebooks(report: Report, budgets: dict, notebooks: list[Path], timeout: int) -> None:
    import nbformat

    ratio_budget = budgets["run_all"]["max_ratio_to_imports"]
    if not notebooks:
        report.note("no notebooks found: no Run-All to time")
        return
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        imports = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("\n".join(import_lines(nb)))],
                                           metadata=nb.metadata)
        try:
            baseline = run_cold(imports, path.parent, timeout)
            seconds = run_cold(nb, path.parent, timeout)
        except Exception as exc:  # noqa: BLE001
            report.add("run-all", path.name, None, "x", ratio_budget, verdict=f"error: {type(exc).__name__}"[:40])
            report.note(f"{path.name}: Run-All failed: {exc}"[:300])
            continue
        report.add("run-all", f"{path.name} Run-All / imports", seconds / baseline, "x", ratio_budget,
                   f"{seconds:.1f} s vs {baseline:.1f} s")


# --- 4. explorers ---------------------------------------------------------------------------------

def bench_explorers(report: Report, budgets: dict, module_spec: str, timeout: int) -> None:
    from jupyter_client.manager import start_new_kernel

    budget = budgets["explorer"]["max_update_ms"]
    n_values = budgets["explorer"]["values_per_control"]
    if module_spec == "helpers.widgets" and not (REPO_ROOT / "helpers" / "widgets.py").is_file():
        report.note("helpers/widgets.py is absent: no explorer to time")
        return
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(REPO_ROOT), env=child_env())
    chunks: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream" and msg["content"].get("name") == "stdout":
            chunks.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            chunks.append("\n" + MARKER + json.dumps({"kernel_error": f"{msg['content']['ename']}: {msg['content']['evalue']}"}) + "\n")

    code = (
        "%matplotlib inline\n"
        f"exec(compile(open({str(PROBE)!r}).read(), {str(PROBE)!r}, 'exec'))\n"
        "import json as _bench_json\n"
        f"print({MARKER!r} + _bench_json.dumps(probe({module_spec!r}, {n_values})))\n"
    )
    try:
        kc.execute_interactive(code, output_hook=hook, timeout=timeout)
    except TimeoutError:
        report.note(f"explorer probe did not finish within {timeout} s")
    finally:
        kc.stop_channels()
        km.shutdown_kernel()
    text = "".join(chunks)
    found = [line[len(MARKER):] for line in text.splitlines() if line.startswith(MARKER)]
    if not found:
        report.note(f"explorer probe printed no result: {text[-300:]!r}")
        return
    result = json.loads(found[-1])
    if "kernel_error" in result:
        report.note(f"explorer probe raised {result['kernel_error']}")
        return
    for note in result.get("notes", []):
        report.note(note)
    for row in result.get("explorers", []):
        name = row["name"]
        if "error" in row:
            report.add("explorers", name, None, "ms", budget, verdict="error")
            report.note(f"{name}: {row['error']}"[:300])
        elif "skipped" in row:
            report.add("explorers", name, None, "ms", budget, verdict="skipped")
            report.note(f"{name}: {row['skipped']}"[:300])
        else:
            report.add("explorers", f"{name}.{row['control']} update, median", row["median_ms"], "ms", budget,
                       f"{len(row['update_ms'])} values, max {row['max_ms']:.0f} ms, build {row['build_ms']:.0f} ms")
            if row.get("protocol"):
                report.note(f"{name}: {row['protocol']} (protocol: bench/README.md)")


# --- main -----------------------------------------------------------------------------------------

def load_budgets(path: Path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Timing figures against bench/budgets.toml (never fails).")
    parser.add_argument("--notebooks", nargs="*", type=Path, default=None,
                        help="notebooks to time (default: notebooks/*.ipynb)")
    parser.add_argument("--skip-notebooks", action="store_true", help="do not time Run-All")
    parser.add_argument("--widgets-module", default="helpers.widgets",
                        help="module (dotted name or .py path) whose factories build the explorers")
    parser.add_argument("--budgets", type=Path, default=BENCH_DIR / "budgets.toml")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-interpreter repeats for imports")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per notebook / probe")
    parser.add_argument("--json", type=Path, default=REPO_ROOT / ".bench" / "results.json")
    args = parser.parse_args(argv)

    os.environ.update({"PYTHONPATH": child_env()["PYTHONPATH"]})
    budgets = load_budgets(args.budgets)
    report = Report()
    started = time.perf_counter()
    steps = [
        ("import helpers", lambda: bench_imports(report, budgets, args.repeat)),
        ("Simon search", lambda: bench_simon(report, budgets, max(args.repeat, 5))),
        ("explorer updates", lambda: bench_explorers(report, budgets, args.widgets_module, args.timeout)),
    ]
    if not args.skip_notebooks:
        from tools.notebooks import NOTEBOOKS_DIR, discover

        notebooks = args.notebooks if args.notebooks is not None else discover(NOTEBOOKS_DIR)
        steps.append(("Run-All", lambda: bench_notebooks(report, budgets, notebooks, args.timeout)))
    for label, step in steps:
        print(f"bench: {label} ...", flush=True)
        try:
            step()
        except Exception as exc:  # noqa: BLE001 (a benchmark reports, it does not fail)
            report.note(f"{label} failed: {type(exc).__name__}: {exc}"[:300])
    print()
    print(report.table())
    print(f"(bench took {time.perf_counter() - started:.0f} s; budgets from {args.budgets.relative_to(REPO_ROOT) if args.budgets.is_relative_to(REPO_ROOT) else args.budgets}; "
          "a benchmark reports, it never fails CI)")
    try:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": report.rows, "notes": report.notes}, indent=2))
        print(f"results: {args.json}")
    except OSError as exc:
        print(f"could not write {args.json}: {exc}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001
        print(f"bench: stopped by {type(exc).__name__}: {exc}")
        raise SystemExit(0)
