"""The testbed waits for vpcd's ports: a port still held (by a listener, or by a finished
loopback connection in TIME_WAIT) made pcscd drop the virtual reader (seen once in a full run)."""

from __future__ import annotations

import socket

from devices.pcsc import testbed


def test_a_held_port_is_not_free_and_is_free_once_released() -> None:
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        assert not testbed._port_free(port)
    finally:
        holder.close()
    assert testbed._port_free(port)


def test_a_port_in_time_wait_is_not_free() -> None:
    """The side that closes first keeps its port in TIME_WAIT: vpcd could not listen on it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    accepted, _ = server.accept()
    port = client.getsockname()[1]  # the client's ephemeral port
    client.close()  # closes first: TIME_WAIT on the client's port
    accepted.close()
    server.close()
    assert not testbed._port_free(port)
