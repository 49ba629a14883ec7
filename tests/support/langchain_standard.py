"""ChatHunyuan's answers to langchain-tests' standard suites, shared by the unit and emulator runs
in tests/langchain, the ChatCompletions run in tests/transport and the live run.

Each mixin comes before the langchain-tests class it configures
(``class TestX(EmulatorIntegration, ChatModelIntegrationTests)``) and defines no ``test_*``
method, so ``test_no_overrides_DO_NOT_OVERRIDE`` still finds every standard test untouched.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import pytest
from langchain_tests.conftest import base_vcr_config
from vcr.request import Request

from langchain_hunyuan import ChatHunyuan
from tests.support.common import emulator_settings

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle


#: The one standard test ChatHunyuan cannot pass, and why (README "Copies, pickles and `load`").
SERDES_LIMIT = pytest.mark.xfail(
    reason=(
        "langchain-core 1.8's load(allowed_objects='all') admits only the class paths in "
        "langchain_core.load.mapping plus the caller's additional_import_mappings, and this "
        "test passes none: a package outside langchain-core cannot enter that list. The "
        "snapshot half passes; tests/langchain/test_conventions.py round-trips with the two ways "
        "load allows (allowed_objects=[ChatHunyuan], or 'all' with additional_import_mappings)"
    ),
    raises=ValueError,
    strict=True,
)


class ChatHunyuanStandard:
    """What every standard suite is told: the class, and that ``tool_choice`` works."""

    @property
    def chat_model_class(self) -> type[ChatHunyuan]:
        return ChatHunyuan

    @property
    def has_tool_choice(self) -> bool:
        return True


class ChatHunyuanIntegration(ChatHunyuanStandard):
    """What the integration suite expects of Hunyuan, live or on the emulator: usage metadata,
    JSON mode, Anthropic-style inputs, text only."""

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


def _normalise_request(request: Request) -> Request:
    request = copy.copy(request)
    request.uri = "https://hunyuan-emulator" + urlsplit(request.uri).path
    if request.body:
        body = json.loads(request.body)
        if "ThreadID" in body:
            body["ThreadID"] = "<thread>"
        request.body = json.dumps(body, sort_keys=True).encode()
    for header in ("X-TC-Timestamp", "Host", "Content-Length"):
        if header in request.headers:
            del request.headers[header]
    return request


class EmulatorIntegration(ChatHunyuanIntegration):
    """The integration suite on the emulator. A test class sets ``cassettes`` and may add
    ``extra_params`` (``{"api": "chat_completions"}``); each test runs on the reset emulator of
    its directory (``emu``), which a class may replace by overriding ``_use_emulator``."""

    emulator_handle: EmulatorHandle | None = None
    cassettes: ClassVar[Path]
    extra_params: ClassVar[dict[str, Any]] = {}

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emu: EmulatorHandle) -> None:
        type(self).emulator_handle = emu

    # test_stream_time replays a cassette recorded from the emulator. The emulator's port and
    # the thread ids differ every run, so requests are normalised before matching (and before
    # recording): one host, no ThreadID. Authorization and X-TC-Token are never recorded.
    # Delete the cassette to re-record it when the request body format changes.
    @pytest.fixture
    def vcr_cassette_dir(self) -> str:
        return str(self.cassettes)

    @pytest.fixture
    def vcr_config(self) -> dict[str, Any]:
        config = base_vcr_config()
        config["filter_headers"] = [*config["filter_headers"], ("x-tc-token", "PLACEHOLDER")]
        config["before_record_request"] = _normalise_request
        config["cassette_library_dir"] = str(self.cassettes)
        return config

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def chat_model_params(self) -> dict[str, Any]:
        emu = self.emulator_handle
        assert emu is not None
        return {
            "model": "hunyuan-turbo",
            **emulator_settings(emu, self.extra_params.get("api", "run_thread")),
            **self.extra_params,
        }
