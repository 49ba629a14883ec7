"""langchain-tests' standard suites: unit (offline, no server) and integration (the emulator)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from tests.support.langchain_standard import SERDES_LIMIT, ChatHunyuanStandard, EmulatorIntegration

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from syrupy.assertion import SnapshotAssertion

    from hunyuan_emulator import EmulatorHandle


class TestChatHunyuanStandardUnit(ChatHunyuanStandard, ChatModelUnitTests):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": "hunyuan-turbo",
            "secret_id": "AKIDunitTestSecretId",
            "secret_key": "unit-test-secret-key",
            "base_url": "http://127.0.0.1:9/",
        }

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "HUNYUAN_SECRET_ID": "AKIDfromEnvironment",
                "HUNYUAN_SECRET_KEY": "secret-key-from-environment",
            },
            {"model": "hunyuan-pro"},
            {"secret_id": "AKIDfromEnvironment", "secret_key": "secret-key-from-environment"},
        )

    @SERDES_LIMIT
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)


class TestChatHunyuanStandardIntegration(EmulatorIntegration, ChatModelIntegrationTests):
    cassettes = Path(__file__).parent / "cassettes"

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emulator: EmulatorHandle) -> None:
        type(self).emulator_handle = emulator
