"""Hostile input: nothing a peer or a caller sends makes the project fail in an unplanned way.

- Streams (extending tests/core's fuzzing of the decoder, frames and accumulator): valid streams
  with random content, random line endings, random network splits, cut short anywhere, or with
  random bytes spliced in; random event data; random frames folded all the way into LangChain
  chunks and LlamaIndex responses. The only exceptions that escape are the project's own, and a
  stream cut before its terminal run snapshot is never a success.
- Requests: random LangChain and LlamaIndex conversations, content blocks, tools (names and
  schemas) and tool choices either raise ValueError/TypeError before anything is sent, or build
  a request that the emulator's strict validator accepts. A smaller sample goes over the wire.
- Round trip: text holding SSE-like sequences, NUL, lone surrogates and a 1 MB single line
  reaches the emulator intact, and comes back intact through both adapters.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from llama_index.core.base.llms.types import ChatMessage as LIChatMessage
from llama_index.core.base.llms.types import (
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool
from pydantic import create_model

from hunyuan_api import (
    HunyuanError,
    RunFinished,
    StreamError,
    TextDelta,
    ToolCall,
    default_ledger,
)
from hunyuan_api._run.accumulator import RunAccumulator
from hunyuan_api._run.session import RunSession
from hunyuan_api._wire.bodies import build_run_thread_body, encode_json
from hunyuan_api._wire.frames import parse_frame
from hunyuan_api._wire.sse import ServerSentEvent
from hunyuan_emulator import EmulatorHandle
from hunyuan_emulator.actions.run_thread import validate_run_thread
from hunyuan_emulator.errors import RuleError
from hunyuan_emulator.order import check_order
from hunyuan_emulator.schema import parse_json_body
from langchain_hunyuan import ChatHunyuan
from langchain_hunyuan._chunks import chat_chunk
from llama_index_hunyuan import Hunyuan
from llama_index_hunyuan._tools import is_final, tool_selections
from tests.support.common import ResponseFolder
from tests.support.reliability import ADAPTERS, CALLS, MODES, Adapter, Call, Mode, drive, make_model


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))


#: Sequences that mean something to an SSE parser, a JSON parser or a C string.
HOSTILE = [
    "\n\ndata: [DONE]\n\n",
    "data: ",
    "event: error\n",
    ": ping\n",
    "\r\n",
    "\r",
    "\x00",
    "\ud800",
    "\udfff",
    "\ufeff",
    '"}',
    "\\u0000",
    "😀",
    "混元",
    "<tool_calls>",
]
piece = st.text(max_size=6) | st.sampled_from(HOSTILE)
hostile_text = st.lists(piece, max_size=4).map("".join)


def _wire(obj: Any) -> bytes:
    """Compact JSON as the service writes it: UTF-8, or \\u escapes where a lone surrogate could
    not be UTF-8."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(obj, separators=(",", ":")).encode()


def _frame(obj: Any, newline: str) -> bytes:
    nl = newline.encode()
    return b"data: " + _wire(obj) + nl + nl


def _run_stream(pieces: list[str], newline: str) -> tuple[bytes, bytes]:
    """A RunThread stream delivering ``pieces``; returns it and its terminal snapshot's JSON."""
    run = {"Object": "thread.run", "ID": "run_1", "ThreadID": "thread_1", "Model": "hunyuan-turbo"}
    message = {"Object": "thread.message", "ID": "msg_1", "RunID": "run_1", "Role": "assistant"}
    terminal = {
        **run,
        "Status": "completed",
        "Usage": {"PromptTokens": 3, "CompletionTokens": 5, "TotalTokens": 8},
    }
    frames = [
        {**run, "Status": "queued"},
        {**run, "Status": "in_progress"},
        {**message, "Status": "in_progress", "Content": ""},
        *(
            {"Object": "thread.message.delta", "ID": "msg_1", "Delta": {"Content": p}}
            for p in pieces
        ),
        {**message, "Status": "completed", "Content": "".join(pieces)},
        terminal,
    ]
    raw = b"".join(_frame(f, newline) for f in frames) + f"data: [DONE]{newline}{newline}".encode()
    return raw, _wire(terminal)


def _as_json_carries(text: str) -> str:
    """``text`` as one JSON string delivers it: a high surrogate followed by a low one is the
    astral character they encode (``"\\ud800\\udfff"`` is one character in JSON). Each delta
    frame is its own JSON string, so this applies piece by piece."""
    return str(json.loads(json.dumps(text)))


