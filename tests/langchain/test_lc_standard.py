"""langchain-tests' standard suites: unit (offline, no server) and integration (the emulator)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from langchain_tests.conftest import base_vcr_config
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests
from vcr.request import Request

from langchain_hunyuan import ChatHunyuan

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from syrupy.assertion import SnapshotAssertion

    from hunyuan_api.emulator import EmulatorHandle


def _normalise_request(request: Request) -> Request:
    request = copy.copy(request)
    request.uri = "https://hunyuan-emulator/"
    if request.body:
        body = json.loads(request.body)
        if "ThreadID" in body:
            body["ThreadID"] = "<thread>"
        request.body = json.dumps(body, sort_keys=True).encode()
    for header in ("X-TC-Timestamp", "Host", "Content-Length"):
        if header in request.headers:
            del request.headers[header]
    return request


class TestChatHunyuanStandardUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatHunyuan]:
        return ChatHunyuan

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": "hunyuan-turbo",
            "secret_id": "AKIDunitTestSecretId",
            "secret_key": "unit-test-secret-key",
            "base_url": "http://127.0.0.1:9/",
        }

    @property
    def has_tool_choice(self) -> bool:
        return True

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

    @pytest.mark.xfail(
        reason=(
            "langchain-core 1.8's load(allowed_objects='all') admits only classes listed in its "
            "own serialization mapping, so no third-party class can round-trip here; the "
            "snapshot half passes, and test_lc_unit.py round-trips with allowed_objects="
            "[ChatHunyuan]"
        ),
        raises=ValueError,
        strict=True,
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)


class TestChatHunyuanStandardIntegration(ChatModelIntegrationTests):
    emulator_handle: EmulatorHandle | None = None

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emulator: EmulatorHandle) -> None:
        type(self).emulator_handle = emulator

    # test_stream_time replays a cassette recorded from the emulator. The emulator's port and
    # the thread ids differ every run, so requests are normalised before matching (and before
    # recording): one host, no ThreadID. Authorization and X-TC-Token are never recorded.
    # Delete the cassette to re-record it when the request body format changes.
    @pytest.fixture
    def vcr_cassette_dir(self) -> str:
        return str(Path(__file__).parent / "cassettes")

    @pytest.fixture
    def vcr_config(self) -> dict[str, Any]:
        config = base_vcr_config()
        config["filter_headers"] = [*config["filter_headers"], ("x-tc-token", "PLACEHOLDER")]
        config["before_record_request"] = _normalise_request
        config["cassette_library_dir"] = str(Path(__file__).parent / "cassettes")
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
