"""helpers finds datasets/ from any working folder, from a source checkout and from a wheel."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

import helpers
from helpers import paths

ROOT = Path(__file__).resolve().parents[1]


def test_source_checkout_finds_repository_datasets():
    assert paths.datasets_dir() == ROOT / "datasets"
    assert paths.dataset_path("patients.csv").is_file()


def test_environment_variable_wins(tmp_path, monkeypatch):
    (tmp_path / "patients.csv").write_text("patient_id\n")
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path))
    assert paths.datasets_dir() == tmp_path


def test_missing_file_error_names_the_folder_and_the_choices():
    with pytest.raises(FileNotFoundError, match=r"no_such\.csv.*available"):
        paths.dataset_path("no_such.csv")


def test_lazy_submodules_and_unknown_attribute():
    assert helpers.paths is paths
    with pytest.raises(AttributeError, match="submodules are"):
        helpers.no_such_module  # noqa: B018


def test_import_from_another_folder(tmp_path):
    code = "import helpers.paths as p; print(p.dataset_path('patients.csv'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert Path(out.stdout.strip()) == ROOT / "datasets" / "patients.csv"


@pytest.mark.slow
def test_wheel_ships_datasets_and_reads_them_from_elsewhere(tmp_path):
    """Build the wheel (as Binder's `pip install .` does), install it --no-deps into a throw-away
    venv that reuses this environment's packages, and read a dataset from an unrelated folder."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(ROOT)], check=True)
    (wheel,) = wheels.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # Reuse the test environment's packages (pip among them) through a .pth file.
    Path(site, "_reuse_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", "--target", site, str(wheel)],
                   check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import helpers, helpers.paths as p, csv; "
            "print(helpers.__file__); print(p.datasets_dir()); "
            "rows = list(csv.DictReader(open(p.dataset_path('patients.csv')))); print(len(rows))")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", paths.ENV_VAR)}
    out = subprocess.run([str(py), "-c", code], cwd=elsewhere, check=True, capture_output=True,
                         text=True, env=env).stdout.split("\n")
    assert out[0].startswith(site), f"helpers imported from {out[0]}, not from the installed wheel"
    assert out[1] == str(Path(site) / "helpers" / "_datasets")
    assert int(out[2]) == 22