def _split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(raw), *(c % (len(raw) + 1) for c in cuts)})
    return [raw[a:b] for a, b in itertools.pairwise(points)]


def _drive(chunks: list[bytes], **session: Any) -> tuple[str, Any]:
    run = RunSession(model="hunyuan-turbo", request_id="req-1", thread_id="thread_1", **session)
    events = [e for chunk in chunks for e in run.feed(chunk)]
    events += run.end()
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    return text, run.result()


newlines = st.sampled_from(["\n", "\r\n", "\r"])
splits = st.lists(st.integers(0, 10**6), max_size=12)


# --------------------------------------------------------------------------- streams


@fuzz(150)
@given(st.lists(hostile_text, min_size=1, max_size=8), newlines, splits)
def test_any_content_any_split_round_trips_exactly(
    pieces: list[str], newline: str, cuts: list[int]
) -> None:
    pieces = [p for p in pieces if p] or ["x"]
    raw, _ = _run_stream(pieces, newline)
    text, result = _drive(_split(raw, cuts))
    assert text == result.text == "".join(map(_as_json_carries, pieces))
    assert result.finish_reason == "stop"


@fuzz(150)
@given(st.lists(hostile_text, min_size=1, max_size=6), newlines, st.data())
def test_a_stream_cut_before_its_terminal_snapshot_is_never_a_success(
    pieces: list[str], newline: str, data: st.DataObject
) -> None:
    pieces = [p for p in pieces if p] or ["x"]
    raw, terminal = _run_stream(pieces, newline)
    # The terminal snapshot counts once its data line has ended (a newline arrived).
    terminal_end = raw.index(terminal) + len(terminal)
    cut = data.draw(st.integers(0, len(raw)), label="cut")
    chunks = _split(raw[:cut], data.draw(splits, label="splits"))
    if cut <= terminal_end:
        with pytest.raises(StreamError) as caught:
            _drive(chunks)
        assert caught.value.code in ("StreamTruncated", "StreamMalformed")
        assert caught.value.partial is not None
        assert "".join(map(_as_json_carries, pieces)).startswith(caught.value.partial_text)
    else:
        text, result = _drive(chunks)
        assert text == result.text == "".join(map(_as_json_carries, pieces))


@fuzz(200)
@given(
    st.lists(hostile_text, min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=8)), max_size=4),
    splits,
    st.lists(st.sampled_from(["\n\n", "a", "done", "。"]), max_size=2),
    st.none() | st.integers(1, 6),
)
def test_a_corrupted_stream_raises_only_project_errors(
    pieces: list[str],
    inserts: list[tuple[int, bytes]],
    cuts: list[int],
    stop: list[str],
    limit: int | None,
) -> None:
    raw, _ = _run_stream([p for p in pieces if p] or ["x"], "\n")
    for position, junk in inserts:
        position %= len(raw) + 1
        raw = raw[:position] + junk + raw[position:]
    failure: HunyuanError | None = None
    try:
        _drive(_split(raw, cuts), stop=tuple(stop), completion_token_limit=limit)
    except HunyuanError as exc:
        failure = exc
    # Whatever broke, the partial output is attached.
    assert failure is None or failure.partial is not None


@fuzz(300)
@given(
    st.sampled_from(["message", "error", "done", "thread.run", "thread.message.delta", "", "x"]),
    st.text(max_size=40)
    | st.sampled_from(["[DONE]", "{", "[]", "null", '{"Error": 1}', '{"Object": 5}', "1e999"]),
)
def test_random_event_data_raises_only_stream_errors(event: str, data: str) -> None:
    with contextlib.suppress(StreamError):
        parse_frame(ServerSentEvent(event, data, "", None))


