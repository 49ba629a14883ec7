"""Fixtures for tests/transport: one emulator for the session, and models of both adapters
pointed at it on either transport (``api="run_thread"`` or ``api="chat_completions"``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from hunyuan_api import default_ledger

if TYPE_CHECKING:
    from hunyuan_api.emulator import EmulatorHandle
    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

CREDENTIAL_ENV = (
    "HUNYUAN_SECRET_ID",
    "HUNYUAN_SECRET_KEY",
    "HUNYUAN_API_KEY",
    "HUNYUAN_BASE_URL",
    "HUNYUAN_REGION",
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SESSION_TOKEN",
    "TENCENTCLOUD_REGION",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)

APIS = ["run_thread", "chat_completions"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests never see the developer's credentials, endpoint or proxies."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorHandle]:
    from hunyuan_api.emulator import run_emulator

    with run_emulator() as handle:
        yield handle


@pytest.fixture
def emu(emulator: EmulatorHandle) -> EmulatorHandle:
    """The session emulator with no threads, log, queued replies or faults, and a thread ledger
    that remembers no thread, so each test's request log starts from a known state."""
    emulator.state.reset()
    default_ledger().clear()
    return emulator


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest) -> str:
    """Runs a test once per transport."""
    return str(request.param)


def emulator_settings(emu: EmulatorHandle) -> dict[str, Any]:
    return {"base_url": emu.base_url, "secret_id": emu.secret_id, "secret_key": emu.secret_key}


@pytest.fixture
def make_chat(emu: EmulatorHandle) -> Callable[..., ChatHunyuan]:
    """A LangChain ``ChatHunyuan`` on the emulator (keyword arguments override)."""
    from langchain_hunyuan import ChatHunyuan

    def make(**kwargs: Any) -> ChatHunyuan:
        return ChatHunyuan(**{**emulator_settings(emu), **kwargs})

    return make


@pytest.fixture
def make_llm(emu: EmulatorHandle) -> Callable[..., Hunyuan]:
    """A LlamaIndex ``Hunyuan`` on the emulator (keyword arguments override)."""
    from llama_index_hunyuan import Hunyuan

    def make(**kwargs: Any) -> Hunyuan:
        return Hunyuan(**{**emulator_settings(emu), **kwargs})

    return make
