"""A local emulator of Tencent Hunyuan's API: RunThread, threads, ChatCompletions,
GetTokenCount and GetEmbedding, and the OpenAI-compatible endpoint (``/v1/chat/completions``,
``/v1/embeddings``, ``/v1/models``).

It checks TC3-HMAC-SHA256 signatures (and Bearer API keys) like the service, validates strictly
(the codes of ``shared/protocol/RUNTHREAD.md``), streams like the service
(``text/event-stream``), answers from a deterministic model, and injects faults on demand. It is
independent of the client (``hunyuan_api``): its own signature check and model catalog catch the
client's mistakes. Needs the ``emulator`` extra::

    pip install 'hunyuan-langchain-llamaindex[emulator]'

Without it, ``import hunyuan_emulator`` works but every name below raises an ImportError saying
so, and the ``hunyuan-emulator`` command says so in one line (exit status 2).

Layout: ``server`` runs ``app`` (the ASGI app). ``intake`` turns each request into an
``actions.Call``: ``POST /`` is routed by X-TC-Action and checked by ``auth`` (TC3), ``/v1/``
is routed by ``openai_routes`` and checked by ``bearer``; each family answers in its
``dialect`` (``openai_errors`` for ``/v1/``). ``actions`` holds one module per action family.
Requests are checked with ``schema`` (field specs), ``catalog`` (models) and ``order`` (message
order); answers come from ``model`` (the deterministic model) or a queued reply (``replies``),
become a ``plan`` of ``frames``, and go out through ``responses``, where ``faults`` strike.
``state`` is everything the emulator remembers; ``control`` and ``control_routes`` steer it
over HTTP; ``cli`` is the command.

Default local credentials (the emulator accepts them; Tencent does not)::

    EMULATOR_SECRET_ID  = "AKIDhunyuanEmulator0000000000000000"
    EMULATOR_SECRET_KEY = "hunyuan-emulator-secret-key"
    EMULATOR_API_KEY    = "sk-hunyuan-emulator-0000000000000000"   # Authorization: Bearer ...

In tests::

    with run_emulator(latency=0.05) as emu:         # or: async with arun_emulator() as emu
        emu.state.queue_reply(text="你好")
        emu.state.add_fault(Fault.drop(after=3), action="RunThread")
        ...  # point a client at emu.base_url with emu.secret_id / emu.secret_key,
        ...  # or an OpenAI-format client at emu.openai_base_url (".../v1") with emu.api_key

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

Hunyuan's own fields on both stateless endpoints: images (``Contents`` parts ``{"Type":
"image_url", "ImageUrl": {"Url"}}``, OpenAI ``image_url`` parts) reach the vision models, which
describe each inline image by format, pixel size, length and digest and quote each link, never
fetching it (``actions.images``, ``model.vision``); with search enhancement on and
``SearchInfo``/``search_info`` asked for, ``{"SearchResults": [{"Index", "Title", "Url", "Text",
"Icon"}]}`` (snake_case on ``/v1/``) travels beside the choices, on a stream's first chunk, and
``Citation`` puts ``[^n]`` marks after the reply's sentences (``actions.search``); a queued
reply's ``finish_reason`` (``sensitive``) is sent as queued on every endpoint.

``GetTokenCount`` (``{"Prompt"}``) answers ``TokenCount``, ``CharacterCount`` and ``Tokens``
from the same tokenizer the deterministic model's usage counts with.

``GetEmbedding`` (``Input`` or ``InputList`` of at most 50 texts) and ``POST /v1/embeddings``
(model ``hunyuan-embedding``; action ``v1/embeddings`` for faults) answer 1,024-float unit
vectors whose cosine similarity follows the words and characters texts share
(``model.embedding``; rules: ``actions.embeddings``).

The OpenAI-compatible endpoint (``openai_routes``; Tencent's is
``https://api.hunyuan.cloud.tencent.com/v1``, TokenHub's serves ``hy3-preview``) speaks OpenAI's
wire format with ``Authorization: Bearer <key>`` (``settings.api_keys``), on the ChatCompletions
models plus ``hy3-preview``, with the same model, queued replies, faults (actions
``v1/chat/completions`` and ``v1/models``) and concurrency cap (per key). Every answer carries
``X-Request-Id`` except a ``http_status`` fault's HTML page (a gateway's, not the service's).
Errors have real HTTP statuses and OpenAI's body ``{"error": {"message", "type", "param",
"code"}}`` (table: ``openai_errors``); a 429 ``rate_limit_exceeded`` carries ``Retry-After``.
Request rules: ``actions.openai_chat``. ``POST /v1/chat/completions`` answers::

    {"id": "chatcmpl-...", "object": "chat.completion", "created", "model", "choices":
     [{"index": 0, "message": {"role": "assistant", "content": <text, or null with tool calls>,
       "reasoning_content"?, "tool_calls"?: [{"id", "type": "function", "function":
       {"name", "arguments"}}]}, "finish_reason": "stop"|"tool_calls"|"length"}], "usage":
     {"prompt_tokens", "completion_tokens", "total_tokens"}}

or, with ``"stream": true``, chunks ``data: {"id", "object": "chat.completion.chunk", "created",
"model", "choices": [{"index": 0, "delta": {...}, "finish_reason": null}]}``: the first delta
carries ``"role": "assistant"``; ``reasoning_content`` pieces (t1, a13b; ``hy3-preview`` only
with ``reasoning_effort``), then ``content`` pieces, then per tool call ``{"tool_calls":
[{"index", "id", "type": "function", "function": {"name", "arguments": ""}}]}`` and
``{"tool_calls": [{"index", "function": {"arguments": <piece>}}]}``; the last delta has the
finish_reason; with ``stream_options.include_usage`` every chunk has ``"usage": null`` and one
more chunk has ``"choices": []`` and the usage; then ``data: [DONE]``. A failure mid-stream ends
with ``data: {"error": {...}}`` and no ``[DONE]``. ``stop`` follows OpenAI: the output ends
*before* the stop string (unlike ChatCompletions' ``Stop``, which keeps it); ``max_tokens`` ends
it with ``length``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from .extra import missing_extra

__all__ = [
    "DEFAULT_RATE_FAULTS",
    "EMULATOR_API_KEY",
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
        EMULATOR_API_KEY,
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
