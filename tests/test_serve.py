"""`recap serve`'s server answers only requests addressed to it by its own loopback name."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from generator.serve import serve


def _get(address: str, host: str | None) -> tuple[int, bytes]:
    parts = urlsplit(address)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", parts.path + "page.html", skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def address(tmp_path):
    (tmp_path / "page.html").write_text("private preview", encoding="utf-8")
    with serve(tmp_path, 0, prefix="/repo/") as url:
        yield url


def test_its_own_names_are_answered(address):
    port = urlsplit(address).port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert _get(address, host) == (200, b"private preview")


@pytest.mark.parametrize(
    "host", ["attacker.example:{port}", "attacker.example", "127.0.0.1:1", "", None]
)
def test_another_host_header_is_refused(address, host):
    """A DNS-rebinding page sends its own name as Host: it must not read the preview."""
    port = urlsplit(address).port
    status, body = _get(address, None if host is None else host.format(port=port))
    assert status == 421
    assert b"private preview" not in body
