"""The explorer in a real browser: JupyterLab under headless Chromium.

The test starts JupyterLab on a free localhost port (token auth, ``--no-browser``, a temporary
root dir holding a copy of the notebook, temporary HOME / Jupyter config, data and runtime dirs
so nothing of the user's is read or written), opens the notebook in Debian's ``/usr/bin/chromium``
driven by Playwright (which never downloads a browser here), runs all cells from the Run menu,
waits for the kernel to be idle and then checks the explorer widget the way a reader sees it.

Notebook under test: ``notebooks/05-explorer.ipynb``; until it exists, the stand-in
``tests/browser_standin.ipynb`` (the same DOM shape built from numpy, matplotlib and ipywidgets).
The test prints which one it opened.

What the explorer must render (ipywidgets 8 class names), so the test can find it: one notebook
output (``.jp-OutputArea-output``) holding

- the method dropdown: ``.outliers-method select`` if present, else the first
  ``.widget-dropdown select`` (it must list more than one method);
- the threshold slider: the visible ``.outliers-threshold`` if present, else the
  ``.widget-slider`` whose description (``.widget-label``) mentions "threshold", else the first
  ``.widget-slider``; it is moved with the keyboard on its ``.noUi-handle`` (ArrowRight, then
  ArrowLeft if it is at the end);
- the plot: ``img.outliers-plot`` (the explorer's Image widget), else an ``img`` or ``canvas``
  inside a ``.widget-output`` (``%matplotlib inline`` PNGs);
- the count: ``.outliers-count`` (give the count ``Label`` that class with
  ``label.add_class("outliers-count")``), else the first ``.widget-label`` / ``.widget-html``
  whose text matches ``N flagged (p%)``, i.e. ``\\d+ flagged \\(\\d+(\\.\\d+)?%\\)``.

Moving the threshold slider must change the count text. With the explorer notebook (not the
stand-in), the test then chooses other methods in the method dropdown (``.outliers-method
select``) and reads the controls back: the visible ``.outliers-threshold`` slider and
``.outliers-window`` dropdown (none for esd) show the new method's defaults, and the count
equals what ``ol.mask`` gives for that method's defaults on the column shown
(``.outliers-column select``) with the values of the ``.outliers-missing`` box declared
missing. Last, on TMAX, it chooses mad with a "30D" window, then the "trailing" button of
``.outliers-center`` (hidden while the window is the whole sample), and checks the count
against ``ol.mask`` each time. A screenshot of the page is
written to ``docs/images/explorer-jupyterlab.png`` when ``OUTLIERS_SCREENSHOTS=1``, else into
``tmp_path``.

Skips only when ``/usr/bin/chromium``, playwright or jupyterlab is missing (``.ci/run`` installs
Debian's ``chromium``); anything else going wrong is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EXPLORER = ROOT / "notebooks" / "05-explorer.ipynb"
STANDIN = HERE / "browser_standin.ipynb"
SCREENSHOT = ROOT / "docs" / "images" / "explorer-jupyterlab.png"
COUNT_RE = re.compile(r"\d+ flagged \(\d+(\.\d+)?%\)")

SERVER_START_S = 90  # JupyterLab answering /api/status
PAGE_S = 60  # the notebook open and its kernel idle
RUN_S = 90  # every cell executed, kernel idle again
WIDGET_S = 30  # the explorer rendered, a slider move reflected

if not CHROMIUM.exists():
    pytest.skip(
        f"no browser: {CHROMIUM} is not installed (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install '.[test]')"
)
pytest.importorskip("jupyterlab", reason="jupyterlab is not installed (pip install '.[test]')")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab: its base URL, token, log file and process."""

    def __init__(self, url, token, log: Path, proc: subprocess.Popen, notebook: str, env: dict):
        self.url, self.token, self.log, self.proc = url, token, log, proc
        self.notebook, self.env = notebook, env  # the notebook's name in the root dir; HOME & co

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 40) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


