"""Fixtures for tests/llamaindex: LLMs pointed at the session emulator (the emulator and the
clean environment come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from llama_index_hunyuan import Hunyuan
from tests.support.common import on_emulator

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle


@pytest.fixture
def emu(emulator: EmulatorHandle) -> EmulatorHandle:
    """The session emulator with an empty request log, no queued replies and no faults (unlike
    the shared ``emu``, the thread ledger keeps what it remembers)."""
    emulator.state.reset()
    return emulator


@pytest.fixture
def make_llm(emu: EmulatorHandle) -> Callable[..., Hunyuan]:
    return on_emulator(Hunyuan, emu)


@pytest.fixture
def llm(make_llm: Callable[..., Hunyuan]) -> Hunyuan:
    return make_llm()
