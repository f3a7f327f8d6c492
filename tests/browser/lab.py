"""A real JupyterLab in a real browser, for the browser tests and the latency benchmark.

- ``LabServer.start(workdir)``: a JupyterLab server on 127.0.0.1 (a free port, token login) that
  serves a *copy* of the course's notebooks and keeps its configuration, runtime, data, settings
  and workspaces in ``workdir``, so nothing of the user's is read or touched. Its kernel is this
  Python environment's (``sys.executable``).
- ``launch_chromium(playwright)``: Debian's Chromium, or Playwright's own browser.
- ``NotebookPage``: one notebook opened fresh in its own browser context: run all cells, wait for
  the figures, find the apps (a widget output holding controls and an ipympl figure), move a
  control with the keyboard, read a canvas' pixels, save a screenshot of the whole notebook.

Everything waits in bounded loops; every timeout is in seconds.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
NOTEBOOK_FOLDERS = ("notebooks", "solutions")
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INSTALL_HINT = (
    "install Chromium: `apt-get install chromium` on Debian or Ubuntu, "
    "or `python -m playwright install chromium` elsewhere"
)
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 12_000  # pixels of one PNG; a longer notebook is saved in parts

#: User settings of the isolated JupyterLab: no news, no update checks (no network, no toasts).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def notebook_paths(root=ROOT):
    """Every learner and solution notebook, relative to root: ['notebooks/02_...', ...]."""
    paths = []
    for folder in NOTEBOOK_FOLDERS:
        paths += sorted((root / folder).glob(NOTEBOOK_PATTERN))
    return [path.relative_to(root).as_posix() for path in paths]


def artifact_name(rel_path):
    """'solutions/02_sampling_scales.ipynb' -> 'solutions-02_sampling_scales'."""
    return rel_path.removesuffix(".ipynb").replace("/", "-")


# ---------------------------------------------------------------------------------------------
# The browser


def browser_problem():
    """None when a Chromium can be launched by Playwright, else why not (one sentence)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "the `playwright` Python package is not installed (pip install playwright)"
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return None
    try:
        with sync_playwright() as playwright:
            own = playwright.chromium.executable_path
    except Exception as error:  # noqa: BLE001 - any failure means: no usable browser
        return f"Playwright could not start ({error})"
    if own and Path(own).exists():
        return None
    return f"no Chromium found, neither {DEBIAN_CHROMIUM} nor Playwright's own browser"


def skip_or_fail(problem):
    """Skip the browser tests with an install hint; under CI=true, fail instead."""
    import pytest

    message = f"browser tests need Chromium: {problem}; {INSTALL_HINT}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def launch_chromium(playwright, timeout=30):
    """Debian's Chromium when it is installed, else Playwright's own; headless."""
    executable = DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None
    return playwright.chromium.launch(
        executable_path=executable, args=CHROMIUM_FLAGS, headless=True, timeout=timeout * 1000
    )


# ---------------------------------------------------------------------------------------------
# A busy machine

#: Named loads for the tests and the benchmark: how many cores other work keeps busy.
LOADS = {"quiet": 0, "one busy core": 1, "both cores busy": 2}
BUSY_LOOP = "while True: pass"


@contextmanager
def busy_cores(n):
    """Keep n cores busy while the block runs, as other work on a learner's laptop would.

    Each is a Python process spinning at normal priority, started here and always stopped.
    """
    spinners = [
        subprocess.Popen(
            [sys.executable, "-c", BUSY_LOOP],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(n)
    ]
    try:
        yield spinners
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait(10)


# ---------------------------------------------------------------------------------------------
# The server


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path, lines=40):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


#: The front ends a learner opens the course in: (module run with -m, its own options).
FRONT_ENDS = {
    "lab": (
        "jupyterlab",
        [
            # window.jupyterapp: the tests read cells, outputs and the kernel from the app
            "--LabApp.expose_app_in_browser=True",
            # nothing from the network: no update check, no extension listing from PyPI
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ],
    ),
    "notebook": ("notebook", ["--JupyterNotebookApp.expose_app_in_browser=True"]),
}


