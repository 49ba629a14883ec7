"""A local emulator of Tencent Hunyuan's API: RunThread, threads, ChatCompletions and
GetTokenCount.

It checks TC3-HMAC-SHA256 signatures like the service, validates strictly (the codes of
``shared/protocol/RUNTHREAD.md``), streams like the service (``text/event-stream``), answers
from a deterministic model, and injects faults on demand. Needs the ``emulator`` extra::

    pip install 'hunyuan-plugin[emulator]'

Default local credentials (the emulator accepts them; Tencent does not)::

    EMULATOR_SECRET_ID  = "AKIDhunyuanEmulator0000000000000000"
    EMULATOR_SECRET_KEY = "hunyuan-emulator-secret-key"

In tests::

    with run_emulator(latency=0.05) as emu:         # or: async with arun_emulator() as emu
        emu.state.queue_reply(text="你好")
        emu.state.add_fault(Fault.drop(after=3), action="RunThread")
        ...  # point a client at emu.base_url with emu.secret_id / emu.secret_key

For benchmarks, ``spawn_emulator()`` runs the CLI in a subprocess and steers it through
``.control``. From a shell: ``hunyuan-emulator --port 8765`` (see ``--help``).

RunThread success stream (each frame ``data: <compact JSON>\n\n``)::

    thread.run created -> thread.run in_progress -> thread.message in_progress (Content "")
    -> thread.message.delta x N -> thread.message completed|incomplete (full Content)
    -> thread.run completed | requires_action | incomplete (with Usage) -> data: [DONE]

ChatCompletions streams chunks ``{"Id","Created","Note","Choices":[{"Index":0,"Delta":...,
"FinishReason":""}],"Usage":<cumulative>}``; the last chunk carries the FinishReason and
there is no ``[DONE]`` (the service sends none; Tencent's SDK needs none). With
``Stream: false`` the answer is one JSON body whose choice carries ``Message`` instead of
``Delta``. ``Stop`` ends the output *after* the first matched stop string (Tencent's documented
behaviour: the string stays in the output).

``GetTokenCount`` (``{"Prompt"}``) answers ``TokenCount``, ``CharacterCount`` and ``Tokens``
from the same tokenizer the deterministic model's usage counts with.
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "hunyuan_api.emulator needs Starlette and uvicorn: pip install 'hunyuan-plugin[emulator]'"
    ) from exc

from ._control import EmulatorControl
from ._faults import DEFAULT_RATE_FAULTS, MALFORMED_FRAME, ErrorForm, Fault, FaultKind
from ._model import build_arguments, count_tokens, generate, split_pieces
from ._server import (
    EmulatorHandle,
    EmulatorServer,
    SpawnedEmulator,
    arun_emulator,
    run_emulator,
    spawn_emulator,
)
from ._settings import (
    EMULATOR_SECRET_ID,
    EMULATOR_SECRET_KEY,
    EmulatorCredential,
    EmulatorSettings,
)
from ._state import EmulatorState, QueuedReply, RecordedRequest, StoredMessage, Thread

__all__ = [
    "DEFAULT_RATE_FAULTS",
    "EMULATOR_SECRET_ID",
    "EMULATOR_SECRET_KEY",
    "MALFORMED_FRAME",
    "EmulatorControl",
    "EmulatorCredential",
    "EmulatorHandle",
    "EmulatorServer",
    "EmulatorSettings",
    "EmulatorState",
    "ErrorForm",
    "Fault",
    "FaultKind",
    "QueuedReply",
    "RecordedRequest",
    "SpawnedEmulator",
    "StoredMessage",
    "Thread",
    "arun_emulator",
    "build_arguments",
    "count_tokens",
    "generate",
    "run_emulator",
    "spawn_emulator",
    "split_pieces",
]
