"""Every explorer as a fellow meets it: JupyterLab in a real (headless) Chromium.

nbval proves that cells execute; it never sees the page. For every notebook whose saved outputs
hold an ipywidgets view (plus a small fixture notebook that keeps the harness honest before the
course notebooks land), this test opens the notebook in JupyterLab, runs all cells, and checks
that
- every code cell ran and none shows an error,
- every widget renders as a control (``.jupyter-widgets`` elements), not as its text repr
  (``IntSlider(...)``) or a widget-manager error,
- moving one control of each explorer (arrow key on a slider handle, another option of a
  dropdown, ...) changes what it drives (its ``Output``, ``HTML`` or ``Image`` widgets) without a
  traceback, and a figure it showed (``<img>``) is drawn and painted again,
and saves a screenshot per notebook (the terminal summary prints where).

Run it alone with ``pytest -m browser tests/browser``. See conftest.py for the server and
browser set-up.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.notebooks import FIXTURE_NOTEBOOKS_DIR, NOTEBOOKS_DIR, discover, has_explorer, strip_outputs

pytestmark = pytest.mark.browser

OPEN_TIMEOUT_MS = 120_000      # Lab loads and the kernel reaches idle
RUN_ALL_TIMEOUT_MS = 300_000   # Run-All of one notebook (the budget is seconds; this is a hang guard)
RENDER_TIMEOUT_MS = 60_000     # a widget view appears after its cell ran
CHANGE_TIMEOUT_MS = 30_000     # the driven output changes after a control moved
VIEWPORT = {"width": 1400, "height": 1000}

TEXT_REPR = re.compile(
    r"\b(?:IntSlider|FloatSlider|FloatLogSlider|IntRangeSlider|FloatRangeSlider|SelectionSlider|Dropdown|"
    r"ToggleButtons|RadioButtons|Checkbox|VBox|HBox|Output|interactive)\((?:children|value|options|description|layout|outputs)="
)
WIDGET_ERROR = re.compile(r"Error (?:displaying|rendering) widget|could not be displayed|model not found", re.I)


def _explorer_notebooks() -> list[Path]:
    found = [p for p in discover(NOTEBOOKS_DIR) if has_explorer(p)]
    found += [p for p in discover(FIXTURE_NOTEBOOKS_DIR) if has_explorer(p)]
    return found


NOTEBOOKS = _explorer_notebooks()

# --- JavaScript run in the page ------------------------------------------------------------------

JS_IDLE = r"""() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  const el = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
  return !!kernel && kernel.status === 'idle' && !!el && el.getAttribute('data-status') === 'idle';
}"""

JS_START_RUN_ALL = r"""() => {
  window.__dlvRunAll = null;
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  panel.content.widgets.forEach((w, i) => w.node.setAttribute('data-dlv-index', String(i)));
  app.commands.execute('notebook:run-all-cells').then(
    r => { window.__dlvRunAll = {done: true, result: r === undefined ? null : r}; },
    e => { window.__dlvRunAll = {done: true, error: String(e)}; });
}"""

JS_RUN_ALL_FINISHED = r"""() => {
  if (!window.__dlvRunAll) return false;
  const el = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
  if (!el || el.getAttribute('data-status') !== 'idle') return false;
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const prompts = Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt'));
  return !prompts.some(p => p.textContent.includes('*'));
}"""

JS_CELLS = r"""() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [];
  let i = 0;
  for (const cell of panel.content.model.cells) {
    const json = cell.toJSON();
    cells.push({
      index: i++,
      type: json.cell_type,
      count: json.execution_count === undefined ? null : json.execution_count,
      source: (Array.isArray(json.source) ? json.source.join('') : json.source).slice(0, 80),
      outputs: (json.outputs || []).map(o => ({
        type: o.output_type, ename: o.ename || null, evalue: o.evalue || null,
        mimes: Object.keys(o.data || {}),
      })),
    });
  }
  return cells;
}"""

# What a control drives: Output widgets, HTML/HTMLMath widgets (tables, SVG figures) and Image
# widgets (PNG figures), i.e. everything in the explorer except the controls themselves.
DRIVEN = ".widget-output, .widget-html, .widget-htmlmath, .widget-image"

JS_DRIVEN = r"""(index) => {
  const all = Array.from(document.querySelectorAll(`[data-dlv-index="${index}"] :is(DRIVEN)`));
  const top = all.filter(e => !all.some(o => o !== e && o.contains(e)));
  const html = top.map(o => o.outerHTML).join('\u0000');
  let h = 5381;
  for (let k = 0; k < html.length; k++) { h = ((h * 33) ^ html.charCodeAt(k)) >>> 0; }
  const imgs = new Set();
  top.forEach(o => { if (o.tagName === 'IMG') imgs.add(o); o.querySelectorAll('img').forEach(i => imgs.add(i)); });
  const images = Array.from(imgs);
  const svgs = top.reduce((n, o) => n + o.querySelectorAll('svg').length, 0);
  return {n: top.length, hash: h, length: html.length, text: top.map(o => o.innerText).join('\n').slice(0, 2000),
          images: images.length, painted: images.filter(i => i.complete && i.naturalWidth > 0).length, svgs: svgs};
}""".replace("DRIVEN", DRIVEN)

JS_OUTPUT_DIGEST = JS_DRIVEN

JS_IMAGES_PAINTED = "([index, want]) => { const d = (" + JS_DRIVEN + ")(index); return d.images >= want && d.painted === d.images; }"

JS_DIGEST_CHANGED = "([index, before]) => { const d = (" + JS_DRIVEN + ")(index); return d.hash !== before && d.length > 0; }"


# --- helpers -----------------------------------------------------------------------------------

def _cell(page, index: int):
    return page.locator(f'[data-dlv-index="{index}"]')


def _move_one_control(page, index: int) -> str | None:
    """Move the first control we know in cell ``index``; return what was done, or None."""
    cell = _cell(page, index)
    handle = cell.locator(".widget-slider .noUi-handle, .widget-hslider .noUi-handle, .widget-vslider .noUi-handle")
    if handle.count():
        first = handle.first
        before = first.get_attribute("aria-valuenow")
        first.scroll_into_view_if_needed()
        first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        if first.get_attribute("aria-valuenow") == before:  # at the maximum: go the other way
            page.keyboard.press("ArrowLeft")
            page.wait_for_timeout(200)
        after = first.get_attribute("aria-valuenow")
        if after != before:
            return f"slider {before} -> {after} (keyboard)"
        # Arrow keys do not move some sliders (seen with FloatSlider step=0.01): drag the handle.
        box = first.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        for dx in (5, -5):
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + dx / 2, y, steps=4)
            page.mouse.move(x + dx, y, steps=4)
            page.mouse.up()
            page.wait_for_timeout(200)
            after = first.get_attribute("aria-valuenow")
            if after != before:
                return f"slider {before} -> {after} (mouse drag; arrow keys did not move it)"
        # Last resort: click the track away from the handle (noUiSlider jumps there on a tap).
        track = cell.locator(".widget-slider .noUi-target, .widget-hslider .noUi-target").first
        tbox = track.bounding_box()
        if tbox:
            for frac in (0.8, 0.2):
                page.mouse.click(tbox["x"] + frac * tbox["width"], tbox["y"] + tbox["height"] / 2)
                page.wait_for_timeout(300)
                after = first.get_attribute("aria-valuenow")
                if after != before:
                    return f"slider {before} -> {after} (click on the track)"
        return f"slider {before} (neither arrow keys, a mouse drag nor a click on the track moved it)"
    select = cell.locator(".widget-dropdown select")
    if select.count():
        first = select.first
        options = first.locator("option").all()
        current = first.input_value()
        for option in options:
            value = option.get_attribute("value")
            if value != current:
                first.select_option(value=value)
                return f"dropdown {current!r} -> {option.inner_text()!r}"
    toggles = cell.locator(".widget-toggle-buttons button:not(.mod-active)")
    if toggles.count():
        label = toggles.first.inner_text()
        toggles.first.click()
        return f"toggle button -> {label!r}"
    radios = cell.locator(".widget-radio-box input:not(:checked)")
    if radios.count():
        radios.first.check()
        return "radio button"
    checkbox = cell.locator(".widget-checkbox input")
    if checkbox.count():
        checkbox.first.click()
        return "checkbox"
    return None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_explorers_work_in_jupyterlab(notebook: Path, chromium, lab_server, screenshot_dir: Path, record_screenshot):
    rel = f"notebooks/{notebook.name}"
    strip_outputs(notebook, lab_server.root / rel)
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    try:
        workspace = re.sub(r"[^A-Za-z0-9]", "", notebook.stem) or "nb"
        page.goto(f"{lab_server.url}/lab/workspaces/{workspace}/tree/{rel}?reset&token={lab_server.token}",
                  timeout=OPEN_TIMEOUT_MS)
        page.wait_for_selector(".jp-NotebookPanel", timeout=OPEN_TIMEOUT_MS)
        page.wait_for_function(JS_IDLE, timeout=OPEN_TIMEOUT_MS, polling=250)

        page.evaluate(JS_START_RUN_ALL)
        page.wait_for_function(JS_RUN_ALL_FINISHED, timeout=RUN_ALL_TIMEOUT_MS, polling=250)

        cells = page.evaluate(JS_CELLS)
        code = [c for c in cells if c["type"] == "code"]
        errors = [f"cell {c['index']} ({c['source']!r}): {o['ename']}: {o['evalue']}"
                  for c in code for o in c["outputs"] if o["type"] == "error"]
        assert not errors, "cells raised in JupyterLab:\n" + "\n".join(errors)
        not_run = [c["index"] for c in code if c["count"] is None and c["source"].strip()]
        assert not not_run, f"code cells that did not run: {not_run}"

        widget_cells = [c["index"] for c in code
                        if any("application/vnd.jupyter.widget-view+json" in o["mimes"] for o in c["outputs"])]
        assert widget_cells, f"{notebook.name}: saved outputs hold a widget, but Run-All displayed none"

        moved: list[str] = []
        for index in widget_cells:
            cell = _cell(page, index)
            outputs = cell.locator(".jp-OutputArea")
            outputs.locator(".jupyter-widgets").first.wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
            text = outputs.first.inner_text()
            assert not TEXT_REPR.search(text), f"cell {index} shows a widget's text repr, not a control:\n{text[:500]}"
            assert not WIDGET_ERROR.search(text), f"cell {index}: widget manager error:\n{text[:500]}"

            before = page.evaluate(JS_OUTPUT_DIGEST, index)
            if before["n"] == 0:
                continue  # a display-only widget: nothing that a control drives
            action = _move_one_control(page, index)
            if action is None:
                continue
            try:
                page.wait_for_function(JS_DIGEST_CHANGED, arg=[index, before["hash"]],
                                       timeout=CHANGE_TIMEOUT_MS, polling=100)
            except Exception as exc:  # noqa: BLE001 (playwright's TimeoutError)
                raise AssertionError(
                    f"cell {index}: {action} did not change the output it drives within "
                    f"{CHANGE_TIMEOUT_MS / 1000:.0f} s; output was:\n{before['text'][:500]}") from exc
            page.wait_for_function(JS_IDLE, timeout=RUN_ALL_TIMEOUT_MS, polling=250)
            page.wait_for_timeout(300)  # let clear_output(wait=True) + redraw settle
            now = page.evaluate(JS_OUTPUT_DIGEST, index)
            assert "Traceback" not in now["text"], f"cell {index}: {action} raised:\n{now['text'][:1500]}"
            try:  # a figure the explorer drew before must be drawn again, and painted
                page.wait_for_function(JS_IMAGES_PAINTED, arg=[index, before["images"]],
                                       timeout=CHANGE_TIMEOUT_MS, polling=100)
            except Exception as exc:  # noqa: BLE001
                now = page.evaluate(JS_OUTPUT_DIGEST, index)
                raise AssertionError(f"cell {index}: after {action} the explorer shows {now['painted']} painted "
                                     f"figure(s) of {now['images']}, it showed {before['images']} before") from exc
            after = page.evaluate(JS_OUTPUT_DIGEST, index)
            assert after["hash"] != before["hash"], f"cell {index}: output changed, then went back after {action}"
            assert "Traceback" not in after["text"], f"cell {index}: {action} raised:\n{after['text'][:1500]}"
            moved.append(f"cell {index}: {action} ({after['images']} image(s), {after['svgs']} svg(s) after)")
            if len(moved) == 1:
                cell.locator(DRIVEN).first.scroll_into_view_if_needed()
                page.wait_for_timeout(1000)  # let the compositor paint the new figure
                shot = screenshot_dir / f"{notebook.stem}.png"
                page.screenshot(path=str(shot))
                record_screenshot(notebook.name, shot)

        assert moved, (f"{notebook.name}: no explorer cell had a control we could move and an output it "
                       f"drives ({DRIVEN}; widget cells: {widget_cells})")
        print(f"{notebook.name}: " + "; ".join(moved))
    finally:
        try:  # stop this notebook's kernel now rather than when the server stops
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        except Exception:  # noqa: BLE001 (the page may be gone after a failure)
            pass
        context.close()