@dataclass
class LabServer:
    """A Jupyter server with a front end (JupyterLab, or Notebook 7), started by start().

    stop() it (a finalizer's job).
    """

    workdir: Path
    root_dir: Path
    token: str
    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)  # the environment of the server and its kernels
    front_end: str = "lab"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls, workdir, *, repo=ROOT, timeout=60, attempts=3, server_config=None, front_end="lab"
    ):
        """Copy the notebooks into workdir, start a server on them, wait until it answers.

        server_config: extra Jupyter server configuration ({"ServerApp": {...}}), if any;
        front_end: "lab" (JupyterLab) or "notebook" (Jupyter Notebook 7).
        """
        workdir = Path(workdir)
        root_dir = workdir / "course"
        for folder in NOTEBOOK_FOLDERS:
            if (repo / folder).is_dir():
                shutil.copytree(
                    repo / folder,
                    root_dir / folder,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
                    dirs_exist_ok=True,
                )
        root_dir.mkdir(parents=True, exist_ok=True)
        env = _isolated_env(workdir, repo)
        if server_config:
            config = Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json"
            config.write_text(json.dumps(server_config))
        for attempt in range(attempts):
            server = cls._launch(workdir, root_dir, env, attempt, front_end)
            try:
                server._wait_until_ready(timeout)
                return server
            except _PortTaken:
                server.stop()
        raise RuntimeError(f"JupyterLab found no free port in {attempts} attempts")

    @classmethod
    def _launch(cls, workdir, root_dir, env, attempt, front_end):
        token = secrets.token_hex(16)
        port = free_port()
        log_path = workdir / f"{front_end}-{attempt}.log"
        module, options = FRONT_ENDS[front_end]
        command = [
            sys.executable,
            "-m",
            module,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root_dir}",
            *options,
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # containers and CI machines often run as root
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=root_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so that stop() can end it all
            )
        return cls(workdir, root_dir, token, port, process, log_path, env, front_end)

    def _wait_until_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = _tail(self.log_path)
                if "already in use" in log:
                    raise _PortTaken()
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{log}")
            try:
                self.api("/api/status", timeout=2)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{_tail(self.log_path)}")

    def api(self, path, method="GET", timeout=10):
        """A request to the server's REST API with the token; -> the JSON answer (or None)."""
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, rel_path):
        """The page that opens one notebook, logged in by token (JupyterLab: in a fresh
        workspace, ?reset; Notebook 7: its notebook page)."""
        if self.front_end == "notebook":
            return f"{self.url}/notebooks/{rel_path}?token={self.token}"
        return f"{self.url}/lab/tree/{rel_path}?reset&token={self.token}"

    def kernelspec_problems(self, name="python3"):
        """Why the server's kernel `name` would not run this environment's Python (or [])."""
        specs = self.api("/api/kernelspecs")["kernelspecs"]
        if name not in specs:
            return [f"the server has no kernelspec {name!r} (it has {sorted(specs)})"]
        program = specs[name]["spec"]["argv"][0]
        # jupyter_client replaces a bare "python" (or python3, python3.X) by the server's own
        # sys.executable, which is ours: the server runs as `sys.executable -m jupyterlab`
        major, minor = sys.version_info[:2]
        bare = {"python", f"python{major}", f"python{major}.{minor}"}
        if program in bare or os.path.realpath(program) == os.path.realpath(sys.executable):
            return []
        return [f"kernelspec {name!r} runs {program}, not this environment's {sys.executable}"]

    def shutdown_sessions(self, rel_path=None):
        """Shut down the kernels of the notebook rel_path (of every notebook when None)."""
        try:
            for session in self.api("/api/sessions"):
                if rel_path is None or session.get("path") == rel_path:
                    self.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=30)
        except (OSError, urllib.error.URLError):
            pass

    def log_size(self):
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset):
        """What the server (and its kernels, which share its stderr) logged after offset."""
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self, timeout=15):
        """Shut the kernels down, then the server: terminate, and kill after a timeout."""
        if self.process.poll() is None:
            self.shutdown_sessions()
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                if hasattr(os, "killpg"):
                    os.killpg(self.process.pid, signal.SIGKILL)  # the group start() created
                else:
                    self.process.kill()
                self.process.wait(timeout)