_scalars = st.none() | st.booleans() | st.integers(-3, 2**70) | st.text(max_size=6)
_fragment = st.fixed_dictionaries(
    {},
    optional={
        "Index": st.integers(-2, 5) | st.none() | st.text(max_size=2),
        "Id": st.sampled_from(["call_a", "call_b", ""]) | st.none(),
        "Type": st.just("function"),
        "Function": st.fixed_dictionaries(
            {},
            optional={
                "Name": st.sampled_from(["lookup", "x", ""]) | st.none(),
                "Arguments": st.sampled_from(['{"a": ', "1}", "{}", "[", '"', "null"])
                | hostile_text,
            },
        ),
    },
)
_frames = st.one_of(
    st.builds(
        lambda c, r, calls: {
            "Object": "thread.message.delta",
            "Delta": {"Content": c, "ReasoningContent": r, "ToolCalls": calls},
        },
        hostile_text | st.none(),
        hostile_text | st.none(),
        st.lists(_fragment, max_size=3) | st.none(),
    ),
    st.builds(
        lambda status, calls, reason: {
            "Object": "thread.run",
            "Status": status,
            "RequiredAction": {"SubmitToolOutputs": {"ToolCalls": calls}},
            "InCompleteDetails": {"Reason": reason},
        },
        st.sampled_from(["in_progress", "completed", "requires_action", "incomplete"]),
        st.lists(_fragment, max_size=2),
        st.sampled_from(["max_tokens", "sensitive", None]),
    ),
    st.builds(
        lambda content: {"Object": "thread.message", "Content": content},
        hostile_text | _scalars,
    ),
    st.builds(lambda code: {"Error": {"Code": code, "Message": "m"}}, _scalars),
)


@fuzz(300)
@given(st.lists(_frames, max_size=8))
def test_random_frames_fold_into_adapter_chunks_without_surprises(
    frames: list[dict[str, Any]],
) -> None:
    accumulator = RunAccumulator(model="hunyuan-turbo", request_id="req-1", thread_id="t")
    events: list[Any] = []
    try:
        for obj in frames:
            events += accumulator.feed(
                parse_frame(ServerSentEvent("message", json.dumps(obj), "", None))
            )
        events.append(RunFinished(accumulator.result()))
    except HunyuanError:
        pass  # the project's own: what a caller would catch
    # Whatever the accumulator let through, both adapters fold without raising.
    merged: AIMessageChunk | None = None
    for event in events:
        chunk = chat_chunk(event, "hunyuan-turbo").message
        assert isinstance(chunk, AIMessageChunk)
        merged = chunk if merged is None else merged + chunk
    if merged is not None:
        assert isinstance(merged.tool_calls, list)
        assert isinstance(merged.invalid_tool_calls, list)
    stream = ResponseFolder()
    for event in events:
        response = stream.feed(event)
        assert isinstance(response, ChatResponse)
        if is_final(response) and not all(
            _json_object(call.arguments) for call in response_calls(response)
        ):
            # The one documented refusal: a finished call whose arguments are not JSON.
            with pytest.raises(ValueError, match="The arguments of tool call"):
                tool_selections(response, error_on_no_tool_call=False)
        else:
            tool_selections(response, error_on_no_tool_call=False)


def _json_object(text: str) -> bool:
    try:
        return not text.strip() or isinstance(json.loads(text), dict)
    except ValueError:
        return False


def response_calls(response: ChatResponse) -> list[ToolCall]:
    return [
        ToolCall(b.tool_call_id or "", b.tool_name, str(b.tool_kwargs))
        for b in response.message.blocks
        if isinstance(b, ToolCallBlock)
    ]


# --------------------------------------------------------------------------- requests


def _accepted_by_the_emulator(body: dict[str, Any]) -> None:
    """What the emulator does with a RunThread body on a fresh thread, minus the network."""
    request = validate_run_thread(parse_json_body(encode_json(body)))
    check_order(request.messages, lambda i: f"AdditionalMessages.{i}", by_id=False)
    for tool in body.get("Tools", []):
        # Parameters travels as JSON text: strict JSON (no NaN/Infinity), as the service parses.
        json.loads(tool["Function"]["Parameters"], parse_constant=_refuse_constant)


def _refuse_constant(token: str) -> Any:
    raise AssertionError(f"{token} is not JSON")


def _build_or_refuse(prepare: Callable[[], Any], client: Any) -> None:
    """Either a clear ValueError/TypeError before sending, or a body the emulator accepts."""
    try:
        history, options = prepare()
        history, options = client._prepare(history, options)
        body = build_run_thread_body("thread_fuzz", history, options)
    except (ValueError, TypeError) as exc:
        refusal: Exception = exc
    else:
        try:
            _accepted_by_the_emulator(body)
        except RuleError as exc:  # a failure is the finding
            raise AssertionError(f"the emulator refuses the request: {exc}") from exc
        return
    assert str(refusal), "a refusal must say why"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=6,
)
_tool_names = st.sampled_from(["lookup", "get_weather", "a-b", "x_1"])
_any_tool_names = _tool_names | st.sampled_from(["bad name", "", "名字", "a.b", "x" * 80])
_schemas = st.one_of(
    st.builds(
        lambda props, required: {"type": "object", "properties": props, "required": required},
        st.dictionaries(
            st.text(max_size=4),
            st.builds(
                lambda kind, text: {"type": kind, "description": text},
                st.sampled_from(["string", "integer", "number", "array", "object", "boolean"]),
                hostile_text,
            ),
            max_size=3,
        ),
        st.lists(st.text(max_size=3), max_size=2),
    ),
    st.dictionaries(
        st.sampled_from(["type", "properties", "required", "additionalProperties", "$defs"]),
        _json_values,
        max_size=4,
    ),
)
_lc_content = hostile_text | st.lists(
    hostile_text
    | st.builds(lambda t: {"type": "text", "text": t}, hostile_text)
    | st.sampled_from(
        [
            {"type": "reasoning", "reasoning": "hm"},
            {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}},
            {"type": "tool_use", "id": "x", "name": "y", "input": {}},
            {"type": "mystery"},
            {"type": "text"},
        ]
    ),
    max_size=3,
)
_call_ids = st.sampled_from(["call_1", "call_2", "", "call_3"])