def _stop(lab: Lab) -> None:
    """Shut the server (and so its kernels) down politely, then firmly; bounded throughout."""
    if lab.proc.poll() is None:
        try:
            lab.api("/api/shutdown", method="POST")
        except (OSError, urllib.error.URLError):
            pass
        try:
            lab.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.proc.terminate()
            try:
                lab.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                lab.proc.kill()
                lab.proc.wait(timeout=10)


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving a temporary copy of the notebook under test; always shut down."""
    source = EXPLORER if EXPLORER.exists() else STANDIN
    print(f"notebook under test: {source}")
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(source, root / source.name)
    home = tmp_path / "home"
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1",
    )
    # No "news" prompt: it would cover part of the page in the screenshot.
    labconfig = home / "jupyter-config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    port, token = _free_port(), uuid.uuid4().hex
    log = tmp_path / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Lab(f"http://127.0.0.1:{port}", token, log, proc, source.name, env)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                server.api("/api/status")
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    tail = server.log_tail()
                    pytest.fail(f"JupyterLab did not answer within {SERVER_START_S} s:\n{tail}")
                time.sleep(0.25)
        yield server
    finally:
        _stop(server)


def _wait_for_idle_kernel(page, lab: Lab, timeout_s: float) -> None:
    """The notebook's session exists and its kernel reports idle, to the server and the page."""
    deadline = time.monotonic() + timeout_s
    while True:
        sessions = lab.api("/api/sessions")
        states = [s["kernel"]["execution_state"] for s in sessions if s["path"] == lab.notebook]
        if states == ["idle"]:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"no idle kernel after {timeout_s} s: {sessions}")
        page.wait_for_timeout(250)
    status = page.get_by_role("contentinfo").get_by_role("button", name=re.compile(r"\| Idle$"))
    sync_api.expect(status).to_be_visible(timeout=timeout_s * 1000)


def _kernel_is_this_interpreter(lab: Lab) -> None:
    """The notebook's kernel runs this venv's Python, where the package is installed."""
    sessions = lab.api("/api/sessions")
    assert [s["kernel"]["name"] for s in sessions] == ["python3"], sessions
    spec = lab.api("/api/kernelspecs")["kernelspecs"]["python3"]["spec"]
    executable = spec["argv"][0]
    # jupyter_client starts a bare "python"/"python3" as the server's own sys.executable.
    assert executable in {"python", "python3", sys.executable}, spec


def _threshold_slider(output):
    for candidate in (
        output.locator(".outliers-threshold:visible"),  # one per method, the current one shown
        output.locator(".widget-slider").filter(
            has=output.page.locator(".widget-label", has_text=re.compile("threshold", re.I))
        ),
        output.locator(".widget-slider"),
    ):
        if candidate.count():
            return candidate.first
    raise AssertionError("no slider in the explorer")


def _count_label(output):
    marked = output.locator(".outliers-count")
    if marked.count():
        return marked.first
    return output.locator(".widget-label, .widget-html").filter(has_text=COUNT_RE).first


def _settle(page, lab: Lab, count, plot, timeout_s: float) -> tuple[str, str | None]:
    """Wait until the kernel is idle and the count and plot stop changing; return them."""
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        _wait_for_idle_kernel(page, lab, timeout_s)
        now = (count.inner_text(), plot.get_attribute("src"))
        if now == last:
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"the explorer kept changing for {timeout_s} s: {now}")
        last = now
        page.wait_for_timeout(500)


