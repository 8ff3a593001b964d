"""A stand-in Docker socket for tests: forwards to the real engine until stopped."""

from __future__ import annotations

import select
import socket
import socketserver


class SocketProxy(socketserver.ThreadingUnixStreamServer):
    """A stand-in Docker socket that forwards to the real one until stopped ("engine gone")."""

    daemon_threads = True

    def __init__(self, path: str) -> None:
        self.connections: list[socket.socket] = []
        super().__init__(path, _Forward)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        for conn in self.connections:
            conn.close()


class _Forward(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect("/var/run/docker.sock")
        self.server.connections.extend([self.request, upstream])  # type: ignore[attr-defined]
        pair = {self.request: upstream, upstream: self.request}
        try:
            while True:
                readable, _, _ = select.select(list(pair), [], [], 0.5)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except OSError:
            return