def _lc_tool(name: str, description: str, parameters: Any) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    }


_lc_any_message = st.one_of(
    st.builds(lambda c: HumanMessage(content=c), _lc_content),
    st.builds(lambda c: SystemMessage(content=c), _lc_content),
    st.builds(
        lambda c, calls: AIMessage(content=c, tool_calls=calls),
        _lc_content,
        st.lists(
            st.builds(
                lambda n, a, i: {"name": n, "args": a, "id": i},
                _any_tool_names,
                st.dictionaries(st.text(max_size=3), _json_values, max_size=2),
                _call_ids,
            ),
            max_size=3,
        ),
    ),
    st.builds(lambda c, i: ToolMessage(content=c, tool_call_id=i), _lc_content, _call_ids),
    st.builds(
        lambda c, r: ChatMessage(content=c, role=r),
        _lc_content,
        st.sampled_from(["user", "assistant", "human", "ai", "system", "tool", "critic"]),
    ),
)


@st.composite
def _lc_conversation(draw: st.DrawFn) -> list[BaseMessage]:
    """A plausible agent conversation (so most examples reach the emulator's validator), with
    the occasional missing tool result."""
    messages: list[BaseMessage] = []
    if draw(st.booleans()):
        messages.append(SystemMessage(content=draw(_lc_content)))
    messages.append(HumanMessage(content=draw(_lc_content)))
    for turn in range(draw(st.integers(0, 3))):
        calls = [
            {
                "name": draw(_tool_names),
                "args": draw(st.dictionaries(st.text(max_size=3), _json_values, max_size=2)),
                "id": f"call_{turn}_{k}",
            }
            for k in range(draw(st.integers(0, 3)))
        ]
        messages.append(AIMessage(content=draw(_lc_content), tool_calls=calls))
        results = [ToolMessage(content=draw(_lc_content), tool_call_id=c["id"]) for c in calls]
        results = draw(st.permutations(results))
        if results and draw(st.integers(0, 9)) == 0:
            results = results[:-1]
        messages.extend(results)
        if not results or draw(st.booleans()):
            messages.append(HumanMessage(content=draw(_lc_content)))
    return messages


_OFFLINE = {"base_url": "http://127.0.0.1:9/", "secret_id": "AKIDfuzz", "secret_key": "fuzz"}
_choices = st.sampled_from([None, "auto", "none", "any", "required", True, "lookup", {"type": "x"}])


def _lc_prepare(
    model: ChatHunyuan, messages: list[BaseMessage], tools: Any, choice: Any, name: str
) -> Callable[[], Any]:
    kwargs: dict[str, Any] = {"model": name}
    if tools:
        kwargs["tools"] = tools
    if choice is not None:
        kwargs["tool_choice"] = choice
    return lambda: model._prepare(messages, None, kwargs)


@fuzz(250)
@given(
    st.lists(_lc_any_message, min_size=1, max_size=6) | _lc_conversation(),
    st.lists(st.builds(_lc_tool, _any_tool_names, hostile_text, _schemas), max_size=3),
    _choices,
    st.sampled_from(["hunyuan-turbo", "hunyuan-lite", "hunyuan-pro"]),
)
def test_langchain_requests_are_valid_or_refused_before_sending(
    messages: list[BaseMessage], tools: list[dict[str, Any]], choice: Any, name: str
) -> None:
    model = ChatHunyuan(**_OFFLINE)
    _build_or_refuse(_lc_prepare(model, messages, tools, choice, name), model._client)


