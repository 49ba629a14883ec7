"""The emulator under hostile input (issue 13, low): deeply nested JSON and oversized bodies get
Tencent's error codes (never an HTTP 500 or an unbounded buffer), the request log stays bounded,
and the unsigned control endpoints refuse what a web page could send them (a cross-site
``text/plain`` POST, a foreign ``Host``)."""

from __future__ import annotations

from typing import Any

import httpx

from hunyuan_emulator.intake import MAX_BODY_BYTES, MAX_LOGGED_BODY_BYTES


def test_deeply_nested_json_is_an_invalid_parameter(wire: Any) -> None:
    body = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert wire.error_code("CreateThread", body) == "InvalidParameter"
    logged = wire.emu.state.requests[-1]
    assert isinstance(logged.body, str)  # kept as text, not a crash


def test_an_oversized_body_is_refused_with_request_size_limit_exceeded(wire: Any) -> None:
    body = b'{"Pad": "' + b"x" * (MAX_BODY_BYTES + 1) + b'"}'
    assert wire.error_code("CreateThread", body) == "RequestSizeLimitExceeded"
    # Chunked, without a Content-Length: refused all the same, and never buffered whole.
    raw = iter([b'{"Pad": "', *([b"y" * 1_048_576] * 11), b'"}'])
    headers = wire.headers("CreateThread", b"{}")
    response = wire.client.post("/", content=raw, headers=headers)
    assert response.json()["Response"]["Error"]["Code"] == "RequestSizeLimitExceeded"


def test_large_bodies_are_logged_by_size_only(wire: Any) -> None:
    big = {"Pad": "z" * (MAX_LOGGED_BODY_BYTES + 10)}
    wire.post("CreateThread", big)  # refused (UnknownParameter), but logged
    logged = wire.emu.state.requests[-1]
    assert logged.body == f"<a body of {len(wire.encode(big))} bytes>"
    wire.post("CreateThread", {})
    assert wire.emu.state.requests[-1].body == {}


def test_control_endpoints_refuse_a_cross_site_text_plain_post(wire: Any) -> None:
    wire.emu.state.queue_reply(text="kept")
    url = wire.emu.base_url + "_emulator/reset"
    simple = httpx.post(url, content=b"{}", headers={"Content-Type": "text/plain"})
    assert simple.status_code == 415
    assert wire.emu.state.stats()["queued_replies"] == 1  # nothing was reset
    json_post = httpx.post(url, json={}, headers={"Content-Type": "application/json"})
    assert json_post.status_code == 200
    assert wire.emu.state.stats()["queued_replies"] == 0


def test_control_endpoints_refuse_a_foreign_host(wire: Any) -> None:
    # A DNS-rebound name reaches 127.0.0.1 but carries its own Host.
    url = wire.emu.base_url + "_emulator/health"
    assert httpx.get(url, headers={"Host": "attacker.example:8765"}).status_code == 403
    assert httpx.get(url, headers={"Host": f"localhost:{wire.emu.port}"}).status_code == 200
    assert httpx.get(url, headers={"Host": f"[::1]:{wire.emu.port}"}).status_code == 200
    assert httpx.get(url).status_code == 200
