"""bench/run.py reports every figure and never fails, also when things are missing or broken.

No timing is asserted here (timings belong to `make bench`, not to tests): the test checks that
the bench measures the fixture explorers through the protocol of bench/README.md, reports a
broken explorer and a non-explorer instead of stopping, and exits 0.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_NB = REPO_ROOT / "tests" / "fixtures" / "notebooks" / "90_fixture_explorer.ipynb"
FIXTURE_WIDGETS = REPO_ROOT / "tests" / "fixtures" / "fixture_widgets.py"


def _bench(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    out_json = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "run.py"), "--repeat", "1", "--timeout", "180",
                           "--json", str(out_json), *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    return proc, json.loads(out_json.read_text())


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    return _bench(tmp_path_factory.mktemp("bench"), "--widgets-module", str(FIXTURE_WIDGETS),
                  "--notebooks", str(FIXTURE_NB))


def _row(results: dict, prefix: str) -> dict:
    rows = [r for r in results["rows"] if r["what"].startswith(prefix)]
    assert len(rows) == 1, f"expected one row starting {prefix!r}, got {rows}"
    return rows[0]


def test_bench_exits_zero_and_prints_a_table(fixture_run):
    proc, _ = fixture_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "over budget" in proc.stdout and "verdict" in proc.stdout


def test_explorers_are_timed_through_the_protocol(fixture_run):
    _, results = fixture_run
    powers = _row(results, "powers_explorer.n update")
    word = _row(results, "word_explorer.word update")
    for row in (powers, word):
        assert row["value"] > 0 and row["budget"] == 100 and row["verdict"] in ("OK", "OVER")
    assert powers["detail"].startswith("7 values")   # IntSlider 3 in 1..8: 4, 2, 5, 1, 6, 7, 8
    assert word["detail"].startswith("2 values")     # the two other options of the Dropdown
    assert _row(results, "broken_explorer")["verdict"] == "error"
    assert _row(results, "not_an_explorer")["verdict"] == "skipped"
    assert not [r for r in results["rows"] if r["what"].startswith("needs_arguments")]
    assert any("broken on purpose" in note for note in results["notes"])


def test_run_all_and_imports_are_reported(fixture_run):
    _, results = fixture_run
    run_all = _row(results, "90_fixture_explorer.ipynb Run-All / imports")
    assert run_all["value"] > 0 and run_all["budget"] == 3.0
    helpers_row = _row(results, "import helpers, beyond pandas")
    assert helpers_row["budget"] == 0.5 and helpers_row["value"] >= 0
    simon = _row(results, "simon_two_stage")
    if (REPO_ROOT / "helpers" / "design.py").is_file():
        assert simon["value"] is not None or simon["verdict"].startswith("skipped")
    else:
        assert simon["verdict"] == "skipped: helpers/design.py absent"


def test_missing_pieces_are_notes_not_failures(tmp_path):
    proc, results = _bench(tmp_path, "--widgets-module", "no_such_module_for_bench", "--notebooks")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert any("cannot import no_such_module_for_bench" in n for n in results["notes"])
    assert any("no notebooks found" in n for n in results["notes"])
