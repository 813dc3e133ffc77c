"""Where the datasets live, however ``helpers`` was installed.

Three situations are supported, tried in this order:

1. ``HELPERS_DATASETS`` environment variable: an explicit folder (e.g. an edited copy).
2. A source checkout (``pip install -e .`` or ``helpers`` imported from the repository): the
   ``datasets/`` folder beside the ``helpers/`` package.
3. An installed wheel (Binder's ``pip install .``): the copy shipped as package data in
   ``helpers/_datasets``.

The answer does not depend on the current working folder, so a notebook in ``notebooks/``, a test
in ``tests/`` and a script anywhere else all read the same files.
"""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
ENV_VAR = "HELPERS_DATASETS"


def datasets_dir() -> Path:
    """Return the folder that holds the cohort's CSV files (``patients.csv`` and the rest).

    Raises ``FileNotFoundError`` naming every place that was looked at when none holds them.
    """
    candidates: list[tuple[str, Path]] = []
    env = os.environ.get(ENV_VAR)
    if env:
        candidates.append((f"${ENV_VAR}", Path(env).expanduser().resolve()))
    candidates.append(("source checkout", _PACKAGE_DIR.parent / "datasets"))
    candidates.append(("installed package data", _PACKAGE_DIR / "_datasets"))
    for _label, folder in candidates:
        if (folder / "patients.csv").is_file():
            return folder
    looked = "; ".join(f"{label}: {folder}" for label, folder in candidates)
    raise FileNotFoundError(f"no datasets folder with patients.csv found (looked in {looked})")


def dataset_path(name: str) -> Path:
    """Path of one dataset file, e.g. ``dataset_path("patients.csv")``."""
    path = datasets_dir() / name
    if not path.is_file():
        available = sorted(p.name for p in datasets_dir().glob("*.csv"))
        raise FileNotFoundError(f"dataset {name!r} not found in {path.parent}; available: {available}")
    return path


def repo_root() -> Path | None:
    """The repository root when running from a source checkout, else ``None``."""
    root = _PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None
