"""Fixtures for tests/langchain: one emulator for the session, and models pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from hunyuan_api import default_ledger
from langchain_hunyuan import ChatHunyuan, HunyuanLLM

if TYPE_CHECKING:
    from hunyuan_api.emulator import EmulatorHandle

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


@pytest.fixture(autouse=True)
def _clean_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline tests never see the developer's credentials or endpoint; live tests need them."""
    if request.node.get_closest_marker("live") is not None:
        return
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorHandle]:
    from hunyuan_api.emulator import run_emulator

    with run_emulator() as handle:
        yield handle


@pytest.fixture
def emu(emulator: EmulatorHandle) -> EmulatorHandle:
    """The session emulator with no threads, log, queued replies or faults, and a ledger that
    remembers no thread (so each test's request log starts from a known state)."""
    emulator.state.reset()
    default_ledger().clear()
    return emulator


def emulator_settings(emu: EmulatorHandle) -> dict[str, Any]:
    return {"base_url": emu.base_url, "secret_id": emu.secret_id, "secret_key": emu.secret_key}


@pytest.fixture
def make_chat(emu: EmulatorHandle) -> Callable[..., ChatHunyuan]:
    def make(**kwargs: Any) -> ChatHunyuan:
        return ChatHunyuan(**{**emulator_settings(emu), **kwargs})

    return make


@pytest.fixture
def chat(make_chat: Callable[..., ChatHunyuan]) -> ChatHunyuan:
    return make_chat()


@pytest.fixture
def make_llm(emu: EmulatorHandle) -> Callable[..., HunyuanLLM]:
    def make(**kwargs: Any) -> HunyuanLLM:
        return HunyuanLLM(**{**emulator_settings(emu), **kwargs})

    return make


@pytest.fixture(params=[True, False], ids=["sync", "async"])
def sync(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)