_li_blocks = st.lists(
    st.builds(TextBlock, text=hostile_text) | st.builds(ThinkingBlock, content=hostile_text),
    max_size=3,
)
_li_any_block = st.one_of(
    st.builds(TextBlock, text=hostile_text),
    st.builds(ThinkingBlock, content=hostile_text),
    st.just(ImageBlock(url="https://example.com/x.png")),
    st.builds(
        lambda n, a, i: ToolCallBlock(tool_name=n, tool_kwargs=a, tool_call_id=i),
        _any_tool_names,
        st.dictionaries(st.text(max_size=3), _json_values, max_size=2) | hostile_text,
        st.sampled_from(["call_1", "call_2", None]),
    ),
)
_li_any_message = st.builds(
    lambda role, blocks, extra: LIChatMessage(role=role, blocks=blocks, additional_kwargs=extra),
    st.sampled_from(list(MessageRole)),
    st.lists(_li_any_block, max_size=3),
    st.fixed_dictionaries(
        {},
        optional={
            "tool_calls": st.lists(
                st.builds(
                    lambda n, a, i: {
                        "id": i,
                        "type": "function",
                        "function": {"name": n, "arguments": a},
                    },
                    _any_tool_names,
                    hostile_text,
                    _call_ids,
                ),
                max_size=2,
            ),
            "tool_call_id": _call_ids,
        },
    ),
)


@st.composite
def _li_conversation(draw: st.DrawFn) -> list[LIChatMessage]:
    messages: list[LIChatMessage] = []
    if draw(st.booleans()):
        messages.append(LIChatMessage(role=MessageRole.SYSTEM, blocks=draw(_li_blocks)))
    messages.append(LIChatMessage(role=MessageRole.USER, blocks=draw(_li_blocks)))
    for turn in range(draw(st.integers(0, 3))):
        ids = [f"call_{turn}_{k}" for k in range(draw(st.integers(0, 3)))]
        calls = [
            (
                draw(_tool_names),
                draw(st.dictionaries(st.text(max_size=3), _json_values, max_size=2)),
                i,
            )
            for i in ids
        ]
        if draw(st.booleans()):  # the legacy OpenAI-shaped kwargs other integrations write
            legacy = [
                {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                for n, a, i in calls
            ]
            messages.append(
                LIChatMessage(
                    role=MessageRole.ASSISTANT,
                    blocks=draw(_li_blocks),
                    additional_kwargs={"tool_calls": legacy} if legacy else {},
                )
            )
        else:
            blocks = draw(_li_blocks) + [
                ToolCallBlock(tool_name=n, tool_kwargs=a, tool_call_id=i) for n, a, i in calls
            ]
            messages.append(LIChatMessage(role=MessageRole.ASSISTANT, blocks=blocks))
        results = [
            LIChatMessage(
                role=MessageRole.TOOL,
                blocks=draw(_li_blocks),
                additional_kwargs={"tool_call_id": i},
            )
            for i in ids
        ]
        results = draw(st.permutations(results))
        if results and draw(st.integers(0, 9)) == 0:
            results = results[:-1]
        messages.extend(results)
        if not results or draw(st.booleans()):
            role = draw(st.sampled_from([MessageRole.USER, MessageRole.SYSTEM]))
            messages.append(LIChatMessage(role=role, blocks=draw(_li_blocks)))
    return messages


def _li_tool(name: str, description: str, fields: dict[str, Any]) -> FunctionTool:
    schema = create_model("Arguments", **{k: (kind, ...) for k, kind in fields.items()})  # type: ignore[call-overload]
    return FunctionTool.from_defaults(
        fn=lambda **_: "ok", name=name, description=description or "a tool", fn_schema=schema
    )


_li_tools = st.lists(
    st.builds(
        _li_tool,
        _any_tool_names,
        hostile_text,
        st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True),
            st.sampled_from([str, int, float, bool, list, dict, object]),
            max_size=3,
        ),
    ),
    max_size=3,
)


@fuzz(250)
@given(
    st.lists(_li_any_message, min_size=1, max_size=6) | _li_conversation(),
    _li_tools,
    _choices,
    st.booleans(),
    st.sampled_from([None, "Be brief.", " ", "\x00"]),
)
def test_llamaindex_requests_are_valid_or_refused_before_sending(
    messages: list[LIChatMessage],
    tools: list[FunctionTool],
    choice: Any,
    through_chat_with_tools: bool,
    system_prompt: str | None,
) -> None:
    llm = Hunyuan(**_OFFLINE, system_prompt=system_prompt)

    def prepare() -> Any:
        if through_chat_with_tools:
            kwargs = llm._prepare_chat_with_tools(tools, chat_history=messages, tool_choice=choice)
            return llm._request(kwargs.pop("messages"), kwargs)
        kwargs = {"tools": tools} if tools else {}
        if choice is not None:
            kwargs["tool_choice"] = choice
        return llm._request(messages, kwargs)

    _build_or_refuse(prepare, llm._get_client())


