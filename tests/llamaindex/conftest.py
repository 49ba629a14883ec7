"""Fixtures for tests/llamaindex: one emulator for the session, and LLMs pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from llama_index_hunyuan import Hunyuan

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
    """The session emulator with an empty request log, no queued replies and no faults."""
    emulator.state.reset()
    return emulator


@pytest.fixture
def make_llm(emu: EmulatorHandle) -> Callable[..., Hunyuan]:
    def make(**kwargs: Any) -> Hunyuan:
        settings: dict[str, Any] = {
            "secret_id": emu.secret_id,
            "secret_key": emu.secret_key,
            "base_url": emu.base_url,
        }
        settings.update(kwargs)
        return Hunyuan(**settings)

    return make


@pytest.fixture
def llm(make_llm: Callable[..., Hunyuan]) -> Hunyuan:
    return make_llm()
