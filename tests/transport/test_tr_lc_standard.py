"""langchain-tests' integration suite on ChatCompletions (``api="chat_completions"``), with the
same expectations as the RunThread run in ``tests/langchain/test_lc_standard.py``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from langchain_tests.conftest import base_vcr_config
from langchain_tests.integration_tests import ChatModelIntegrationTests
from vcr.request import Request

from langchain_hunyuan import ChatHunyuan

if TYPE_CHECKING:
    from hunyuan_api.emulator import EmulatorHandle

CASSETTES = Path(__file__).parent / "cassettes"


def _normalise_request(request: Request) -> Request:
    request = copy.copy(request)
    request.uri = "https://hunyuan-emulator/"
    if request.body:
        request.body = json.dumps(json.loads(request.body), sort_keys=True).encode()
    for header in ("X-TC-Timestamp", "Host", "Content-Length"):
        if header in request.headers:
            del request.headers[header]
    return request


class TestChatHunyuanChatCompletionsIntegration(ChatModelIntegrationTests):
    emulator_handle: EmulatorHandle | None = None

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emu: EmulatorHandle) -> None:
        type(self).emulator_handle = emu

    # test_stream_time replays a cassette recorded from the emulator (one ChatCompletions
    # request; no thread ids to normalise). Delete it to re-record when the body format changes.
    @pytest.fixture
    def vcr_cassette_dir(self) -> str:
        return str(CASSETTES)

    @pytest.fixture
    def vcr_config(self) -> dict[str, Any]:
        config = base_vcr_config()
        config["filter_headers"] = [*config["filter_headers"], ("x-tc-token", "PLACEHOLDER")]
        config["before_record_request"] = _normalise_request
        config["cassette_library_dir"] = str(CASSETTES)
        return config

    @property
    def chat_model_class(self) -> type[ChatHunyuan]:
        return ChatHunyuan

    @property
    def chat_model_params(self) -> dict[str, Any]:
        emu = self.emulator_handle
        assert emu is not None
        return {
            "model": "hunyuan-turbo",
            "api": "chat_completions",
            "base_url": emu.base_url,
            "secret_id": emu.secret_id,
            "secret_key": emu.secret_key,
        }

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "hunyuan-pro"

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False

    @property
    def supports_video_inputs(self) -> bool:
        return False
