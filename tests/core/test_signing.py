"""TC3-HMAC-SHA256: our signature must equal, bit for bit, what Tencent's SDK computes."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from types import SimpleNamespace
from unittest import mock

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from tencentcloud.common import abstract_client
from tencentcloud.common.credential import Credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.sign import Sign
from tencentcloud.hunyuan.v20230901.hunyuan_client import HunyuanClient as SdkHunyuanClient

from hunyuan_api import (
    AsyncHunyuanClient,
    HunyuanClient,
)
from hunyuan_api._connection import Credentials
from hunyuan_api._wire.bodies import encode_json
from hunyuan_api._wire.signing import (
    TC3Auth,
    authorization_header,
    canonical_request,
    string_to_sign,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ascii_printable = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# The SDK refuses secrets with surrounding whitespace; everything else printable is fair game.
secret_ids = st.text(_ascii_printable, min_size=1, max_size=40).filter(lambda s: s.strip() == s)
secret_keys = st.text(_ascii_printable, min_size=1, max_size=40).filter(lambda s: s.strip() == s)
tokens = st.none() | secret_keys

_label = st.from_regex(r"\A[a-z]([a-z0-9-]{0,10}[a-z0-9])?\Z")
_hostname = st.lists(_label, min_size=1, max_size=4).map(".".join)
_port = st.integers(1, 65535).filter(lambda p: p != 443)
hosts = st.one_of(
    st.sampled_from(
        ["hunyuan.tencentcloudapi.com", "127.0.0.1:8765", "localhost:8080", "[::1]:8765"]
    ),
    _hostname,
    st.builds(lambda h, p: f"{h}:{p}", _hostname, _port),
)

_DAY = 86400
timestamps = st.one_of(
    st.integers(0, 2**32),
    # the seconds around midnight UTC, where the credential scope's date changes
    st.builds(lambda day, offset: day * _DAY + offset, st.integers(1, 50000), st.integers(-3, 3)),
)

_any_text = st.text(max_size=30)
_cjk_emoji = st.lists(
    st.sampled_from([*"混元大模型你好世界。，！", "😀", "🚀", "👩‍💻", "\u0000", "\\", '"', "\n"]),
    max_size=20,
).map("".join)
_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    _any_text,
    _cjk_emoji,
)
json_values = st.recursive(
    _leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_any_text | _cjk_emoji, inner, max_size=4)
    ),
    max_leaves=12,
)
params = st.dictionaries(st.text(min_size=1, max_size=12) | _cjk_emoji, json_values, max_size=5)


def _utc_date(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def _creds(secret_id: str, secret_key: str, token: str | None = None) -> Credentials:
    return Credentials(
        secret_id=SecretStr(secret_id),
        secret_key=SecretStr(secret_key),
        token=SecretStr(token) if token else None,
    )


def _sign(auth: TC3Auth, request: httpx.Request) -> httpx.Request:
    return next(auth.sync_auth_flow(request))


# -- (a) the SDK's HMAC chain over our canonical request -------------------------------------


@SETTINGS
@given(
    secret_id=secret_ids,
    secret_key=secret_keys,
    body=params,
    ensure_ascii=st.booleans(),
    host=hosts,
    ts=timestamps,
)
@example(
    secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
    secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    body={"Model": "hunyuan-turbo", "Messages": [{"Role": "user", "Content": "你好😀"}]},
    ensure_ascii=False,
    host="hunyuan.tencentcloudapi.com",
    ts=1_700_006_399,  # 23:59:59 UTC
)
def test_authorization_header_equals_sdk_sign_tc3(
    secret_id: str, secret_key: str, body: dict, ensure_ascii: bool, host: str, ts: int
) -> None:
    raw = json.dumps(body).encode() if ensure_ascii else encode_json(body)
    canonical = canonical_request(host=host, body=raw)
    # The canonical request is the protocol's, line for line.
    assert canonical.split("\n") == [
        "POST",
        "/",
        "",
        "content-type:application/json",
        f"host:{host}",
        "",
        "content-type;host",
        hashlib.sha256(raw).hexdigest(),
    ]
    to_sign = string_to_sign(timestamp=ts, service="hunyuan", canonical=canonical)
    date = _utc_date(ts)
    assert to_sign == (
        f"TC3-HMAC-SHA256\n{ts}\n{date}/hunyuan/tc3_request\n"
        + hashlib.sha256(canonical.encode()).hexdigest()
    )
    sdk_signature = Sign.sign_tc3(secret_key, date, "hunyuan", to_sign)
    ours = authorization_header(
        secret_id=secret_id, secret_key=secret_key, host=host, body=raw, timestamp=ts
    )
    assert ours == (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{date}/hunyuan/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={sdk_signature}"
    )


# -- (b) the SDK's whole request path vs TC3Auth on an httpx request -------------------------

_SDK_CLIENTS: dict[str, SdkHunyuanClient] = {}


def _sdk_signed(
    host: str, secret_id: str, secret_key: str, token: str | None, body: dict, ts: int
) -> RequestInternal:
    client = _SDK_CLIENTS.get(host)
    if client is None:  # building an SDK client is slow; one per host, credentials swapped in
        client = _SDK_CLIENTS[host] = SdkHunyuanClient(
            Credential("placeholder", "placeholder"),
            "ap-guangzhou",
            ClientProfile(httpProfile=HttpProfile(endpoint=host)),
        )
    client.credential = Credential(secret_id, secret_key, token)
    req = RequestInternal(host, "POST", "/", header={})
    with mock.patch.object(abstract_client, "time", SimpleNamespace(time=lambda: float(ts))):
        client._build_req_with_tc3_signature("RunThread", body, req)
    return req


@SETTINGS
@given(
    secret_id=secret_ids,
    secret_key=secret_keys,
    token=tokens,
    body=params,
    host=hosts,
    ts=timestamps,
)
def test_tc3auth_equals_sdk_request_path(
    secret_id: str, secret_key: str, token: str | None, body: dict, host: str, ts: int
) -> None:
    req = _sdk_signed(host, secret_id, secret_key, token, body, ts)
    assert req.header["Host"] == host

    request = httpx.Request(
        "POST",
        f"https://{host}/",
        content=req.data.encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    assert request.headers["Host"] == host  # the Host we sign is the Host httpx sends
    signed = _sign(TC3Auth(_creds(secret_id, secret_key, token), clock=lambda: ts + 0.75), request)

    assert signed.headers["Authorization"] == req.header["Authorization"]
    assert signed.headers["X-TC-Timestamp"] == req.header["X-TC-Timestamp"] == str(ts)
    assert signed.headers.get("X-TC-Token") == req.header.get("X-TC-Token")


def test_sdk_cross_check_detects_a_different_body() -> None:
    """The comparison above is sensitive: one byte of body changes the signature."""
    req = _sdk_signed(
        "hunyuan.tencentcloudapi.com", "AKIDx", "key", None, {"a": "混元"}, 1700000000
    )
    request = httpx.Request(
        "POST",
        "https://hunyuan.tencentcloudapi.com/",
        content=req.data.encode() + b" ",
        headers={"Content-Type": "application/json"},
    )
    signed = _sign(TC3Auth(_creds("AKIDx", "key"), clock=lambda: 1700000000), request)
    assert signed.headers["Authorization"] != req.header["Authorization"]


def test_date_in_scope_is_utc_at_midnight() -> None:
    midnight = 1_700_006_400  # 2023-11-15T00:00:00Z
    before = authorization_header(
        secret_id="id", secret_key="k", host="h", body=b"{}", timestamp=midnight - 1
    )
    at = authorization_header(
        secret_id="id", secret_key="k", host="h", body=b"{}", timestamp=midnight
    )
    assert "Credential=id/2023-11-14/hunyuan/tc3_request" in before
    assert "Credential=id/2023-11-15/hunyuan/tc3_request" in at


# -- the clients put the same headers on the wire -------------------------------------------


async def test_sync_and_async_clients_send_identical_signed_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"Response": {"ID": "thread_1", "Object": "thread", "RequestId": "r"}}
        )

    kwargs = dict(
        secret_id="AKIDsame",
        secret_key="same-key",
        token="tmp-token",
        base_url="http://127.0.0.1:8765",
        region="ap-guangzhou",
    )
    sync_client = HunyuanClient(
        http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kwargs
    )
    async_client = AsyncHunyuanClient(
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), **kwargs
    )
    fixed = lambda: 1_700_000_000.5  # noqa: E731
    sync_client._auth._clock = fixed
    async_client._auth._clock = fixed
    body = {"ThreadID": "thread_1", "Content": "混元 😀"}
    sync_client.call("GetThread", body)
    await async_client.call("GetThread", body)

    a, b = seen
    assert a.content == b.content
    assert dict(a.headers) == dict(b.headers)
    for name in ("Authorization", "X-TC-Action", "X-TC-Version", "X-TC-Region", "X-TC-Timestamp"):
        assert name in a.headers
    assert a.headers["Host"] == "127.0.0.1:8765"
    assert a.headers["X-TC-Token"] == "tmp-token"
    expected = authorization_header(
        secret_id="AKIDsame",
        secret_key="same-key",
        host="127.0.0.1:8765",
        body=a.content,
        timestamp=1_700_000_000,
    )
    assert a.headers["Authorization"] == expected


def test_token_header_only_with_a_token() -> None:
    def request() -> httpx.Request:
        return httpx.Request(
            "POST",
            "https://hunyuan.tencentcloudapi.com/",
            content=b"{}",
            headers={"Content-Type": "application/json"},
        )

    without = _sign(TC3Auth(_creds("id", "key"), clock=lambda: 1), request())
    with_token = _sign(TC3Auth(_creds("id", "key", "session-token"), clock=lambda: 1), request())
    assert "X-TC-Token" not in without.headers
    assert with_token.headers["X-TC-Token"] == "session-token"
    # The token is not part of the signature (SignedHeaders=content-type;host).
    assert without.headers["Authorization"] == with_token.headers["Authorization"]


def test_each_send_is_signed_with_a_fresh_timestamp() -> None:
    times = iter([100.0, 5000.0])
    auth = TC3Auth(_creds("id", "key"), clock=lambda: next(times))
    make = lambda: httpx.Request(  # noqa: E731
        "POST", "https://h/", content=b"{}", headers={"Content-Type": "application/json"}
    )
    first, second = _sign(auth, make()), _sign(auth, make())
    assert first.headers["X-TC-Timestamp"] == "100"
    assert second.headers["X-TC-Timestamp"] == "5000"
    assert first.headers["Authorization"] != second.headers["Authorization"]


def test_secrets_absent_from_reprs() -> None:
    creds = _creds("AKIDsecretid123", "topsecretkey456", "tokentoken789")
    auth = TC3Auth(creds)
    client = HunyuanClient(
        secret_id="AKIDsecretid123", secret_key="topsecretkey456", token="tokentoken789"
    )
    for text in (
        repr(creds),
        str(creds),
        repr(auth),
        str(auth),
        repr(client),
        repr(client.credentials),
    ):
        for secret in ("AKIDsecretid123", "topsecretkey456", "tokentoken789"):
            assert secret not in text


def test_the_day_key_is_kept_for_its_day_only() -> None:
    """TC3Auth derives the signing key once per UTC day: each request still carries the header
    the pure function gives for its own timestamp, across midnight and back."""
    midnight = 1_700_006_400  # 2023-11-15 00:00:00 UTC
    times = iter([midnight - 2, midnight - 1, midnight, midnight + 86_399, midnight - 1])
    auth = TC3Auth(_creds("AKIDday", "day-key"), clock=lambda: next(times))
    seen = []
    for _ in range(5):
        request = httpx.Request(
            "POST", "https://h/", content=b'{"a":1}', headers={"Content-Type": "application/json"}
        )
        signed = _sign(auth, request)
        timestamp = int(signed.headers["X-TC-Timestamp"])
        expected = authorization_header(
            secret_id="AKIDday",
            secret_key="day-key",
            host="h",
            body=b'{"a":1}',
            timestamp=timestamp,
        )
        assert signed.headers["Authorization"] == expected
        seen.append(expected.split("Credential=")[1].split("/")[1])
    assert seen == ["2023-11-14", "2023-11-14", "2023-11-15", "2023-11-15", "2023-11-14"]
