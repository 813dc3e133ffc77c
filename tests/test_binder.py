"""Binder: the README's launch links open files that exist, and Binder gets what the notebooks import.

- every ``urlpath=lab/tree/<path>`` target and every relative link in README.md exists, each
  Binder link has the form tools/binder_links.py prints, and every notebook has a launch link;
- tools/binder_links.py prints one link per notebook, validates owner/name and exits 2 with a
  usage message without one;
- every third-party package that a notebook or ``helpers`` imports is installed on Binder, i.e.
  provided by a pinned package of environment.yml (which tests/test_environment.py holds equal
  to pyproject.toml's runtime + test pins) or by one of their dependencies, and postBuild
  installs the package that provides ``helpers``.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools import binder_links  # noqa: E402

README = ROOT / "README.md"
BINDER_URL = re.compile(r"https://mybinder\.org/v2/gh/[^\s)\"'<>\]]+")
BINDER_FORM = re.compile(
    r"^https://mybinder\.org/v2/gh/(?P<repo>BINDER_REPO|[A-Za-z0-9-]+/[A-Za-z0-9._-]+)/(?P<ref>[A-Za-z0-9._%-]+)"
    r"\?urlpath=lab(?:/tree/(?P<path>[^\s#&]+))?$")
MD_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _readme() -> str:
    assert README.is_file(), "README.md is missing"
    return README.read_text()


def _binder_targets(text: str) -> list[tuple[str, str | None]]:
    found = []
    for url in BINDER_URL.findall(text):
        match = BINDER_FORM.match(url)
        assert match, f"README.md: Binder link not of the form .../v2/gh/OWNER/NAME/REF?urlpath=lab/tree/PATH: {url}"
        found.append((url, unquote(match["path"]) if match["path"] else None))
    return found


def test_readme_binder_links_open_existing_files():
    targets = _binder_targets(_readme())
    assert targets, "README.md has no Binder launch link"
    missing = sorted({path for _, path in targets if path and not (ROOT / path).is_file()})
    assert not missing, f"README.md launches Binder on files that do not exist: {missing}"


def test_every_notebook_has_a_launch_link_in_the_readme():
    linked = {path for _, path in _binder_targets(_readme()) if path}
    notebooks = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert not notebooks - linked, f"notebooks without a Binder link in README.md: {sorted(notebooks - linked)}"


def test_readme_relative_links_exist():
    missing = []
    for target in MD_LINK.findall(_readme()):
        url = urlparse(target)
        if url.scheme or url.netloc or target.startswith("#") or target.startswith("mailto:"):
            continue
        path = unquote(url.path)
        if path and not (ROOT / path).exists():
            missing.append(target)
    assert not missing, f"README.md links to files that do not exist: {missing}"


# --- tools/binder_links.py ------------------------------------------------------------------------

def _run_links(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "binder_links.py"), *args],
                          capture_output=True, text=True, timeout=60)


def test_binder_links_without_repo_exits_2_with_usage():
    proc = _run_links()
    assert proc.returncode == 2
    assert "no repository given" in proc.stderr and "make binder-links REPO=owner/name" in proc.stderr


@pytest.mark.parametrize("bad", ["owner", "owner/", "/name", "-owner/name", "owner-/name", "own er/name",
                                 "owner/na me", "owner/..", "a/b/c", "o" * 40 + "/name"])
def test_binder_links_refuses_malformed_repo(bad):
    proc = _run_links(bad)
    assert proc.returncode == 2, proc.stdout
    assert f"REPO={bad!r}" in proc.stderr and "owner/name" in proc.stderr


def test_binder_links_prints_one_link_per_notebook():
    proc = _run_links("jdoe/everolimus-cll")
    assert proc.returncode == 0, proc.stderr
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    for name in notebooks:
        url = f"https://mybinder.org/v2/gh/jdoe/everolimus-cll/HEAD?urlpath=lab/tree/notebooks/{name}"
        assert url in proc.stdout, f"no link for {name}"
    assert "[![Launch on Binder](https://mybinder.org/badge_logo.svg)]" in proc.stdout
    for url in BINDER_URL.findall(proc.stdout):
        match = BINDER_FORM.match(url)
        assert match and match["repo"] == "jdoe/everolimus-cll", url
        assert match["path"] is None or (ROOT / match["path"]).is_file(), url


def test_binder_links_accepts_a_pasted_github_url():
    owner, name = binder_links.parse_repo("https://github.com/jdoe/everolimus-cll.git")
    assert (owner, name) == ("jdoe", "everolimus-cll")


def test_binder_links_on_a_folder_of_notebooks(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for name in ("00_start_here.ipynb", "01_trial design.ipynb"):
        (tmp_path / "notebooks" / name).write_text("{}")
    result = binder_links.links("jdoe/x", root=tmp_path)
    assert result["notebooks"]["notebooks/01_trial design.ipynb"].endswith(
        "?urlpath=lab/tree/notebooks/01_trial%20design.ipynb")
    assert result["badge_markdown"].endswith("(https://mybinder.org/v2/gh/jdoe/x/HEAD?urlpath=lab/tree/notebooks/00_start_here.ipynb)")


# --- what Binder installs covers what the notebooks import ----------------------------------------

def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _environment_pins() -> set[str]:
    pins, in_pip = set(), False
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if line.strip() == "- pip:":
            in_pip = True
        elif in_pip and line.startswith("      - ") and "==" in line:
            pins.add(_norm(line.strip()[2:].split("==")[0]))
    return pins


def _closure(dists: set[str]) -> set[str]:
    """The pinned distributions and everything they require (as installed here)."""
    seen, todo = set(), list(dists)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            todo.append(_norm(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]))
    return seen


def _imported_top_level_modules() -> dict[str, list[str]]:
    sources: list[tuple[str, str]] = [(p.relative_to(ROOT).as_posix(), p.read_text())
                                      for p in (ROOT / "helpers").rglob("*.py")]
    for nb_path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(nb_path.read_text())
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                src = "".join(cell.get("source", []))
                src = "\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("%", "!")))
                sources.append((nb_path.name, src))
    found: dict[str, list[str]] = {}
    for where, src in sources:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(where)
    return found


def test_binder_installs_every_package_the_notebooks_and_helpers_import():
    provided = _closure(_environment_pins())
    owners = metadata.packages_distributions()
    missing = {}
    for module, where in _imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module in ("helpers", "__future__"):
            continue
        dists = {_norm(d) for d in owners.get(module, [])}
        if not dists & provided:
            missing[module] = sorted(set(where))[:3]
    assert not missing, f"imported but not installed on Binder (add a pin to pyproject.toml and environment.yml): {missing}"


def test_postbuild_installs_the_package_that_provides_helpers():
    text = (ROOT / "postBuild").read_text()
    assert re.search(r"pip install (--no-deps )?\.\s*$", text, re.M)
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "helpers" in wheel["packages"]
