"""Fixtures for the emulator tests: a running emulator, Tencent's SDK, a raw signed client, and
OpenAI's SDK on the OpenAI-compatible endpoint."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hunyuan_api._wire.signing import authorization_header
from hunyuan_emulator import EmulatorHandle, run_emulator


class Wire:
    """Raw HTTP against the emulator, signed with the client's TC3 code unless told otherwise."""

    def __init__(self, emu: EmulatorHandle) -> None:
        self.emu = emu
        self.client = httpx.Client(base_url=emu.base_url, trust_env=False, timeout=10)

    def headers(
        self,
        action: str,
        body: bytes,
        *,
        timestamp: int | None = None,
        version: str = "2023-09-01",
        secret_id: str | None = None,
        secret_key: str | None = None,
        token: str | None = None,
        host: str | None = None,
    ) -> dict[str, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        host = host or self.emu.endpoint
        headers = {
            "Content-Type": "application/json",
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Version": version,
            "X-TC-Timestamp": str(ts),
            "Authorization": authorization_header(
                secret_id=secret_id or self.emu.secret_id,
                secret_key=secret_key or self.emu.secret_key,
                host=host,
                body=body,
                timestamp=ts,
            ),
        }
        if token is not None:
            headers["X-TC-Token"] = token
        return headers

    @staticmethod
    def encode(body: Any) -> bytes:
        return body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()

    def post(self, action: str, body: Any, **kw: Any) -> httpx.Response:
        raw = self.encode(body)
        return self.client.post("/", content=raw, headers=self.headers(action, raw, **kw))

    def error_code(self, action: str, body: Any, **kw: Any) -> str:
        response = self.post(action, body, **kw)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        payload = response.json()["Response"]
        assert "Error" in payload, payload
        assert payload["RequestId"] == response.headers["x-tc-requestid"]
        return str(payload["Error"]["Code"])

    def create_thread(self) -> str:
        return str(self.post("CreateThread", {}).json()["Response"]["ID"])

    @staticmethod
    def run_body(thread_id: str, content: str = "hi", **extra: Any) -> dict[str, Any]:
        """A RunThread body: one user message on ``thread_id``."""
        return {
            "ThreadID": thread_id,
            "Stream": True,
            "AdditionalMessages": [{"Role": "user", "Content": content}],
            **extra,
        }

    def run(self, thread_id: str, content: str = "hi", **extra: Any) -> httpx.Response:
        return self.post("RunThread", self.run_body(thread_id, content, **extra))

    @contextlib.contextmanager
    def stream(self, action: str, body: Any, **kw: Any) -> Iterator[httpx.Response]:
        """The response to ``body``, read as it arrives."""
        raw = self.encode(body)
        with self.client.stream(
            "POST", "/", content=raw, headers=self.headers(action, raw, **kw)
        ) as r:
            yield r

    @staticmethod
    def data(raw: bytes) -> list[str]:
        """The ``data:`` payloads of an SSE body, in order (the emulator writes one line each)."""
        blocks = raw.decode().split("\n\n")
        return [b[len("data: ") :] for b in blocks if b.startswith("data: ")]

    @classmethod
    def frames(cls, raw: bytes) -> list[dict[str, Any]]:
        return [json.loads(d) for d in cls.data(raw) if d != "[DONE]"]

    def close(self) -> None:
        self.client.close()


@pytest.fixture(autouse=True)
def _clean_env() -> None:
    """Replaces tests/conftest.py's: the emulator tests run in the environment as it is."""


@pytest.fixture
def emu() -> Iterator[EmulatorHandle]:
    with run_emulator() as handle:
        yield handle


@pytest.fixture
def wire(emu: EmulatorHandle) -> Iterator[Wire]:
    w = Wire(emu)
    yield w
    w.close()


@pytest.fixture
def sdk(emu: EmulatorHandle) -> Any:
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.hunyuan.v20230901.hunyuan_client import HunyuanClient

    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=emu.endpoint))
    return HunyuanClient(Credential(emu.secret_id, emu.secret_key), "ap-guangzhou", profile)


@pytest.fixture
def wire_for() -> Iterator[Any]:
    """Makes a ``Wire`` for an emulator the test started itself."""
    made: list[Wire] = []

    def make(handle: EmulatorHandle) -> Wire:
        made.append(Wire(handle))
        return made[-1]

    yield make
    for w in made:
        w.close()


@pytest.fixture
def oai(emu: EmulatorHandle) -> Iterator[Any]:
    """OpenAI's own SDK, unmodified, on the emulator's OpenAI-compatible endpoint."""
    import openai

    http = httpx.Client(trust_env=False)
    yield openai.OpenAI(base_url=emu.openai_base_url, api_key=emu.api_key, http_client=http)
    http.close()


@pytest.fixture
def v1(emu: EmulatorHandle) -> Iterator[httpx.Client]:
    """Raw HTTP on ``/v1/`` with the emulator's key."""
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    with httpx.Client(
        base_url=emu.openai_base_url + "/", headers=headers, trust_env=False, timeout=10
    ) as client:
        yield client
