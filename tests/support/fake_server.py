"""The serving half every fake provider shares: a threaded HTTP server on 127.0.0.1 and the
start/stop lifecycle of the fake that owns it (tests/support/twilio_fake.py, smsgate_fake.py)."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeHTTPServer(ThreadingHTTPServer):
    """Serves one fake (`self.fake`); keeps its open sockets so stop() can close idle keep-alive
    connections, and records errors raised while serving as the fake's bugs."""

    daemon_threads = True
    request_queue_size = 1024  # bursts of connections from several client processes

    def __init__(
        self, fake: Any, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]
    ) -> None:
        self.fake = fake
        self.open_sockets: set[Any] = set()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):  # a client gone is no error
            self.fake.errors.append(error)


class ServedFake:
    """start(), stop() and `with` for a fake that has `host`, `errors` and a `_stopping` event;
    subclasses name their request handler and thread."""

    handler: type[BaseHTTPRequestHandler]
    thread_name = "fake-server"
    host: str
    _stopping: threading.Event
    _httpd: FakeHTTPServer | None = None

    def start(self) -> Any:
        """Serve on a free port of `host` in a daemon thread."""
        self._stopping.clear()
        self._httpd = FakeHTTPServer(self, (self.host, 0), self.handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release held replies and close idle connections."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        for sock in list(self._httpd.open_sockets):  # idle keep-alive connections
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join()
        self._httpd = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _origin(self) -> str:
        """http://host:port of the running server."""
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"
