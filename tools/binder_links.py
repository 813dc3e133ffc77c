"""Print Binder launch links for a fork of the collection (``make binder-links REPO=owner/name``).

    python3 tools/binder_links.py OWNER/NAME [--branch HEAD]

One link per notebook in notebooks/, each opening JupyterLab straight on that notebook:
https://mybinder.org/v2/gh/OWNER/NAME/HEAD?urlpath=lab/tree/notebooks/NN_name.ipynb
and a Markdown badge for a README or a course page. Standard library only (runs with any
python3, before the environment exists). Exits 2 with a usage message when OWNER/NAME is
missing or malformed.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parent.parent
BINDER = "https://mybinder.org"
BADGE_SVG = "https://mybinder.org/badge_logo.svg"
START_PAGE = "notebooks/00_start_here.ipynb"
# GitHub: owner 1-39 characters, letters, digits and single hyphens, not at either end;
# repository name 1-100 characters of letters, digits, '.', '_' and '-', not '.' or '..'.
OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
NAME = r"(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}"
REPO_RE = re.compile(rf"^(?P<owner>{OWNER})/(?P<name>{NAME})$")
BRANCH_RE = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")

USAGE = """\
usage: make binder-links REPO=owner/name      (or: python3 tools/binder_links.py owner/name)

Prints a Binder launch link for every notebook of your copy of the collection on GitHub, e.g.
  make binder-links REPO=jdoe/everolimus-cll
REPO is your GitHub account (or organisation) and repository name, separated by '/'."""


def parse_repo(text: str) -> tuple[str, str]:
    """``"owner/name"`` -> ``("owner", "name")``; ValueError naming the value otherwise."""
    cleaned = text.strip()
    cleaned = re.sub(r"^(?:https?://)?github\.com/", "", cleaned)  # a pasted GitHub URL is fine
    cleaned = re.sub(r"(?:\.git)?/?$", "", cleaned)
    match = REPO_RE.match(cleaned)
    if not match:
        raise ValueError(
            f"REPO={text!r} is not a GitHub repository of the form owner/name "
            "(owner: letters, digits, single hyphens, at most 39 characters; name: letters, digits, "
            "'.', '_', '-', at most 100 characters)")
    return match["owner"], match["name"]


def launch_url(owner: str, name: str, path: str | None, branch: str = "HEAD") -> str:
    base = f"{BINDER}/v2/gh/{owner}/{name}/{quote(branch, safe='')}"
    if path is None:
        return f"{base}?urlpath=lab"
    return f"{base}?urlpath=lab/tree/{quote(path, safe='/')}"


def notebooks(root: Path = REPO_ROOT) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "notebooks").glob("*.ipynb"))


def links(repo: str, branch: str = "HEAD", root: Path = REPO_ROOT) -> dict:
    owner, name = parse_repo(repo)
    if not BRANCH_RE.match(branch):
        raise ValueError(f"branch={branch!r}: letters, digits, '.', '_', '-', '/' only")
    paths = notebooks(root)
    start = START_PAGE if START_PAGE in paths else None
    badge_target = launch_url(owner, name, start, branch)
    return {
        "repo": f"{owner}/{name}",
        "notebooks": {path: launch_url(owner, name, path, branch) for path in paths},
        "lab": launch_url(owner, name, None, branch),
        "badge_markdown": f"[![Launch on Binder]({BADGE_SVG})]({badge_target})",
    }


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args):
        print(USAGE + "\n\noptions: --branch REF  branch, tag or commit (default: HEAD, the default branch)")
        return 0
    branch, positional = "HEAD", []
    while args:
        arg = args.pop(0)
        if arg == "--branch" and args:
            branch = args.pop(0)
        elif arg.startswith("--branch="):
            branch = arg.split("=", 1)[1]
        else:
            positional.append(arg)  # a repo may look like an option ("-x/y"): it is validated below
    if not positional or not positional[0].strip():
        print("binder-links: no repository given.\n\n" + USAGE, file=sys.stderr)
        return 2
    if len(positional) > 1:
        print(f"binder-links: one repository expected, got {positional!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    try:
        result = links(positional[0], branch)
    except ValueError as exc:
        print(f"binder-links: {exc}\n\n{USAGE}", file=sys.stderr)
        return 2
    print(f"Binder launch links for {result['repo']} (the first launch builds the image: several minutes)")
    if not result["notebooks"]:
        print("  (no notebooks in notebooks/ yet)")
    width = max([len(Path(p).name) for p in result["notebooks"]] + [10])
    for path, url in result["notebooks"].items():
        print(f"  {Path(path).name:<{width}}  {url}")
    print(f"  {'JupyterLab':<{width}}  {result['lab']}")
    print("\nBadge (Markdown):")
    print(f"  {result['badge_markdown']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
