"""The embedded server's listening socket must not leave Nagle on for the replies."""

import socket

from central.embedded import EmbeddedCentral


def test_accepted_connections_have_nodelay():
    with EmbeddedCentral() as central:
        host, port = central.url.removeprefix("http://").split(":")
        listener = central._socket
        assert listener is not None
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        with socket.create_connection((host, int(port)), timeout=5) as client:
            client.sendall(b"GET /api/v1/kiosks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert client.recv(12).startswith(b"HTTP/1.1 401")
