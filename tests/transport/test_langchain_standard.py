"""langchain-tests' suites on ChatCompletions (``api="chat_completions"``) and the
OpenAI-compatible endpoint (``api="openai"``), with the same expectations as the RunThread run in
``tests/langchain/test_standard.py``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from tests.support.langchain_standard import SERDES_LIMIT, ChatHunyuanStandard, EmulatorIntegration

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from syrupy.assertion import SnapshotAssertion


class TestChatHunyuanChatCompletionsIntegration(EmulatorIntegration, ChatModelIntegrationTests):
    # The cassette holds one ChatCompletions request: no thread ids to normalise.
    cassettes = Path(__file__).parent / "cassettes"
    extra_params: ClassVar[dict[str, Any]] = {"api": "chat_completions"}


class TestChatHunyuanOpenAIIntegration(EmulatorIntegration, ChatModelIntegrationTests):
    """The same suite on the OpenAI-compatible endpoint (``api="openai"``, a console API KEY)."""

    cassettes = Path(__file__).parent / "cassettes"
    extra_params: ClassVar[dict[str, Any]] = {"api": "openai"}


class TestChatHunyuanOpenAIUnit(ChatHunyuanStandard, ChatModelUnitTests):
    """The unit suite with only an API KEY: ``api`` is chosen as ``"openai"``."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "hunyuan-turbos-latest", "base_url": "http://127.0.0.1:9/v1"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"HUNYUAN_API_KEY": "sk-from-the-environment"},
            {"model": "hunyuan-turbos-latest"},
            {"api": "openai"},
        )

    @SERDES_LIMIT
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)