def _run_all_cells(page, lab: Lab):
    """Open the notebook, run all its cells from the Run menu, wait until they have all run."""
    expect = sync_api.expect
    page.goto(f"{lab.url}/lab/tree/{lab.notebook}?token={lab.token}", timeout=PAGE_S * 1000)
    notebook = page.locator(".jp-NotebookPanel")
    expect(notebook).to_be_visible(timeout=PAGE_S * 1000)
    _wait_for_idle_kernel(page, lab, PAGE_S)
    _kernel_is_this_interpreter(lab)
    # A wider notebook: fold the file browser away (clicking its open tab collapses it).
    page.get_by_role("tablist", name="main sidebar").get_by_role("tab", selected=True).click()

    page.get_by_role("menubar").get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()

    # Every code cell has run when its prompt shows a number (not "[ ]:" or "[*]:").
    prompts = notebook.locator(".jp-CodeCell .jp-InputPrompt")
    tracebacks = notebook.locator(".jp-OutputArea-output").filter(
        has_text="Traceback (most recent call last)"
    )
    assert prompts.count(), "the notebook has no code cells"
    deadline = time.monotonic() + RUN_S
    while True:
        assert not tracebacks.count(), tracebacks.first.inner_text()
        texts = prompts.all_inner_texts()
        if all(re.fullmatch(r"\[\d+\]:", text.strip()) for text in texts):
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"cells still not run after {RUN_S} s: {texts}")
        page.wait_for_timeout(250)
    _wait_for_idle_kernel(page, lab, RUN_S)
    assert not tracebacks.count(), tracebacks.first.inner_text()
    if lab.notebook == STANDIN.name:  # it prints its kernel's interpreter: this venv's
        printed = notebook.locator(".jp-OutputArea-output", has_text="kernel: ").inner_text()
        kernel_python = printed.strip().removeprefix("kernel: ")
        assert os.path.abspath(kernel_python) == os.path.abspath(sys.executable), printed
    return notebook


def _move_threshold(handle, count, before: str) -> str:
    """Step the slider right (left if it is at the end) until the count text changes."""
    start = handle.get_attribute("aria-valuenow")
    for key in ("ArrowRight", "ArrowLeft"):
        for _ in range(6):  # up to 30 steps each way, 5 at a time
            for _ in range(5):
                handle.press(key)
            try:
                sync_api.expect(count).not_to_have_text(before, timeout=3000)
            except AssertionError:
                continue
            assert handle.get_attribute("aria-valuenow") != start
            return key
    raise AssertionError(
        f"the count stayed {before!r} while the threshold moved from {start} to "
        f"{handle.get_attribute('aria-valuenow')}"
    )


def _visible(output, selector: str):
    """The one visible element matching `selector` in `output` (hidden controls excluded)."""
    found = output.locator(f"{selector}:visible")
    sync_api.expect(found).to_have_count(1)
    return found


def _slider_reading(slider) -> tuple[str, float]:
    """A slider's description and the value its readout shows (the handle's aria-valuenow is
    rounded to a tenth: 0.0 for quantile's 0.01)."""
    label = slider.locator(".widget-label").first.inner_text().strip()
    return label, float(slider.locator(".widget-readout").first.inner_text())


def _switch_methods(page, lab: Lab, output, count, plot) -> None:
    """Choose methods in the dropdown; the controls show their defaults, the count agrees."""
    import outliers as ol
    from outliers import widgets

    method = output.locator(".outliers-method select")
    assert method.count() == 1, "the explorer has no .outliers-method dropdown"
    column = output.locator(".outliers-column select").input_value()
    missing = widgets.parse_missing(output.locator(".outliers-missing input").input_value())
    s = ol.datasets.load_weather()[column]
    present = int((s.notna() & ~s.isin(missing)).sum())
    defaults = ol.methods()
    for name in ("zscore", "quantile", "hampel", "iqr", "esd"):
        method.select_option(name)
        want = widgets.count_text(int(ol.mask(s, name, missing=missing).sum()), present)
        sync_api.expect(count).to_have_text(want, timeout=WIDGET_S * 1000)
        _settle(page, lab, count, plot, WIDGET_S)
        assert count.inner_text() == want, (name, count.inner_text(), want)
        parameter, _, _, _ = widgets.SLIDERS[name]
        default = defaults[name]["low" if parameter == "tail" else parameter]
        reading = _slider_reading(_visible(output, ".outliers-threshold"))
        assert reading == (parameter, default), (name, reading)
        windows = output.locator(".outliers-window:visible")
        if name == "esd":  # a test of the whole sample: no window
            assert windows.count() == 0, name
        else:
            window = defaults[name].get("window")
            shown = widgets.WHOLE if window is None else f"{window} points"
            assert _chosen(windows) == shown, (name, _chosen(windows))
        print(f"{name}: {reading}, {want!r}")


def _chosen(dropdown) -> str:
    """The text of a dropdown's selected option (ipywidgets writes its spaces as &nbsp;)."""
    text = dropdown.locator("select").evaluate("s => s.options[s.selectedIndex].text")
    return text.replace("\xa0", " ")


