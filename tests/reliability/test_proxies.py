"""Proxies from the environment, and a private CA (issue 13, item 4).

Behind a corporate proxy, ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` decide the route, and the
proxy's own CA often has to be trusted. Both adapters, sync and async, go through a real forward
proxy on loopback: absolute-form requests to an http endpoint, a ``CONNECT`` tunnel to an https
endpoint whose certificate comes from a test CA given as ``ca_bundle``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hunyuan_api import APIConnectionError, HunyuanSettings
from hunyuan_emulator import EmulatorHandle
from tests.support.proxy import ForwardProxy, TLSFront
from tests.support.reliability import (
    ADAPTERS,
    MODES,
    Adapter,
    Call,
    Mode,
    drive,
    make_model,
    reply_to,
)

trustme = pytest.importorskip("trustme")

CASES = [(a, m) for a in ADAPTERS for m in MODES]


@dataclass
class _Endpoint:
    base_url: str
    secret_id: str
    secret_key: str


@pytest.fixture(scope="module")
def ca() -> object:
    return trustme.CA()


@pytest.fixture
def ca_bundle(ca: object, tmp_path: Path) -> str:
    path = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(path))  # type: ignore[attr-defined]
    return str(path)


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


@pytest.fixture
def tls(emu: EmulatorHandle, ca: object) -> Iterator[_Endpoint]:
    with TLSFront((emu.host, emu.port), ca) as front:
        yield _Endpoint(front.url, emu.secret_id, emu.secret_key)


async def _answers(adapter: Adapter, mode: Mode, call: Call, model: Any) -> None:
    prompt = f"through whatever route, {adapter} {mode} {call}"
    out = await drive(adapter, mode, call, model, prompt)
    assert out.error is None, repr(out.error)
    assert out.text == reply_to(prompt)


@pytest.mark.parametrize(("adapter", "mode"), CASES)
async def test_http_proxy_from_the_environment(
    emu: EmulatorHandle,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    adapter: Adapter,
    mode: Mode,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await _answers(adapter, mode, "invoke", make_model(adapter, emu))
    # CreateThread and RunThread both went through it, in absolute form.
    assert len(proxy.seen) == 2, proxy.seen
    assert all(line.startswith(f"POST {emu.base_url} HTTP/1.1") for line in proxy.seen)


@pytest.mark.parametrize("no_proxy", [False, True], ids=["tunnel", "no-proxy"])
@pytest.mark.parametrize(("adapter", "mode"), CASES)
async def test_https_proxy_tunnels_to_a_server_trusted_through_ca_bundle(
    tls: _Endpoint,
    proxy: ForwardProxy,
    ca_bundle: str,
    monkeypatch: pytest.MonkeyPatch,
    adapter: Adapter,
    mode: Mode,
    no_proxy: bool,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    if no_proxy:
        monkeypatch.setenv("NO_PROXY", "localhost")
        monkeypatch.setenv("HUNYUAN_CA_BUNDLE", ca_bundle)  # the setting, from the environment
        await _answers(adapter, mode, "invoke", make_model(adapter, tls))
        assert proxy.seen == []
        return
    await _answers(adapter, mode, "stream", make_model(adapter, tls, ca_bundle=ca_bundle))
    port = tls.base_url.rstrip("/").rpartition(":")[2]
    assert proxy.seen, "nothing went through the proxy"
    assert set(proxy.seen) == {f"CONNECT localhost:{port} HTTP/1.1"}


@pytest.mark.parametrize("mode", MODES)
async def test_an_untrusted_certificate_is_refused_without_the_bundle(
    tls: _Endpoint, mode: Mode
) -> None:
    out = await drive("langchain", mode, "invoke", make_model("langchain", tls), "hi")
    assert isinstance(out.error, APIConnectionError), repr(out.error)
    assert "CERTIFICATE_VERIFY_FAILED" in str(out.error)


def test_a_missing_ca_bundle_is_refused_at_construction(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(ValueError, match="ca_bundle") as info:
        HunyuanSettings(ca_bundle=missing)
    assert "does not exist" in str(info.value)
