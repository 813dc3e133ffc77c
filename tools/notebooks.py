"""Find the collection's notebooks and the explorers in their saved outputs.

Shared by the delivery tooling (browser test, static site, benchmark) so that all three cover
every notebook in ``notebooks/`` as soon as it lands, with one definition of "has an explorer":
a notebook has an explorer when its *saved* outputs contain an ipywidgets view, i.e. an output
with the MIME type ``application/vnd.jupyter.widget-view+json``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
FIXTURE_NOTEBOOKS_DIR = REPO_ROOT / "tests" / "fixtures" / "notebooks"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


def discover(folder: Path | str = NOTEBOOKS_DIR) -> list[Path]:
    """Every ``*.ipynb`` directly in ``folder``, sorted by name (checkpoints excluded)."""
    folder = Path(folder)
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def read(path: Path | str) -> Any:
    import nbformat

    return nbformat.read(Path(path), as_version=4)


def explorer_cells(nb: Any) -> list[int]:
    """Indices (in ``nb.cells``) of the code cells whose saved outputs hold a widget view."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if WIDGET_VIEW_MIME in output.get("data", {}):
                found.append(index)
                break
    return found


def has_explorer(path: Path | str) -> bool:
    """True when the saved notebook at ``path`` displays at least one ipywidgets view."""
    return bool(explorer_cells(read(path)))


def title(nb: Any, fallback: str) -> str:
    """The text of the first ``# `` heading in the notebook, else ``fallback``."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.get("source", "").splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def strip_outputs(src: Path | str, dst: Path | str) -> None:
    """Copy a notebook to ``dst`` without outputs, execution counts or saved widget state."""
    import nbformat

    nb = read(src)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, Path(dst))
