"""A local emulator of Tencent Hunyuan's API: RunThread, threads, ChatCompletions and
GetTokenCount.

It checks TC3-HMAC-SHA256 signatures like the service, validates strictly (the codes of
``shared/protocol/RUNTHREAD.md``), streams like the service (``text/event-stream``), answers
from a deterministic model, and injects faults on demand. It is independent of the client
(``hunyuan_api``): its own signature check and model catalog catch the client's mistakes.
Needs the ``emulator`` extra::

    pip install 'hunyuan-langchain-llamaindex[emulator]'

Without it, ``import hunyuan_emulator`` works but every name below raises an ImportError saying
so, and the ``hunyuan-emulator`` command says so in one line (exit status 2).

Layout: ``server`` runs ``app`` (the ASGI app), which checks ``auth`` and hands each request to
``actions`` (one module per action family). Requests are checked with ``schema`` (field
specs), ``catalog`` (models) and ``order`` (message order); answers come from ``model`` (the
deterministic model) or a queued reply (``replies``), become a ``plan`` of ``frames``, and go
out through ``responses``, where ``faults`` strike. ``state`` is everything the emulator
remembers; ``control`` and ``control_routes`` steer it over HTTP; ``cli`` is the command.

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

from typing import TYPE_CHECKING, NoReturn

from .extra import missing_extra

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

_MISSING_EXTRA = missing_extra()

if TYPE_CHECKING or _MISSING_EXTRA is None:
    from .control import EmulatorControl
    from .faults import DEFAULT_RATE_FAULTS, MALFORMED_FRAME, ErrorForm, Fault, FaultKind
    from .model import build_arguments, count_tokens, generate, split_pieces
    from .replies import QueuedReply
    from .server import (
        EmulatorHandle,
        EmulatorServer,
        SpawnedEmulator,
        arun_emulator,
        run_emulator,
        spawn_emulator,
    )
    from .settings import (
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        EmulatorCredential,
        EmulatorSettings,
    )
    from .state import EmulatorState, RecordedRequest, StoredMessage, Thread
else:
    # The command (``cli``) must import without the extra to say what is missing, and it
    # imports this package first; so the package stays importable and its names refuse.

    def __getattr__(name: str) -> NoReturn:
        if name in __all__:
            raise ImportError(f"hunyuan_emulator.{name}: {_MISSING_EXTRA}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
