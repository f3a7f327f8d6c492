"""course_utils.server: the install turns Nagle's algorithm off on every kernel websocket."""

import asyncio
import json
import socket
import threading
from types import SimpleNamespace

from jupyter_core.paths import jupyter_config_path
from jupyter_server.extension.config import ExtensionConfigManager
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from tornado.web import Application
from tornado.websocket import WebSocketHandler, websocket_connect

from course_utils import server

from .support import ROOT


def test_the_install_enables_the_extension_in_every_jupyter_server_of_the_environment():
    """What `pip install -r requirements.txt` put in etc/jupyter: JupyterLab and Notebook 7
    read the same jupyter_server_config.d."""
    manager = ExtensionConfigManager(read_config_path=jupyter_config_path())
    assert manager.get_jpserver_extensions().get("course_utils.server") is True
    shipped = ROOT / "jupyter-config" / "jupyter_server_config.d" / "course_utils.json"
    assert json.loads(shipped.read_text()) == {
        "ServerApp": {"jpserver_extensions": {"course_utils.server": True}}
    }
    assert server._jupyter_server_extension_points() == [{"module": "course_utils.server"}]


def _loaded_into(connection_class):
    """The connection class a server uses after loading the extension over connection_class."""
    app = SimpleNamespace(
        web_app=SimpleNamespace(settings={server.SETTING: connection_class}),
        log=SimpleNamespace(info=lambda *args: None),
    )
    server._load_jupyter_server_extension(app)
    return app.web_app.settings[server.SETTING]


def test_loading_replaces_the_default_connection_and_keeps_any_other():
    assert _loaded_into(ZMQChannelsWebsocketConnection) is server.KernelConnection
    other = type("GatewayConnection", (ZMQChannelsWebsocketConnection,), {})
    assert _loaded_into(other) is other


def _nodelay_of_a_websocket_opened_by(connect):
    """Open a real websocket on 127.0.0.1; connect(handler) runs as the server side opens.

    -> the TCP_NODELAY flag of the server side's socket afterwards."""

    async def run():
        flag = asyncio.get_running_loop().create_future()

        class Handler(KernelWebsocketHandler):
            """jupyter_server's kernel websocket, without the kernel and the login."""

            async def prepare(self):
                pass

            async def get(self):
                await WebSocketHandler.get(self)

            def select_subprotocol(self, subprotocols):
                return None

            def on_close(self):
                pass

            def open(self):
                connect(self)
                tcp = self.ws_connection.stream.socket
                flag.set_result(tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        http = Application([("/ws", Handler)]).listen(port, address="127.0.0.1")
        try:
            client = await websocket_connect(f"ws://127.0.0.1:{port}/ws")
            value = await asyncio.wait_for(flag, 10)
            client.close()
            return value
        finally:
            http.stop()

    # a thread of its own: an earlier test may have left an event loop running in this one
    result = []
    opener = threading.Thread(target=lambda: result.append(asyncio.run(run())))
    opener.start()
    opener.join(30)
    assert result, "the websocket did not open within 30 s"
    return result[0]


def test_a_kernel_connection_turns_nagle_off_then_connects_as_jupyter_servers_own(monkeypatch):
    connected = []
    monkeypatch.setattr(
        ZMQChannelsWebsocketConnection, "connect", lambda self: connected.append(self)
    )

    def kernel_connection(handler):
        server.KernelConnection(websocket_handler=handler).connect()

    assert _nodelay_of_a_websocket_opened_by(kernel_connection)
    assert len(connected) == 1


def test_without_it_a_websocket_keeps_nagles_algorithm():
    """The other side of the test above: tornado leaves the flag off unless told."""
    assert not _nodelay_of_a_websocket_opened_by(lambda handler: None)
