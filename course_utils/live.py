"""How an app's figure reaches the page under ipympl: never blank, never stale, never late.

Every image ipympl sends the page is drawn on one offscreen canvas there. Two things made a
course figure come up blank or stale under load, and this module closes both:

- **Diff images.** By default matplotlib's web canvas sends an image whole only after a
  refresh; every later image holds just the pixels that changed (the others transparent). The
  page decodes images asynchronously and, when a new one arrives before the last has decoded,
  drops the last. A dropped whole image followed by a diff paints the diff on an empty (or
  older) canvas: a blank or stale figure. So every course image is sent whole:
  ``FigureCanvasWebAggCore.set_image_mode`` documents that an image with any translucent pixel
  is always sent in full, and the course's figure background is white at alpha 254/255
  (``FULL_FRAME_ALPHA``: the same white to the eye). Any image may then be dropped: the next
  one is complete.
- **Drawing before the page is ready.** ipympl 0.10 (its issue #472) sends raw pixels in place
  of the PNG for an image drawn before the page has said "initialized", and keeps it as a data
  URL without its "data:" prefix, which breaks the page's image for good. Apps draw nothing
  until then (``watch_ready``): the page asks for a whole image itself once it is ready. But
  the page's own "draw" request can still come first: JupyterLab 4.6 sends a new widget's first
  messages ("initialized" among them) to the kernel's main shell, behind the cells still
  running, and later ones (a "resize", then "draw") to a subshell thread that answers at once.
  So no course canvas keeps its images as a data URL (``binary_images_only``): ipympl then
  sends every image as a binary PNG, which the page shows whenever it arrives.

A third made a figure wrong at random: **two threads drawing one figure.** JupyterLab 4.6 sends
widget messages to a kernel subshell, a thread of its own, while cells run on the main thread;
and the first messages of a new widget may still reach the main thread. So the page's own
"draw" request, a slider's frame and a cell that trains with a live figure (Caviar) can draw
the same figure at once: each clears and paints the one canvas the other is encoding. Every
draw of an app's figure, with the image made from it, holds the figure's lock
(``one_at_a_time``).

An app sends its frames itself (``send_frame``): whole, and faster to encode. It uses the
widget's message channel (``on_msg``, ``send``), the "initialized" and "binary" messages of
ipympl's front end and matplotlib's documented image modes, and two parts private to ipympl's
canvas: its ``syncing_data_url`` flag and its ``draw`` (wrapped). Those two are set in
``compat`` (``compat.binary_images_only``, ``compat.one_at_a_time``), the one module for the
private parts of matplotlib and ipympl, which names the versions they are proven on.
"""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np

__all__ = [
    "FULL_FRAME_ALPHA",
    "is_live",
    "watch_ready",
    "frame_png",
    "send_frame",
]

#: ipympl's message for an image; the PNG travels as the message's one buffer.
IMAGE_MESSAGE = {"data": json.dumps({"type": "binary"})}

#: The figure background's alpha: below 1, so that every image is sent whole (see above).
FULL_FRAME_ALPHA = 254 / 255


def is_live(canvas):
    """True for an ipympl canvas (a widget that sends images to a page), False for Agg."""
    return hasattr(canvas, "on_msg") and hasattr(canvas, "send_binary")


def watch_ready(canvas, on_ready):
    """Call on_ready() each time a page showing canvas says it is ready for images.

    ipympl's front end sends {"type": "initialized"} once its figure view exists (again after
    a page reload). It asks for a whole image in the same breath, so on_ready need not draw.
    """

    def on_message(_widget, content, _buffers):
        if isinstance(content, dict) and content.get("type") == "initialized":
            on_ready()

    canvas.on_msg(on_message)


def frame_png(canvas):
    """The image in the canvas' buffer as an opaque RGB PNG: rows unfiltered, zlib level 1. -> bytes

    A PNG may filter each row before compressing it. Pillow tries four filters on every row
    and keeps the best, which is half of its encoding time, and offers no way to skip it; the
    flat colours of a plot compress as well without (frames of the same size within 10%, in
    half the time: ``python benchmarks/run.py apps``). The background's alpha of 254 is
    invisible, so the image is sent as RGB.
    """
    rgba = np.asarray(canvas.buffer_rgba())
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter type 0, then R G B ...
    rgb = rows[:, 1:].reshape(height, width, 3)
    for channel in range(3):  # a channel at a time: 10x faster than copying rgba[..., :3] whole
        rgb[..., channel] = rgba[..., channel]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    return b"".join(
        [
            PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows, 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


#: The eight bytes every PNG file starts with (PNG specification, section 5.2).
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind, data):
    """One PNG chunk: length, type, data, and the CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def send_frame(canvas):
    """Send the page the image in the canvas' buffer, whole, as ipympl's own images travel."""
    canvas.send(IMAGE_MESSAGE, buffers=[frame_png(canvas)])