def _switch_window(page, lab: Lab, output, count, plot) -> None:
    """On TMAX choose mad, then a 30-day window, then trailing: the count follows ``ol.mask``."""
    import outliers as ol
    from outliers import widgets

    output.locator(".outliers-column select").select_option("TMAX")
    _settle(page, lab, count, plot, WIDGET_S)
    column = output.locator(".outliers-column select").input_value()
    assert column == "TMAX", column
    missing = widgets.parse_missing(output.locator(".outliers-missing input").input_value())
    s = ol.datasets.load_weather()[column]
    present = int((s.notna() & ~s.isin(missing)).sum())
    output.locator(".outliers-method select").select_option("mad")
    center = output.locator(".outliers-center")
    sync_api.expect(center).to_be_hidden()  # the whole sample: nothing to centre
    steps = (
        (lambda: _visible(output, ".outliers-window").locator("select").select_option(label="30D"),
         {"window": "30D"}),
        (lambda: center.get_by_role("button", name="trailing").click(),
         {"window": "30D", "center": False}),
    )  # fmt: skip
    for act, params in steps:
        act()
        flagged = int(ol.mask(s, "mad", missing=missing, **params).sum())
        want = widgets.count_text(flagged, present)
        sync_api.expect(count).to_have_text(want, timeout=WIDGET_S * 1000)
        _settle(page, lab, count, plot, WIDGET_S)
        assert count.inner_text() == want, (params, count.inner_text(), want)
        sync_api.expect(center).to_be_visible()
        print(f"mad {params}: {want!r}")


def test_browser_explorer_renders_and_follows_the_threshold_slider(lab, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")  # never fetch a browser
    expect = sync_api.expect
    screenshot = SCREENSHOT if os.environ.get("OUTLIERS_SCREENSHOTS") == "1" else None
    screenshot = screenshot or tmp_path / "explorer-jupyterlab.png"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            env=lab.env,  # the temporary HOME: nothing of the user's profile is touched
            timeout=60_000,
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(WIDGET_S * 1000)
            try:
                notebook = _run_all_cells(page, lab)

                # The explorer: the first output holding a dropdown and a slider.
                output = (
                    notebook.locator(".jp-OutputArea-output")
                    .filter(has=page.locator(".widget-dropdown select"))
                    .filter(has=page.locator(".widget-slider"))
                    .first
                )
                expect(output).to_be_visible()
                method = output.locator(".outliers-method select")
                if not method.count():
                    method = output.locator(".widget-dropdown select").first
                assert method.locator("option").count() > 1, method.inner_html()
                plot = output.locator("img.outliers-plot")
                if not plot.count():
                    plot = output.locator(".widget-output").locator("img, canvas").first
                expect(plot).to_be_visible()
                box = plot.bounding_box()
                assert box and box["width"] > 100 and box["height"] > 50, box
                count = _count_label(output)
                expect(count).to_have_text(COUNT_RE)
                handle = _threshold_slider(output).locator(".noUi-handle").first
                expect(handle).to_be_visible()
                before, image_before = _settle(page, lab, count, plot, WIDGET_S)

                key = _move_threshold(handle, count, before)
                after, image_after = _settle(page, lab, count, plot, WIDGET_S)
                assert after != before and COUNT_RE.search(after), (before, after)
                expect(plot).to_be_visible()
                if image_before is not None:  # an <img>: the picture was redrawn
                    assert image_after != image_before, "the plot did not change"
                print(f"{key}: {before!r} -> {after!r}")
                if lab.notebook == EXPLORER.name:  # the stand-in has one slider for two methods
                    _switch_methods(page, lab, output, count, plot)
                    _switch_window(page, lab, output, count, plot)

                output.scroll_into_view_if_needed()
                page.mouse.move(0, 0)  # no hover highlight in the picture
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
                print(f"screenshot: {screenshot}")
            except BaseException:
                failure = tmp_path / "failure.png"
                page.screenshot(path=str(failure))
                print(f"failure screenshot: {failure}\nJupyterLab log:\n{lab.log_tail()}")
                raise
        finally:
            browser.close()
