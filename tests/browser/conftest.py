"""Fixtures for the real-browser test: a throw-away JupyterLab server and a headless Chromium.

The server runs from the same Python environment as pytest (``sys.executable -m jupyterlab``:
.venv in ``make test``), on a free loopback port, with a random token and temporary Jupyter
config, runtime, data, settings and workspace folders, so nothing on the machine (a user's
~/.jupyter, a running Lab) leaks into the test and the test leaves nothing behind. It serves a
temporary copy of the notebooks (outputs stripped), so running them in the browser never writes
into the repository.

The browser is Debian's Chromium (``apt-get install chromium``), driven by Playwright for Python;
no browser is ever downloaded (never ``playwright install``). ``CHROMIUM=/path`` overrides the
binary. When Playwright or Chromium is missing the browser tests are skipped locally, but fail in
CI (``CI=true``) or when ``REQUIRE_BROWSER=1``, so a missing install step cannot hide as a skip.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 120

_SCREENSHOTS: list[tuple[str, Path]] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in headless Chromium (needs the chromium Debian package and playwright)"
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if _SCREENSHOTS:
        terminalreporter.section("JupyterLab screenshots")
        for name, path in _SCREENSHOTS:
            terminalreporter.write_line(f"{name}: {path}")


def _browser_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_BROWSER") == "1"


def _missing(reason: str) -> None:
    if _browser_required():
        pytest.fail(f"browser test cannot run: {reason} (required because CI=true or REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A running JupyterLab server (see the module docstring)."""

    def __init__(self, base: Path):
        self.base = base
        self.root = base / "root"
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        dirs = {
            "JUPYTER_CONFIG_DIR": self.base / "config",
            "JUPYTER_RUNTIME_DIR": self.base / "runtime",
            "JUPYTER_DATA_DIR": self.base / "data",
            "JUPYTERLAB_SETTINGS_DIR": self.base / "settings",
            "JUPYTERLAB_WORKSPACES_DIR": self.base / "workspaces",
            "IPYTHONDIR": self.base / "ipython",
            "MPLCONFIGDIR": self.base / "matplotlib",
        }
        for key, folder in dirs.items():
            folder.mkdir(parents=True, exist_ok=True)
            env[key] = str(folder)
        # Kernels import `helpers` from this source tree (also when it is not pip-installed).
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
        return env

    def write_settings(self) -> None:
        # No news fetch from the internet: disable the announcements plugin.
        labconfig = self.base / "config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
        )
        settings = self.base / "settings"
        # Every cell stays in the DOM (no windowing), the notebook's kernel starts without a
        # "Select Kernel" dialog, and nothing is autosaved.
        notebook = settings / "@jupyterlab" / "notebook-extension"
        notebook.mkdir(parents=True, exist_ok=True)
        (notebook / "tracker.jupyterlab-settings").write_text(
            json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}))
        docmanager = settings / "@jupyterlab" / "docmanager-extension"
        docmanager.mkdir(parents=True, exist_ok=True)
        (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.write_settings()
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self._log = log
        self.proc = subprocess.Popen(cmd, env=self.env(), cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT_S} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:  # clean shutdown: the server stops its kernels first
            request = urllib.request.Request(f"{self.url}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {self.token}"})
            urllib.request.urlopen(request, timeout=10).close()
            self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self._log.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory):
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install the `browser` extra)")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab-screenshots")


@pytest.fixture
def record_screenshot():
    """Call ``record_screenshot(name, path)`` so the terminal summary prints where it is."""

    def record(name: str, path: Path) -> None:
        _SCREENSHOTS.append((name, path))
        print(f"screenshot of {name}: {path}")

    return record
