"""Helpers every test directory shares (``from tests.support.common import ...``)."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle

_M = TypeVar("_M")

#: Everything that could point the plugin at a real account or route it through a proxy.
CREDENTIAL_ENV = (
    "HUNYUAN_SECRET_ID",
    "HUNYUAN_SECRET_KEY",
    "HUNYUAN_API_KEY",
    "HUNYUAN_BASE_URL",
    "HUNYUAN_REGION",
    "HUNYUAN_CA_BUNDLE",
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
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


#: The requests of a new turn that continues a thread (docs/threads.md): its newest message is
#: checked, the run sends only the new messages, and the run's place in the thread is verified.
CHECKED_RUN = ("GetThreadMessageList", "RunThread", "GetThreadMessageList")

#: The ways an application copies a model: a copy made after calls must work, and never use the
#: original's clients unless it is a shallow copy (which shares them, like every other field).
COPIES: dict[str, Callable[[Any], Any]] = {
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    "model_copy": lambda model: model.model_copy(),
    "model_copy_deep": lambda model: model.model_copy(deep=True),
    "pickle": lambda model: pickle.loads(pickle.dumps(model)),
}
SHALLOW_COPIES = ("copy", "model_copy")


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (for what a test must not import into its own process)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def import_error_without(package: str, statement: str) -> str:
    """The ImportError message ``statement`` raises where ``package`` is not installed ("" when
    it raises none): a ``None`` entry in sys.modules makes every import of it fail."""
    result = run_python(
        f"import sys\nsys.modules[{package!r}] = None\n"
        f"try:\n    {statement}\nexcept ImportError as exc:\n    print(exc)\n"
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def emulator_settings(emu: EmulatorHandle, api: str = "run_thread") -> dict[str, Any]:
    """The credentials and endpoint of ``emu`` for ``api``: its console API KEY and its
    OpenAI-compatible base URL for ``"openai"``, its SecretId/SecretKey pair otherwise."""
    if api == "openai":
        return {"api": api, "base_url": emu.openai_base_url, "api_key": emu.api_key}
    return {
        "api": api,
        "base_url": emu.base_url,
        "secret_id": emu.secret_id,
        "secret_key": emu.secret_key,
    }


def on_emulator(model: Callable[..., _M], emu: EmulatorHandle) -> Callable[..., _M]:
    """A factory of ``model`` instances pointed at ``emu`` (keyword arguments override; ``api``
    also picks the credentials)."""

    def make(**kwargs: Any) -> _M:
        return model(**{**emulator_settings(emu, kwargs.get("api", "run_thread")), **kwargs})

    return make


class ResponseFolder:
    """Feeds core events to the LlamaIndex adapter's per-event response builder, with the
    running totals a ``RunStream`` would report (tests that script events, not frames)."""

    def __init__(self) -> None:
        self.text = ""
        self.reasoning = ""
        self.calls: dict[int, list[str]] = {}

    def feed(self, event: Any) -> Any:
        from hunyuan_api import (
            PartialOutput,
            ReasoningDelta,
            TextDelta,
            ToolCall,
            ToolCallDelta,
        )
        from llama_index_hunyuan._responses import streamed_response

        if isinstance(event, TextDelta):
            self.text += event.text
        elif isinstance(event, ReasoningDelta):
            self.reasoning += event.text
        elif isinstance(event, ToolCallDelta):
            call = self.calls.setdefault(event.index, ["", "", ""])
            call[0] = event.id or call[0]
            call[1] = event.name or call[1]
            call[2] += event.arguments
        so_far = PartialOutput(
            text=self.text,
            reasoning=self.reasoning,
            tool_calls=tuple(ToolCall(*c) for _, c in sorted(self.calls.items())),
        )
        return streamed_response(event, so_far)
