"""Re-execute notebooks in place (``make execute``): ``python -m helpers._execute NB ...``.

Runs each notebook top to bottom in a fresh kernel with the notebook's folder as the working
folder, and writes the outputs back, so the committed notebooks show what a fellow will see.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path


def execute(path: Path, timeout: int = 600) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m helpers._execute NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    for name in argv:
        seconds = execute(Path(name))
        print(f"executed {name} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