@fuzz(25)
@given(data=st.data())
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_requests_over_the_wire_are_accepted_or_never_sent(
    emu: EmulatorHandle, adapter: Adapter, data: st.DataObject
) -> None:
    emu.state.reset()
    default_ledger().clear()
    if adapter == "langchain":
        messages: Any = data.draw(_lc_conversation(), label="messages")
        tools: Any = data.draw(
            st.lists(
                st.builds(_lc_tool, _tool_names, hostile_text, _schemas),
                max_size=2,
                unique_by=lambda t: t["function"]["name"],
            ),
            label="tools",
        )
        model: Any = make_model("langchain", emu, max_retries=0)
        runnable = model.bind_tools(tools) if tools and _bindable(model, tools) else model

        def call() -> Any:
            return runnable.invoke(messages)
    else:
        messages = data.draw(_li_conversation(), label="messages")
        tools = data.draw(
            _li_tools.filter(lambda ts: len({t.metadata.name for t in ts}) == len(ts)),
            label="tools",
        )
        llm = make_model("llamaindex", emu, max_retries=0)

        def call() -> Any:
            if tools:
                return llm.chat_with_tools(tools, chat_history=messages)
            return llm.chat(messages)

    try:
        call()
    except (ValueError, TypeError) as exc:
        if isinstance(exc, HunyuanError):
            raise
        assert emu.state.requests == [], "refused, but only after sending"
        return
    runs = [r for r in emu.state.requests if r.action == "RunThread"]
    assert [r.outcome for r in runs] == ["stream"]


# --------------------------------------------------------------------------- round trip

ROUND_TRIP = {
    "sse-like": 'before\n\ndata: [DONE]\n\nafter\r\n\r\nevent: error\ndata: {"Error":1}\n\n',
    "nul": "a\x00b\x00\x00c",
    "lone-surrogates": "x\ud800y\udfffz\udbff",
    # One line, and one token of the emulator's tokenizer: a single 1 MiB delta frame.
    "one-megabyte-line": "0123456789abcdefghijklmnopqrstuv" * 32_768,
}


@pytest.mark.parametrize("text", list(ROUND_TRIP.values()), ids=list(ROUND_TRIP))
@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_hostile_text_round_trips_intact(
    emu: EmulatorHandle, adapter: Adapter, mode: Mode, call: Call, text: str
) -> None:
    emu.state.queue_reply(text=text)
    out = await drive(adapter, mode, call, make_model(adapter, emu), text)
    assert out.error is None, repr(out.error)
    # The prompt reached the service byte for byte (the log holds the body as it decoded it)...
    runs = [r for r in emu.state.requests if r.action == "RunThread"]
    assert len(runs) == 1
    assert runs[0].body["AdditionalMessages"] == [{"Role": "user", "Content": text}]
    # ...and the reply came back unchanged, streamed or whole.
    assert out.text == text
    if call == "stream":
        assert out.seen == text


def _bindable(model: ChatHunyuan, tools: list[dict[str, Any]]) -> bool:
    """bind_tools refuses bad tools at once; such draws test nothing over the wire."""
    try:
        model.bind_tools(tools)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- bad timeouts


@pytest.mark.parametrize("timeout", [float("nan"), -5, 0, float("inf")])
@pytest.mark.parametrize(
    "build",
    ["ChatHunyuan", "HunyuanLLM", "Hunyuan", "HunyuanClient", "AsyncHunyuanClient"],
)
def test_a_timeout_that_is_not_a_positive_number_is_refused_at_construction(
    build: str, timeout: float
) -> None:
    import hunyuan_api
    import langchain_hunyuan
    import llama_index_hunyuan

    cls = (
        getattr(langchain_hunyuan, build, None)
        or getattr(llama_index_hunyuan, build, None)
        or getattr(hunyuan_api, build)
    )
    with pytest.raises(ValueError, match="timeout must be a positive number") as info:
        cls(secret_id="AKIDtimeout", secret_key="k", timeout=timeout)
    assert "timeout" in str(info.value)
