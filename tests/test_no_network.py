"""The suite-wide ``no_network`` fixture refuses every way Python opens a connection."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from tests.conftest import NetworkUseError


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6, socket.AF_UNIX])
def test_a_socket_cannot_connect(family: socket.AddressFamily) -> None:
    address: object = "/tmp/nowhere.sock" if family == socket.AF_UNIX else ("127.0.0.1", 9)
    if family == socket.AF_INET6:
        address = ("::1", 9)
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkUseError):
            sock.connect(address)
        with pytest.raises(NetworkUseError):
            sock.connect_ex(address)


def test_create_connection_and_urllib_are_refused() -> None:
    with pytest.raises(NetworkUseError):
        socket.create_connection(("example.com", 80), timeout=1)
    with pytest.raises((NetworkUseError, OSError)) as caught:
        urllib.request.urlopen("http://example.com/", timeout=1)
    # urllib wraps the refusal in URLError; its reason is still ours, never a DNS or timeout error
    error = caught.value
    assert isinstance(error, NetworkUseError) or isinstance(getattr(error, "reason", None), NetworkUseError)
