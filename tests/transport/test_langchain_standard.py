"""langchain-tests' integration suite on ChatCompletions (``api="chat_completions"``), with the
same expectations as the RunThread run in ``tests/langchain/test_standard.py``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from tests.support.langchain_standard import EmulatorIntegration

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle


class TestChatHunyuanChatCompletionsIntegration(EmulatorIntegration, ChatModelIntegrationTests):
    # The cassette holds one ChatCompletions request: no thread ids to normalise.
    cassettes = Path(__file__).parent / "cassettes"
    extra_params: ClassVar[dict[str, Any]] = {"api": "chat_completions"}

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emu: EmulatorHandle) -> None:
        type(self).emulator_handle = emu
