"""A Jupyter server extension: a kernel's messages reach the page at once, not 40 ms late.

jupyter_server does not set ``TCP_NODELAY`` on a kernel's websocket, so Nagle's algorithm
holds back every message written while the page has not yet acknowledged the one before, and
a page acknowledges late: Linux delays an ACK by up to 40 ms when it has nothing to send back.
On a slider move the kernel sends "busy", then the app's new frame a few milliseconds later;
the frame then often waited out that delay (key press to pixels of an app that moves one dot:
p95 64 ms, 42 ms with the flag; ``python benchmarks/bench_browser.py --compare-nagle``).

The course's install enables this extension for every Jupyter server of its environment
(JupyterLab and Notebook 7 alike) with ``etc/jupyter/jupyter_server_config.d/course_utils.json``
(from ``jupyter-config/``). A server that runs another connection class (a gateway, or one
configured by hand) keeps it.
"""

from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["KernelConnection"]

SETTING = "kernel_websocket_connection_class"  # read by the server for each new websocket


class KernelConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket, sending each message as soon as it is written."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()


def _jupyter_server_extension_points():
    return [{"module": "course_utils.server"}]


def _load_jupyter_server_extension(serverapp):
    settings = serverapp.web_app.settings
    if settings.get(SETTING) is ZMQChannelsWebsocketConnection:
        settings[SETTING] = KernelConnection
        serverapp.log.info("course_utils: kernel websockets send without delay (TCP_NODELAY)")
