"""Fixtures for tests/langchain: models pointed at the session emulator (the emulator, ``emu``,
``make_chat``, ``sync`` and the clean environment come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from langchain_hunyuan import ChatHunyuan, HunyuanLLM
from tests.support.common import on_emulator

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle


@pytest.fixture
def chat(make_chat: Callable[..., ChatHunyuan]) -> ChatHunyuan:
    return make_chat()


@pytest.fixture
def make_llm(emu: EmulatorHandle) -> Callable[..., HunyuanLLM]:
    return on_emulator(HunyuanLLM, emu)
