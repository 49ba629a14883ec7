"""Fixtures for tests/transport: models of both adapters pointed at the session emulator on
either transport (``api="run_thread"`` or ``api="chat_completions"``). The emulator, ``emu``,
``make_chat`` and the clean environment come from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.support.common import on_emulator

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle
    from llama_index_hunyuan import Hunyuan

APIS = ["run_thread", "chat_completions", "openai"]


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest) -> str:
    """Runs a test once per transport."""
    return str(request.param)


@pytest.fixture
def make_llm(emu: EmulatorHandle) -> Callable[..., Hunyuan]:
    """A LlamaIndex ``Hunyuan`` on the emulator (keyword arguments override)."""
    from llama_index_hunyuan import Hunyuan

    return on_emulator(Hunyuan, emu)
