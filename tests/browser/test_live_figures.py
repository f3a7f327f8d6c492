"""An app's figure in JupyterLab is never blank and never stale: drawn before the page is ready,
and moved fast while the kernel is slowed down, the page shows the kernel's last frame.

A probe notebook is written into the server's folder. Its first app changes a control in the
cell that shows it (before the page has said it is ready: ipympl #472's case). Its second app's
slider is pressed again and again while a thread in the kernel hogs the interpreter and the
page's main thread stalls now and then (a busy browser), so frames arrive bunched and the page
drops all but the latest of each bunch. Every image the page receives must decode (no broken
image), and each canvas must end up showing the same pixels as the kernel's own buffer of its
last frame.
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest

from . import lab

_problem = lab.browser_problem()
if _problem:
    lab.skip_or_fail(_problem)

pytestmark = pytest.mark.browser

PROBE = "notebooks/_live_probe.ipynb"

CELLS = [
    "%matplotlib widget",
    "from course_utils.widgets.batchnorm import GammaBeta\n"
    "early = GammaBeta()\n"
    "display(early)\n"
    "early.controls['gamma'].value = 2.5  # the page is not ready yet",
    "import numpy as np\nslow = GammaBeta()\nslow",
    "import threading, time\n"
    "def hog(seconds):\n"
    "    end = time.perf_counter() + seconds\n"
    "    while time.perf_counter() < end:\n"
    "        sum(range(1000))\n"
    "threading.Thread(target=hog, args=(4,), daemon=True).start()",
]

#: Counts the images that fail to decode (a broken image is what left figures blank).
BROKEN_IMAGES_JS = r"""
(() => {
  window.__brokenImages = 0;
  const NativeImage = window.Image;
  function CountedImage(...args) {
    const image = new NativeImage(...args);
    image.addEventListener('error', () => { window.__brokenImages += 1; });
    return image;
  }
  CountedImage.prototype = NativeImage.prototype;
  window.Image = CountedImage;
})();
"""

#: Blocks the page's main thread for `ms` every `every` ms, `times` times: a busy browser tab.
STALLS_JS = """([ms, every, times]) => new Promise((resolve) => {
  let left = times;
  const timer = setInterval(() => {
    const end = performance.now() + ms;
    while (performance.now() < end) {}
    left -= 1;
    if (left <= 0) { clearInterval(timer); resolve(); }
  }, every);
})"""

#: Frames sent back to back: a control moved in a loop.
BURST = "for g in np.linspace(0.2, 3.8, 25):\n    slow.controls['gamma'].value = float(g)"

#: The kernel's last frame of each app, as raw RGBA bytes.
KERNEL_FRAMES = (
    "import base64, json, numpy as np\n"
    "print(json.dumps({name: [list(a.fig.canvas.get_width_height()[::-1]),"
    " base64.b64encode(np.asarray(a.fig.canvas.buffer_rgba()).tobytes()).decode()]"
    " for name, a in (('early', early), ('slow', slow))}))"
)


def _write_probe(root_dir):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = root_dir / PROBE
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _canvas_pixels(notebook, figure_id):
    """The figure's canvas as the page shows it: (H, W, 4) uint8."""
    from PIL import Image

    url = notebook.js(
        "(id) => __course.figureCanvas("
        'document.querySelector(`[data-course-figure="${id}"]`)).toDataURL()',
        figure_id,
    )
    png = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _differing_share(shown, frame):
    """The share of pixels whose colour differs by more than rounding (alpha 254 is rounded)."""
    if shown.shape != frame.shape:
        return 1.0
    diff = np.abs(shown.astype(int) - frame.astype(int))[..., :3].max(axis=-1)
    return float(np.mean(diff > 3))


@pytest.mark.parametrize("load", ["quiet", "one busy core"], ids=lambda s: s.replace(" ", "-"))
def test_a_figure_drawn_early_or_under_a_slow_kernel_shows_the_last_frame(
    load, browser, lab_server
):
    _write_probe(lab_server.root_dir)
    notebook = lab.NotebookPage(browser, lab_server, PROBE, init_scripts=[BROKEN_IMAGES_JS])
    try:
        with lab.busy_cores(lab.LOADS[load]):
            notebook.open()
            notebook.run_all()
            found = notebook.wait_for_figures()
            assert len(found["apps"]) == 2, found
            slow = found["apps"][1]
            # a burst of frames (as a cell that moves a control in a loop, or live training
            # sends), while the page stalls: the page decodes only the last of each bunch
            notebook.js(f"() => {{ window.__stalls = ({STALLS_JS})([120, 150, 12]); }}")
            notebook.js("async (c) => (await __course.kernelStdout(c))", BURST)
            notebook.focus_control(slow["id"])
            for _ in range(10):  # and keys pressed faster than frames can be drawn
                notebook.page.keyboard.press("ArrowRight")
                notebook.page.wait_for_timeout(40)
            notebook.js("() => window.__stalls")
            notebook.wait_for(
                lambda: notebook.state().get("status") == "idle", 30, "the kernel idle again"
            )
            notebook.page.wait_for_timeout(1500)  # the last image decoded and painted
            frames = json.loads(
                notebook.js("async (c) => (await __course.kernelStdout(c))", KERNEL_FRAMES)
            )
            assert notebook.js("() => window.__brokenImages") == 0, "an image failed to decode"
            for (name, (shape, raw)), app in zip(frames.items(), found["apps"], strict=True):
                frame = np.frombuffer(base64.b64decode(raw), np.uint8).reshape(*shape, 4)
                shown = _canvas_pixels(notebook, app["figures"][0])
                share = _differing_share(shown, frame)
                assert share < 1e-4, (
                    f"{name}: the page shows another image than the kernel's last frame "
                    f"({share:.1%} of pixels differ; {load})"
                )
    finally:
        notebook.screenshot(lab.ARTIFACTS / f"live-probe-{load.replace(' ', '-')}.png")
        notebook.close()
        lab_server.shutdown_sessions(PROBE)


def test_the_server_sends_kernel_messages_without_delay(lab_server):
    """The course's server extension (course_utils.server) is loaded by a JupyterLab started
    as a learner's is: its kernel websockets run without Nagle's algorithm."""
    log = lab_server.log_since(0)
    assert "course_utils: kernel websockets send without delay" in log, log[-2000:]