class _PortTaken(Exception):
    """Someone took the free port between free_port() and the server's bind."""


def _isolated_env(workdir, repo):
    """The server's environment: its own Jupyter, JupyterLab, IPython and matplotlib dirs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_")) and key not in ("IPYTHONDIR", "MPLBACKEND")
    }
    dirs = {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
    }
    for variable, name in dirs.items():
        path = Path(workdir) / name
        path.mkdir(parents=True, exist_ok=True)
        env[variable] = str(path)
    for name, settings in LAB_SETTINGS.items():
        path = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    # kernelspecs and lab extensions from this environment first (then the empty data dir)
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    # the kernel imports this checkout's course_utils, whatever else is installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))
    # ipykernel's debugger warns on stderr about frozen modules; that is noise in the log
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


# ---------------------------------------------------------------------------------------------
# The page

#: Installed in every page before JupyterLab loads: reads the app's state, tags apps and
#: figures with data-course-* attributes (so Python can address them), reads canvas pixels.
HELPERS_JS = r"""
(() => {
  const CONTROLS = '.noUi-handle, select, input, textarea, button';

  function panel() {
    const app = window.jupyterapp;
    return app && app.shell && app.shell.currentWidget;
  }

  function codeCells() {
    return panel().content.widgets
      .map((cell, index) => ({cell, index}))
      .filter(({cell}) => cell.model.type === 'code');
  }

  // ipympl stacks two canvases: the figure (z-index 0) and the zoom rubberband above it
  function figureCanvas(figure) {
    if (!figure) return null;
    const canvases = [...figure.querySelectorAll('.jupyter-matplotlib-canvas-div canvas')];
    return canvases.find((c) => c.style.zIndex === '0') || canvases[0] || null;
  }

  function pixels(canvas) {
    if (!canvas || !canvas.width || !canvas.height) {
      return {hash: 'no pixels', colours: 0, width: 0, height: 0};
    }
    const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const words = new Uint32Array(image.data.buffer);
    let hash = 0x811c9dc5;
    const colours = new Set();
    for (let i = 0; i < words.length; i++) {
      hash = Math.imul(hash ^ words[i], 16777619);
      if (colours.size < 64) colours.add(words[i]);
    }
    return {
      hash: (hash >>> 0).toString(16) + '/' + canvas.width + 'x' + canvas.height,
      colours: colours.size,
      white: colours.size === 1 && words[0] === 0xffffffff,
      width: canvas.width,
      height: canvas.height,
    };
  }

  function figurePixels(id) {
    return pixels(figureCanvas(document.querySelector(`[data-course-figure="${id}"]`)));
  }

  function describeControl(el) {
    const box = el.closest('.widget-inline-hbox, .widget-toggle-buttons, .widget-checkbox');
    const labelNode = box && box.querySelector('.widget-label, .widget-label-basic span');
    const label = ((labelNode && labelNode.textContent) || el.textContent || '').trim();
    if (el.classList.contains('noUi-handle')) {
      return {
        kind: 'slider', label,
        now: Number(el.getAttribute('aria-valuenow')),
        min: Number(el.getAttribute('aria-valuemin')),
        max: Number(el.getAttribute('aria-valuemax')),
        text: el.getAttribute('aria-valuetext'),
      };
    }
    if (el.tagName === 'SELECT') {
      return {kind: 'select', label, now: el.selectedIndex, min: 0, max: el.options.length - 1};
    }
    if (el.tagName === 'INPUT' && el.type === 'checkbox') {
      return {kind: 'checkbox', label, now: el.checked ? 1 : 0};
    }
    if (el.tagName === 'BUTTON') return {kind: 'button', label};
    return {kind: el.tagName.toLowerCase() + (el.type ? ':' + el.type : ''), label};
  }

  // The element that takes the keyboard for an app's first control.
  function firstControl(output, selector) {
    const candidates = [...output.querySelectorAll(selector || CONTROLS)].filter(
      (el) => !el.closest('.jupyter-matplotlib, .widget-output') && !el.disabled);
    const first = candidates[0];
    if (first && first.classList.contains('widget-toggle-button')) {
      // pressing the active toggle button changes nothing: take its first inactive sibling
      const group = [...first.parentElement.querySelectorAll('button')];
      return group.find((b) => !b.classList.contains('mod-active') && !b.disabled) || first;
    }
    return first || null;
  }

  function topOutputs(root) {
    return [...root.querySelectorAll('.jp-OutputArea-output')].filter(
      (o) => !o.parentElement.closest('.jp-OutputArea-output'));
  }

  // A message of Jupyter's websocket protocol (v1 binary framing, or legacy JSON) ->
  // {header, parent, content, buffers}, or null.
  function decodeMessage(data) {
    try {
      if (typeof data === 'string') {
        const msg = JSON.parse(data);
        return {header: msg.header, parent: msg.parent_header || {}, content: msg.content,
                buffers: (msg.buffers || []).length};
      }
      if (!(data instanceof ArrayBuffer)) return null;
      const view = new DataView(data);
      const n = Number(view.getBigUint64(0, true));
      const offsets = [];
      for (let i = 0; i < n; i++) offsets.push(Number(view.getBigUint64(8 * (i + 1), true)));
      const text = new TextDecoder();
      const json = (i) => JSON.parse(
        text.decode(new Uint8Array(data, offsets[i], offsets[i + 1] - offsets[i])));
      return {header: json(1), parent: json(2), content: json(4), buffers: n - 6};
    } catch (e) {
      return null;
    }
  }

  // The comms the page opens to "jupyter.widget.control" (see controlComms below).
  const controlComms = new Set();
  const nativeSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const msg = decodeMessage(data);
    if (msg && msg.header.msg_type === 'comm_open'
        && msg.content.target_name === 'jupyter.widget.control') {
      controlComms.add(msg.content.comm_id);
    }
    return nativeSend.call(this, data);
  };

  window.__course = {
    panel, figureCanvas, pixels, figurePixels, decodeMessage,

    // The widget manager's control comms: JupyterLab 4.6 sends a new comm's first messages
    // to the kernel's main shell and later ones to a subshell thread, so a follow-up message
    // can reach the kernel before the comm_open queued behind running cells ("No such comm").
    controlComms() {
      return [...controlComms];
    },

    state() {
      const p = panel();
      if (!p || !p.content || !p.sessionContext || !p.context) return {ready: false};
      const kernel = p.sessionContext.session && p.sessionContext.session.kernel;
      const dialog = document.querySelector('.jp-Dialog');
      return {
        ready: p.context.isReady,
        path: p.context.path,
        kernelName: kernel ? kernel.name : null,
        kernelDisplayName: p.sessionContext.kernelDisplayName,
        status: kernel ? kernel.status : null,
        dialog: dialog ? dialog.innerText.slice(0, 300) : null,
        cells: codeCells().map(({cell, index}) => {
          const prompt = cell.node.querySelector('.jp-InputPrompt');
          return {
            index,
            count: cell.model.executionCount,
            running: cell.model.executionState === 'running',
            prompt: prompt ? prompt.textContent.trim() : '',
          };
        }),
      };
    },

    runAll() {
      // not awaited: the command's promise settles only when every cell has run
      window.jupyterapp.commands.execute('runmenu:run-all');
    },

    // Error outputs and stderr, per code cell.
    errorOutputs() {
      const found = [];
      for (const {cell, index} of codeCells()) {
        for (const out of cell.model.outputs.toJSON()) {
          if (out.output_type === 'error') {
            found.push({cell: index, kind: 'error', text: `${out.ename}: ${out.evalue}`});
          } else if (out.output_type === 'stream' && out.name === 'stderr') {
            const text = Array.isArray(out.text) ? out.text.join('') : out.text;
            found.push({cell: index, kind: 'stderr', text: text.slice(0, 500)});
          }
        }
      }
      return found;
    },

    // Widgets that failed to show, or still wait for their model.
    widgetProblems() {
      const found = [];
      for (const {cell, index} of codeCells()) {
        const area = cell.node.querySelector('.jp-Cell-outputArea');
        if (!area) continue;
        const text = area.textContent;
        if (text.includes('Error displaying widget')) {
          found.push({cell: index, problem: 'Error displaying widget'});
        }
        if (area.querySelector('.jupyter-widgets-error-widget')) {
          found.push({cell: index, problem: 'a widget view failed: ' + text.slice(0, 200)});
        }
        if (text.includes('Loading widget...')) {
          found.push({cell: index, problem: 'a widget is still "Loading widget..."'});
        }
      }
      return found;
    },

    // Tag every ipympl figure and every app; -> {figures: [...], apps: [...]}.
    // controls: a CSS selector of the elements that count as controls (default: all of them)
    tag(controls) {
      const p = panel();
      const cells = p.content.widgets;
      const root = p.content.node;
      for (const el of document.querySelectorAll('[data-course-app], [data-course-control]')) {
        delete el.dataset.courseApp;
        delete el.dataset.courseControl;
      }
      const figureEls = [...root.querySelectorAll('.jupyter-matplotlib')];
      const cellOf = (el) => cells.findIndex((c) => c.node.contains(el));
      const figures = figureEls.map((el, i) => {
        el.dataset.courseFigure = String(i);
        return {id: i, cell: cellOf(el), ...pixels(figureCanvas(el))};
      });
      const apps = [];
      for (const output of topOutputs(root)) {
        const figs = [...output.querySelectorAll('.jupyter-matplotlib')];
        const control = firstControl(output, controls);
        if (!figs.length || !control) continue;  // a figure alone, or controls alone
        const id = apps.length;
        output.dataset.courseApp = String(id);
        control.dataset.courseControl = String(id);
        const cell = cellOf(output);
        const errors = [...output.querySelectorAll('.widget-output')]
          .map((o) => o.innerText.trim()).filter(Boolean);
        apps.push({
          id, cell,
          source: cell >= 0 ? cells[cell].model.sharedModel.getSource() : '',
          figures: figs.map((f) => Number(f.dataset.courseFigure)),
          control: describeControl(control),
          errors,
        });
      }
      return {figures, apps};
    },

    // Errors and stderr the kernel sends outside the cells' own runs (widget callbacks, comm
    // handlers): JupyterLab shows them nowhere, so the tests collect them from IOPub.
    watchKernel() {
      const p = panel();
      window.__courseKernelOutput = window.__courseKernelOutput || [];
      if (p.__courseWatched) return;
      p.__courseWatched = true;
      p.sessionContext.iopubMessage.connect((_, msg) => {
        const type = msg.header.msg_type;
        const parent = (msg.parent_header || {}).msg_type || null;
        if (parent === 'execute_request') return;  // a cell's output: errorOutputs() has it
        if (type === 'error') {
          window.__courseKernelOutput.push(
            {parent, kind: 'error', text: `${msg.content.ename}: ${msg.content.evalue}`});
        } else if (type === 'stream' && msg.content.name === 'stderr') {
          window.__courseKernelOutput.push(
            {parent, kind: 'stderr', text: String(msg.content.text).slice(0, 500)});
        }
      });
    },

    kernelOutput() {
      return window.__courseKernelOutput || [];
    },

    describeControl(id) {
      return describeControl(document.querySelector(`[data-course-control="${id}"]`));
    },

    // How much taller the window must grow to show every cell at once.
    missingHeight() {
      const p = panel();
      const outer = p.content.node.querySelector('.jp-WindowedPanel-outer');
      const inner = p.content.node.querySelector('.jp-WindowedPanel-viewport');
      if (!outer || !inner) return 0;
      return Math.ceil(inner.getBoundingClientRect().height - outer.clientHeight + 16);
    },

    scrollTo(y) {
      const outer = panel().content.node.querySelector('.jp-WindowedPanel-outer');
      if (outer) outer.scrollTop = y;
      return outer ? outer.scrollHeight : 0;
    },

    // Code the kernel runs outside the notebook's cells (no prompt, no history); -> stdout.
    async kernelStdout(code) {
      const kernel = panel().sessionContext.session.kernel;
      const future = kernel.requestExecute({code, silent: false, store_history: false});
      let out = '';
      future.onIOPub = (msg) => {
        if (msg.header.msg_type === 'stream') out += msg.content.text;
      };
      const timeout = new Promise((resolve, reject) => setTimeout(
        () => reject(new Error('the kernel did not answer within 20 s')), 20000));
      await Promise.race([future.done, timeout]);
      return out;
    },
  };
})();
"""


class LabTimeout(AssertionError):
    """A bounded wait in the page ran out."""


class NotebookPage:
    """One notebook in its own browser context (fresh storage, fresh JupyterLab workspace)."""

    def __init__(self, browser, server, rel_path, *, viewport=None, init_scripts=()):
        self.server = server
        self.rel_path = rel_path
        self.context = browser.new_context(viewport=viewport or VIEWPORT, device_scale_factor=1)
        self.context.add_init_script(HELPERS_JS)
        for script in init_scripts:
            self.context.add_init_script(script)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.console = []  # (type, text, where) of every console message and page error
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console.append(("pageerror", str(error), "")))

    def _on_console(self, message):
        location = message.location or {}
        where = f"{location.get('url', '')}:{location.get('lineNumber', '')}"
        self.console.append((message.type, message.text, where))

    def console_errors(self):
        return [entry for entry in self.console if entry[0] in ("error", "pageerror")]

    def close(self):
        self.context.close()

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    def state(self):
        """The notebook panel's state (see HELPERS_JS); {} while the page (re)loads."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            return self.js("() => window.__course ? __course.state() : {}")
        except PlaywrightError as error:
            if "context was destroyed" in str(error) or "navigat" in str(error):
                return {}
            raise

    def summary(self):
        """The kernel and prompts in one line, for messages."""
        state = self.state()
        prompts = " ".join(c["prompt"] for c in state.get("cells", []))
        return (
            f"kernel {state.get('kernelName')!r} ({state.get('kernelDisplayName')!r}), "
            f"status {state.get('status')!r}, prompts: {prompts or '-'}"
        )

    def wait_for(self, predicate, timeout, what, interval=0.2):
        """Poll predicate() until it returns a true value; -> that value, or raise LabTimeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise LabTimeout(
            f"{self.rel_path}: {what} did not happen within {timeout} s; {self.summary()}"
        )

    def open(self, timeout=60):
        """Load JupyterLab on the notebook and wait for its kernel, idle; -> the page state."""
        self.page.goto(self.server.lab_url(self.rel_path), timeout=timeout * 1000)

        def kernel_idle():
            state = self.state()
            if state.get("dialog"):
                raise AssertionError(f"{self.rel_path}: a dialog opened: {state['dialog']!r}")
            if state.get("ready") and state.get("kernelName") and state.get("status") == "idle":
                return state
            return None

        state = self.wait_for(kernel_idle, timeout, "the notebook and its idle kernel")
        self.js("() => __course.watchKernel()")
        return state

    def run_all(self, timeout=120, start_timeout=10):
        """Run > Run All Cells, then wait until no cell runs or waits and the kernel is idle."""

        def started():
            state = self.state()
            prompts = [c["prompt"] for c in state.get("cells", [])]
            return state.get("ready") and all(re.fullmatch(r"\[(\*|\d+)\]:", p) for p in prompts)

        for attempt in range(2):  # the command sometimes lands before the notebook takes it
            self.js("() => __course.runAll()")
            try:
                self.wait_for(started, start_timeout, "Run All (prompts showing [*] or [n])")
                break
            except LabTimeout:
                if attempt:
                    raise

        settled = []

        def finished():
            state = self.state()
            if state.get("status") in ("dead", "autorestarting", "restarting"):
                raise AssertionError(f"{self.rel_path}: the kernel died; {self.summary()}")
            done = state.get("status") == "idle" and not any(c["running"] for c in state["cells"])
            settled.append(done)
            return state if done and len(settled) >= 2 and settled[-2] else None

        return self.wait_for(finished, timeout, "the run of all cells", interval=0.25)

    def tag(self, controls=None):
        """Tag figures and apps; controls: a CSS selector of what counts as a control.

        -> {"figures": [{id, cell, hash, colours, ...}], "apps": [{id, cell, source, figures,
        control, errors}]}; an app's first control gets data-course-control="<app id>".
        """
        return self.js("(controls) => __course.tag(controls)", controls)

    def wait_for_figures(self, timeout=30):
        """Wait until every ipympl figure has drawn something; -> tag() (figures and apps)."""
        found = {}

        def drawn():
            found.update(self.tag())
            problems = self.js("() => __course.widgetProblems()")
            loading = any("Loading" in p["problem"] for p in problems)
            return not loading and all(f["colours"] > 1 for f in found["figures"])

        try:
            self.wait_for(drawn, timeout, "the drawing of every figure", interval=0.25)
        except LabTimeout:
            pass  # the caller reports which figures stayed blank
        return found

    def figure_pixels(self, figure_ids):
        return self.js("(ids) => ids.map((id) => __course.figurePixels(id))", figure_ids)

    def focus_control(self, app_id):
        """Scroll an app's first control into view and give it the keyboard focus."""
        control = self.page.locator(f'[data-course-control="{app_id}"]')
        control.scroll_into_view_if_needed()
        control.focus()
        focused = self.js(
            "(id) => document.activeElement === "
            'document.querySelector(`[data-course-control="${id}"]`)',
            app_id,
        )
        if not focused:
            raise AssertionError(f"{self.rel_path}: app {app_id}'s first control took no focus")

    def key_for(self, app_id):
        """The key that moves an app's first control one step (back, at the end of its range)."""
        control = self.js("(id) => __course.describeControl(id)", app_id)
        kind = control["kind"]
        if kind in ("slider", "select"):
            forward = control["now"] < control["max"]
            if kind == "slider":
                return "ArrowRight" if forward else "ArrowLeft"
            return "ArrowDown" if forward else "ArrowUp"
        if kind in ("checkbox", "button"):
            return "Space"
        raise AssertionError(
            f"{self.rel_path}: no keyboard move known for a {kind} control "
            f"({control['label']!r}); teach NotebookPage.key_for about it"
        )

    def press(self, app_id):
        """Move an app's first control one step with the keyboard; -> the key pressed."""
        key = self.key_for(app_id)
        self.page.keyboard.press(key)
        return key

    def drag(self, app_id):
        """Move an app's first control one step with the mouse; -> what was done.

        A slider's handle is dragged a fifth of its track, or one step of a slider of fewer
        steps (back, near the end of its range);
        a select takes its next option; a checkbox or button is clicked.
        """
        control = self.js("(id) => __course.describeControl(id)", app_id)
        element = self.page.locator(f'[data-course-control="{app_id}"]')
        element.scroll_into_view_if_needed()
        if control["kind"] == "slider":
            handle = self._box_in_view(element)
            track = self.js(
                '(id) => { const r = document.querySelector(`[data-course-control="${id}"]`)'
                ".closest('.noUi-target').getBoundingClientRect(); return [r.left, r.width]; }",
                app_id,
            )
            x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
            forward = x < track[0] + 0.7 * track[1]
            steps = max(control["max"] - control["min"], 1)  # an IntSlider's, at least
            step = (1 if forward else -1) * track[1] / min(steps, 5)
            self.page.mouse.move(x, y)
            self.page.mouse.down()
            self.page.mouse.move(x + step, y, steps=4)
            self.page.mouse.up()
            return f"dragged {'right' if forward else 'left'}"
        if control["kind"] == "select":
            forward = control["now"] < control["max"]
            element.select_option(index=control["now"] + (1 if forward else -1))
            return "chose the next option"
        if control["kind"] in ("checkbox", "button"):
            element.click()
            return "clicked"
        raise AssertionError(
            f"{self.rel_path}: no mouse move known for a {control['kind']} control "
            f"({control['label']!r}); teach NotebookPage.drag about it"
        )

    def _box_in_view(self, element, attempts=3):
        """element's bounding box, scrolled into the window and settled there."""
        height = (self.page.viewport_size or VIEWPORT)["height"]
        for _ in range(attempts):
            element.scroll_into_view_if_needed()
            box = self._settled_box(element)
            if box and 0 <= box["y"] and box["y"] + box["height"] <= height:
                return box
        raise AssertionError(f"{self.rel_path}: a control stays out of the window ({box})")

    def _settled_box(self, element, timeout=5):
        """element's bounding box once it stays put (a scroll makes the notebook lay out cells
        it had not shown, which moves what is below them for a while)."""
        box = element.bounding_box()

        def settled():
            nonlocal box
            self.page.wait_for_timeout(100)
            now = element.bounding_box()
            same, box = now == box, now
            return same

        self.wait_for(settled, timeout, "the control's place on the page to settle", interval=0)
        return box

    def wait_for_change(self, figure_ids, before, timeout=10):
        """Wait until a canvas of figure_ids differs from its hash in before; -> True or False."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(
                "([ids, before]) => ids.some("
                "(id, i) => __course.figurePixels(id).hash !== before[i])",
                arg=[figure_ids, before],
                polling=50,
                timeout=timeout * 1000,
            )
            return True
        except PlaywrightTimeout:
            return False

    def kernel_prefix(self):
        """sys.prefix of the notebook's kernel, asked outside the cells (no prompt, no history)."""
        code = "print(__import__('sys').prefix)"
        return self.js("async (code) => (await __course.kernelStdout(code)).trim()", code)

    def screenshot(self, path):
        """The whole notebook: the window grows until every cell shows (in parts if very long).

        -> the PNGs saved. Never raises for a page that did not load: then it saves what shows.
        """
        from playwright.sync_api import Error as PlaywrightError

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        page = self.page
        original = dict(page.viewport_size or VIEWPORT)
        saved = []
        try:
            height, parts = original["height"], 1
            for _ in range(4):  # cells reach their real height only once they are shown
                missing = self.js("() => __course.missingHeight()")
                if missing <= 0 or height >= MAX_SCREENSHOT_HEIGHT:
                    break
                height = min(height + missing, MAX_SCREENSHOT_HEIGHT)
                page.set_viewport_size({"width": original["width"], "height": height})
                page.wait_for_timeout(400)
            missing = max(self.js("() => __course.missingHeight()"), 0)
            parts += math.ceil(missing / (height * 0.8))
        except PlaywrightError:
            pass  # no notebook panel: the screenshot shows whatever the page shows
        try:
            for part in range(parts):
                try:
                    self.js("(y) => __course.scrollTo(y)", int(part * height * 0.8))
                    page.wait_for_timeout(300)
                except PlaywrightError:
                    pass
                target = path if part == 0 else path.with_name(f"{path.stem}-{part + 1}.png")
                page.screenshot(path=str(target))
                saved.append(target)
        finally:
            page.set_viewport_size(original)
        return saved
