"""The laptop environment (pyproject.toml, used by `make`) and Binder's (environment.yml +
postBuild) must pin exactly the same versions, or a notebook that passes CI can break on Binder."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([A-Za-z0-9_.\-+]+)\s*$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse_pins(lines, where: str) -> dict[str, str]:
    pins = {}
    for line in lines:
        m = PIN.match(line)
        assert m, f"{where}: {line!r} is not an exact pin (name==version)"
        pins[_norm(m.group(1))] = m.group(2)
    return pins


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pyproject_pins() -> dict[str, str]:
    project = pyproject()["project"]
    pins = _parse_pins(project["dependencies"], "pyproject dependencies")
    pins.update(_parse_pins(project["optional-dependencies"]["test"], "pyproject [test] extra"))
    return pins


def environment_yml_pins() -> tuple[list[str], dict[str, str]]:
    """(conda dependencies, pip pins) of environment.yml, parsed without a YAML library."""
    conda, pip_lines, in_pip = [], [], False
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        item = line.strip()
        if item == "- pip:":
            in_pip = True
            continue
        if in_pip and raw.startswith("      - "):
            pip_lines.append(item[2:])
        elif raw.startswith("  - "):
            in_pip = False
            conda.append(item[2:])
    return conda, _parse_pins(pip_lines, "environment.yml pip section")


def test_every_dependency_is_an_exact_pin():
    assert pyproject_pins(), "pyproject.toml pins nothing"


def test_environment_yml_pins_equal_pyproject_pins():
    _, env = environment_yml_pins()
    py = pyproject_pins()
    only_env = {k: v for k, v in env.items() if k not in py}
    only_py = {k: v for k, v in py.items() if k not in env}
    differ = {k: (py[k], env[k]) for k in py.keys() & env.keys() if py[k] != env[k]}
    assert not only_env and not only_py and not differ, (
        f"environment.yml and pyproject.toml disagree: only in environment.yml {only_env}, "
        f"only in pyproject.toml {only_py}, different versions (pyproject, env) {differ}")


def test_environment_yml_python_matches_requires_python():
    conda, _ = environment_yml_pins()
    assert "pip" in conda
    pythons = [d for d in conda if d.startswith("python=")]
    assert pythons == ["python=3.11"], pythons
    assert pyproject()["project"]["requires-python"] == ">=3.11,<3.12"


def test_tests_run_on_the_pinned_python():
    assert sys.version_info[:2] == (3, 11)


def test_postbuild_installs_helpers_without_nbextension_steps():
    post = ROOT / "postBuild"
    text = post.read_text()
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    assert re.search(r"pip install (--no-deps )?\.\s*$", text, re.M), "postBuild must pip-install the package"
    assert "nbextension" not in text


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    mismatched = {name: (pinned, version(name)) for name, pinned in pyproject_pins().items()
                  if version(name) != pinned}
    assert not mismatched, f"installed versions differ from pins (pinned, installed): {mismatched}"


def test_no_binder_folder_shadows_the_root_files():
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
