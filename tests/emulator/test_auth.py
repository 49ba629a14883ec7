"""Transport and TC3 signature checks, with raw httpx and ``hunyuan_api._wire.signing``."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest

from hunyuan_api._wire.signing import authorization_header
from hunyuan_emulator import EmulatorHandle, run_emulator


def test_signed_request_succeeds_with_request_id(wire: Any) -> None:
    response = wire.post("CreateThread", {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    payload = response.json()["Response"]
    assert payload["ID"].startswith("thread_")
    assert payload["ToolResources"] is None
    assert payload["RequestId"] == response.headers["x-tc-requestid"]
    uuid.UUID(payload["RequestId"])


def test_stale_timestamp_is_signature_expire(wire: Any) -> None:
    assert wire.error_code("CreateThread", {}, timestamp=int(time.time()) - 301) == (
        "AuthFailure.SignatureExpire"
    )
    assert wire.error_code("CreateThread", {}, timestamp=int(time.time()) + 400) == (
        "AuthFailure.SignatureExpire"
    )
    assert wire.post("CreateThread", {}, timestamp=int(time.time()) - 250).status_code == 200


def test_wrong_version_and_unknown_action(wire: Any) -> None:
    assert wire.error_code("CreateThread", {}, version="2018-03-21") == "NoSuchVersion"
    assert wire.error_code("DescribeNothing", {}) == "InvalidAction"
    assert wire.error_code("", {}) == "MissingParameter"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer abc",
        "TC3-HMAC-SHA256 Credential=AKID/2024-01-01/hunyuan/tc3_request",
        "TC3-HMAC-SHA256 Credential=AKID/2024-01-01/hunyuan/tc3_request, "
        "SignedHeaders=content-type;host, Signature=xyz",
        "TC3-HMAC-SHA256 Credential=AKID/2024-01-01/hunyuan/tc3_request, "
        "SignedHeaders=host, Signature=" + "0" * 64,
    ],
)
def test_garbled_authorization(wire: Any, authorization: str | None) -> None:
    raw = b"{}"
    headers = wire.headers("CreateThread", raw)
    if authorization is None:
        del headers["Authorization"]
    else:
        headers["Authorization"] = authorization
    response = wire.client.post("/", content=raw, headers=headers)
    assert response.json()["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


def test_signature_covers_body_bytes(wire: Any) -> None:
    signed = b"{}"
    headers = wire.headers("CreateThread", signed)
    response = wire.client.post("/", content=b"{ }", headers=headers)
    assert response.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_signature_covers_host_as_received(wire: Any) -> None:
    raw = b"{}"
    headers = wire.headers("CreateThread", raw, host="hunyuan.tencentcloudapi.com")
    response = wire.client.post("/", content=raw, headers=headers)
    # httpx sends the Host header we set, so the signature matches what the server received.
    assert response.json()["Response"]["ID"].startswith("thread_")
    other = wire.headers("CreateThread", raw, host="hunyuan.tencentcloudapi.com")
    other["Host"] = wire.emu.endpoint
    response = wire.client.post("/", content=raw, headers=other)
    assert response.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_credential_date_must_match_timestamp(wire: Any, emu: EmulatorHandle) -> None:
    raw = b"{}"
    ts = int(time.time())
    headers = wire.headers("CreateThread", raw, timestamp=ts)
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(ts - 86400))
    good = authorization_header(
        secret_id=emu.secret_id,
        secret_key=emu.secret_key,
        host=emu.endpoint,
        body=raw,
        timestamp=ts,
    )
    headers["Authorization"] = good.replace(time.strftime("%Y-%m-%d", time.gmtime(ts)), yesterday)
    response = wire.client.post("/", content=raw, headers=headers)
    assert response.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_body_must_be_a_json_object(wire: Any) -> None:
    assert wire.error_code("CreateThread", b"[1, 2]") == "InvalidParameter"
    assert wire.error_code("CreateThread", b"{not json") == "InvalidParameter"
    assert wire.error_code("CreateThread", b'{"a": NaN}') == "InvalidParameter"


def test_create_thread_takes_no_fields(wire: Any) -> None:
    assert wire.error_code("CreateThread", {"Metadata": {}}) == "UnknownParameter"


def test_only_post_slash(wire: Any) -> None:
    assert wire.client.get("/").status_code == 405
    raw = b"{}"
    assert (
        wire.client.post("/v1", content=raw, headers=wire.headers("CreateThread", raw)).status_code
        == 404
    )


def test_server_clock_drives_expiry_and_timestamps() -> None:
    fixed = 1_700_000_000.0
    with run_emulator(clock=lambda: fixed) as emu:
        client = httpx.Client(base_url=emu.base_url, trust_env=False)
        raw = b"{}"

        def post(ts: int) -> dict[str, Any]:
            headers = {
                "Content-Type": "application/json",
                "X-TC-Action": "CreateThread",
                "X-TC-Version": "2023-09-01",
                "X-TC-Timestamp": str(ts),
                "Authorization": authorization_header(
                    secret_id=emu.secret_id,
                    secret_key=emu.secret_key,
                    host=emu.endpoint,
                    body=raw,
                    timestamp=ts,
                ),
            }
            return dict(client.post("/", content=raw, headers=headers).json()["Response"])

        assert post(int(time.time()))["Error"]["Code"] == "AuthFailure.SignatureExpire"
        created = post(int(fixed) + 100)
        assert created["CreatedAt"] == int(fixed)
        client.close()


def test_request_log_redacts_secrets(wire: Any, emu: EmulatorHandle) -> None:
    wire.post("CreateThread", {}, token="tok")
    (entry,) = emu.state.requests
    assert entry.action == "CreateThread"
    assert entry.headers["authorization"] == "<redacted>"
    assert entry.headers["x-tc-token"] == "<redacted>"
    assert entry.body == {}
    assert entry.secret_id == emu.secret_id
    assert entry.outcome == "ok"
    json.dumps(entry.to_json())
