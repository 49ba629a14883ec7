"""Conversation normalization (Tencent's order rules) and the request bodies built from it."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hunyuan_api import (
    Message,
    RunOptions,
    ToolCall,
    ToolSpec,
)
from hunyuan_api._run.conversation import normalize_messages
from hunyuan_api._wire.bodies import (
    build_chat_completions_body,
    build_run_thread_body,
    encode_json,
    render_thread_message,
)
from hunyuan_api._wire.validation import (
    check_tools_supported,
    resolve_tool_choice,
    validate_options,
)
from tests.support.messages import A, S, U

R = lambda text, call_id=None: Message("tool", text, tool_call_id=call_id)  # noqa: E731


def roles(messages: list[Message]) -> list[str]:
    return [m.role for m in messages]


# -- normalize_messages: each rule ---------------------------------------------------------


def test_valid_history_is_unchanged() -> None:
    call = ToolCall("c1", "f", "{}")
    history = [S("sys"), U("q"), A("", call), R("out", "c1"), A("done"), U("next")]
    assert normalize_messages(history) == history


def test_leading_system_messages_are_joined() -> None:
    out = normalize_messages([S("one"), S(""), S("two"), U("hi")])
    assert out == [S("one\n\ntwo"), U("hi")]


def test_later_system_message_becomes_user_text() -> None:
    out = normalize_messages([U("hi"), A("hello"), S("be brief"), U("why?")])
    assert out == [U("hi"), A("hello"), U("be brief\n\nwhy?")]


def test_consecutive_turns_are_merged() -> None:
    c1, c2 = ToolCall("c1", "f", "{}"), ToolCall("c2", "g", "{}")
    out = normalize_messages([U("a"), U("b"), A("x", c1), A("y", c2), R("r1", "c1"), R("r2", "c2")])
    assert out[0] == U("a\n\nb")
    assert out[1] == A("x\n\ny", c1, c2)
    assert roles(out) == ["user", "assistant", "tool", "tool"]


def test_empty_assistant_turn_is_dropped() -> None:
    assert normalize_messages([U("a"), A(""), U("b")]) == [U("a\n\nb")]


def test_user_text_after_tool_results_joins_the_last_result() -> None:
    call = ToolCall("c1", "f", "{}")
    out = normalize_messages([U("q"), A("", call), R("42", "c1"), U("thanks, and?")])
    assert out[-1] == R("42\n\nthanks, and?", "c1")


def test_tool_results_are_ordered_like_the_calls() -> None:
    calls = [ToolCall("c1", "f", "{}"), ToolCall("c2", "g", "{}"), ToolCall("c3", "h", "{}")]
    out = normalize_messages([U("q"), A("", *calls), R("3", "c3"), R("1", "c1"), R("2", "c2")])
    assert [m.tool_call_id for m in out[2:]] == ["c1", "c2", "c3"]


def test_orphan_tool_result_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError) as info:
        normalize_messages([U("q"), R("out", "c1")])
    assert "messages[1]" in str(info.value)
    assert "Keep the AI message that made the call" in str(info.value)
    with pytest.raises(ValueError, match=r"messages\[2\]"):
        normalize_messages([U("q"), A("no calls"), R("out", "c1")])


@pytest.mark.parametrize(
    ("history", "pattern"),
    [
        ([], "messages is empty"),
        ([S("only system")], "no user message"),
        ([A("hi"), U("q")], "must be from the user.*Add the user message"),
        ([S("s"), A("hi"), U("q")], "must be from the user"),
        ([U("q"), A("a")], "last message is from the assistant.*Append the next user message"),
        ([U("  ")], "empty.*non-empty Content"),
        ([U("q"), A("a"), U("")], "empty.*non-empty Content"),
    ],
)
def test_refusals_name_the_rule_and_the_fix(history: list[Message], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        normalize_messages(history)


def test_bad_role_and_content_name_the_message() -> None:
    with pytest.raises(ValueError, match=r"messages\[1\]\.role is 'bot'"):
        normalize_messages([U("q"), Message("bot", "x")])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"messages\[0\]\.content must be text"):
        normalize_messages([Message("user", ["image"])])  # type: ignore[arg-type]


# -- normalize_messages: property ----------------------------------------------------------

_ids = st.sampled_from(["c1", "c2", "c3", None])
_calls = st.lists(
    st.builds(
        ToolCall, st.sampled_from(["c1", "c2", "c3"]), st.sampled_from(["f", "g"]), st.just("{}")
    ),
    max_size=2,
)
_content = st.sampled_from(["", " ", "hi", "你好", "\n"])
_message = st.one_of(
    st.builds(Message, st.just("system"), _content),
    st.builds(Message, st.just("user"), _content),
    st.builds(lambda c, calls: Message("assistant", c, tuple(calls)), _content, _calls),
    st.builds(lambda c, i: Message("tool", c, tool_call_id=i), _content, _ids),
)


def assert_tencent_order(out: list[Message]) -> None:
    body = out[1:] if out and out[0].role == "system" else out
    assert body, "no turns"
    assert all(m.role != "system" for m in body), "system only first"
    assert body[0].role == "user", "starts with user"
    assert body[-1].role in ("user", "tool"), "ends on the user's side"
    for prev, cur in itertools.pairwise(body):
        if cur.role == "user":
            assert prev.role == "assistant", "user follows assistant"
        elif cur.role == "assistant":
            assert prev.role in ("user", "tool"), "assistant follows user or tool results"
        else:
            assert prev.role == "tool" or (prev.role == "assistant" and prev.tool_calls), (
                "tool results only after an assistant turn with tool calls"
            )
    for m in body:
        if m.role == "user":
            assert m.content.strip(), "non-empty user content"
        if m.role == "assistant":
            assert m.content or m.tool_calls


_nonblank = st.sampled_from(["hi", "你好", "call f", "😀 ok", "x\ny"])


@st.composite
def valid_histories(draw: st.DrawFn) -> list[Message]:
    """Histories that follow Tencent's rules by construction (tool results in call order)."""
    out: list[Message] = []
    if draw(st.booleans()):
        out.append(S(draw(_nonblank)))
    out.append(U(draw(_nonblank)))
    for n in range(draw(st.integers(0, 3))):
        ids = draw(st.lists(st.sampled_from(["c1", "c2", "c3"]), unique=True, max_size=3))
        if ids:
            calls = [ToolCall(f"{i}_{n}", draw(st.sampled_from(["f", "g"])), "{}") for i in ids]
            out.append(A(draw(st.sampled_from(["", "let me see"])), *calls))
            out.extend(R(draw(_content), c.id) for c in calls)
        else:
            out.append(A(draw(_nonblank)))
            out.append(U(draw(_nonblank)))
    return out


@st.composite
def mutated_histories(draw: st.DrawFn) -> list[Message]:
    history = draw(valid_histories())
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["drop", "insert", "blank", "swap"]))
        if op == "drop" and history:
            del history[draw(st.integers(0, len(history) - 1))]
        elif op == "insert":
            history.insert(draw(st.integers(0, len(history))), draw(_message))
        elif op == "blank" and history:
            i = draw(st.integers(0, len(history) - 1))
            history[i] = dataclasses.replace(history[i], content=draw(_content))
        elif op == "swap" and len(history) > 1:
            i = draw(st.integers(0, len(history) - 2))
            history[i], history[i + 1] = history[i + 1], history[i]
    return history


@settings(max_examples=500, deadline=None)
@given(st.lists(_message, max_size=8) | mutated_histories())
def test_normalized_histories_satisfy_tencent_order(history: list[Message]) -> None:
    try:
        out = normalize_messages(history)
    except ValueError:
        return
    assert_tencent_order(out)
    # Nothing is lost: every non-blank text of the input survives somewhere in the output.
    joined = "\x00".join(m.content for m in out)
    for m in history:
        if m.content.strip():
            assert m.content in joined
    # Normalizing twice changes nothing.
    assert normalize_messages(out) == out


@settings(max_examples=200, deadline=None)
@given(valid_histories())
def test_valid_histories_are_accepted_unchanged(history: list[Message]) -> None:
    assert_tencent_order(history)  # the generator is right
    assert normalize_messages(history) == history


# -- validate_options ----------------------------------------------------------------------

TOOL = ToolSpec(
    "get_weather", "天气", {"type": "object", "properties": {"city": {"type": "string"}}}
)


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"model": ""}, ["model", "hunyuan-turbo"]),
        ({"api": "completions"}, ["api", "chat_completions"]),
        ({"temperature": 2.5}, ["temperature", "[0.0, 2.0]", "Temperature"]),
        ({"temperature": -0.1}, ["temperature"]),
        ({"temperature": math.nan}, ["temperature"]),
        ({"temperature": True}, ["temperature"]),
        ({"temperature": "0.5"}, ["temperature"]),
        ({"top_p": 1.01}, ["top_p", "[0.0, 1.0]", "TopP"]),
        ({"max_tokens": -1}, ["max_tokens", "MaxCompletionTokens", "0 = no limit"]),
        ({"max_tokens": 1.5}, ["max_tokens"]),
        ({"max_tokens": False}, ["max_tokens"]),
        ({"max_prompt_tokens": -5}, ["max_prompt_tokens", "MaxPromptTokens"]),
        ({"tools": (ToolSpec("get weather"),)}, ["tools[0].name", "^[A-Za-z0-9_-]+$", "Rename"]),
        ({"tools": (TOOL, ToolSpec("查询"))}, ["tools[1].name"]),
        ({"tools": (ToolSpec("a.b"),)}, ["tools[0].name"]),
        ({"tools": (ToolSpec("f", 3),)}, ["tools[0].description"]),  # type: ignore[arg-type]
        ({"tools": (ToolSpec("f", "", []),)}, ["tools[0].parameters", "JSON Schema"]),  # type: ignore[arg-type]
        (
            {"tools": (ToolSpec("f", "", {"x": {1, 2}}),)},
            ["tools[0].parameters", "JSON-serializable"],
        ),
        ({"tools": (TOOL, TOOL)}, ["unique", "get_weather"]),
        (
            {"model": "hunyuan-lite", "tools": (TOOL,)},
            ["hunyuan-lite", "hunyuan-functioncall", "Pick one"],
        ),
        ({"tool_choice": "required"}, ["tool_choice", "'custom'"]),
        ({"tool_choice": "custom"}, ["tool_choice='custom'", "at least one tool"]),
        ({"tools": (TOOL,), "forced_tool": "other"}, ["forced_tool", "get_weather"]),
        ({"stop": ("",)}, ["stop", "non-empty"]),
        ({"seed": 7}, ["seed", "ChatCompletions", "api='chat_completions'"]),
        ({"api": "chat_completions", "seed": 0}, ["seed", "[1, 10000]"]),
        ({"api": "chat_completions", "seed": 10001}, ["seed"]),
        (
            {"api": "chat_completions", "max_prompt_tokens": 5},
            ["max_prompt_tokens", "api='run_thread'"],
        ),
        ({"api": "chat_completions", "thread_id": "t"}, ["thread_id", "api='run_thread'"]),
    ],
)
def test_invalid_options_name_the_field_and_the_fix(
    changes: dict[str, Any], names: list[str]
) -> None:
    options = dataclasses.replace(RunOptions(), **changes)
    with pytest.raises(ValueError) as info:
        validate_options(options)
    for name in names:
        assert name in str(info.value)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"temperature": 0, "top_p": 1, "max_tokens": 0, "max_prompt_tokens": 0},
        {"temperature": 2.0, "top_p": 0.0},
        {"tools": (TOOL,), "tool_choice": "custom", "forced_tool": "get_weather"},
        {"model": "hunyuan-lite", "tool_choice": "none"},
        {"stop": ("\n\n", "END")},
        {"api": "chat_completions", "seed": 1, "stop": ("x",)},
        {"thread_id": "thread_abc"},
    ],
)
def test_valid_options_pass(changes: dict[str, Any]) -> None:
    validate_options(dataclasses.replace(RunOptions(), **changes))


def test_check_tools_supported() -> None:
    for model in ("hunyuan-lite", "hunyuan-standard", "hunyuan-code", "hunyuan-vision"):
        with pytest.raises(ValueError, match=model):
            check_tools_supported(model, "run_thread", True)
        check_tools_supported(model, "run_thread", False)
    for model in ("hunyuan-pro", "hunyuan-turbo", "hunyuan-functioncall"):
        check_tools_supported(model, "run_thread", True)
    # Unknown models are not second-guessed: the service decides.
    check_tools_supported("hunyuan-future-model", "run_thread", True)


# -- resolve_tool_choice -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, (None, None)),
        (False, (None, None)),
        ("auto", ("auto", None)),
        ("none", ("none", None)),
        ("any", ("custom", None)),
        ("required", ("custom", None)),
        (True, ("custom", None)),
        ("lookup", ("custom", "lookup")),
        ({"type": "function", "function": {"name": "search"}}, ("custom", "search")),
        ({"name": "search"}, ("custom", "search")),
        ({"type": "auto"}, ("auto", None)),
        ({"type": "none"}, ("none", None)),
        ({"type": "any"}, ("custom", None)),
        ({"type": "required"}, ("custom", None)),
    ],
)
def test_resolve_tool_choice(choice: object, expected: tuple[Any, Any]) -> None:
    assert resolve_tool_choice(choice, ["search", "lookup"]) == expected


@pytest.mark.parametrize(
    ("choice", "tools", "pattern"),
    [
        ("missing", ["search"], "'missing', which is not a bound tool.*bound: search"),
        ({"type": "function", "function": {"name": "x"}}, ["search"], "not a bound tool"),
        ({"type": "function"}, ["search"], "not a bound tool"),
        ("any", [], "needs at least one bound tool"),
        ("search", [], "needs at least one bound tool"),
        (3, ["search"], "tool_choice must be"),
        (["search"], ["search"], "tool_choice must be"),
    ],
)
def test_resolve_tool_choice_refusals(choice: object, tools: list[str], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        resolve_tool_choice(choice, tools)


# -- bodies --------------------------------------------------------------------------------

RUN_THREAD_FIELDS = {
    "ThreadID",
    "AssistantID",
    "Model",
    "AdditionalMessages",
    "Temperature",
    "TopP",
    "Stream",
    "MaxPromptTokens",
    "MaxCompletionTokens",
    "Tools",
    "ToolChoice",
}


def test_run_thread_body_fields() -> None:
    options = RunOptions(
        model="hunyuan-pro",
        temperature=1,
        top_p=0.5,
        max_tokens=100,
        max_prompt_tokens=2000,
        tools=(TOOL, ToolSpec("noop")),
        tool_choice="auto",
        stop=("END",),
    )
    body = build_run_thread_body("thread_9", [S("sys"), U("你好")], options)
    assert set(body) <= RUN_THREAD_FIELDS
    assert body["ThreadID"] == "thread_9"
    assert body["Model"] == "hunyuan-pro"
    assert body["Stream"] is True
    assert body["Temperature"] == 1.0
    assert isinstance(body["Temperature"], float)
    assert body["TopP"] == 0.5
    assert (body["MaxCompletionTokens"], body["MaxPromptTokens"]) == (100, 2000)
    assert body["AdditionalMessages"] == [
        {"Role": "system", "Content": "sys"},
        {"Role": "user", "Content": "你好"},
    ]
    assert body["ToolChoice"] == "auto"
    weather, noop = body["Tools"]
    assert weather["Type"] == "function"
    assert weather["Function"]["Name"] == "get_weather"
    assert weather["Function"]["Description"] == "天气"
    assert isinstance(weather["Function"]["Parameters"], str)  # a JSON-Schema *string*
    assert json.loads(weather["Function"]["Parameters"]) == TOOL.parameters
    assert "Description" not in noop["Function"]
    assert json.loads(noop["Function"]["Parameters"]) == {"type": "object", "properties": {}}


def test_run_thread_body_minimal_has_no_optional_fields() -> None:
    body = build_run_thread_body("t", [U("q")], RunOptions())
    assert set(body) == {"ThreadID", "Model", "AdditionalMessages", "Stream"}


def test_run_thread_forced_tool_offers_only_that_tool() -> None:
    options = RunOptions(tools=(TOOL, ToolSpec("other")), tool_choice="custom", forced_tool="other")
    body = build_run_thread_body("t", [U("q")], options)
    assert [t["Function"]["Name"] for t in body["Tools"]] == ["other"]
    assert body["ToolChoice"] == "custom"
    assert "CustomTool" not in body


def test_chat_completions_body() -> None:
    call = ToolCall("c1", "get_weather", '{"city": "北京"}')
    messages = [U("q"), A("", call), R("", "c1"), A("ok"), U("more")]
    options = RunOptions(
        api="chat_completions",
        tools=(TOOL,),
        tool_choice="custom",
        stop=("x",),
        seed=42,
        temperature=0.3,
    )
    body = build_chat_completions_body(messages, options, stream=True)
    assert body["Stream"] is True
    assert body["Stop"] == ["x"]
    assert body["Seed"] == 42
    assert body["Temperature"] == 0.3
    assert body["CustomTool"]["Function"]["Name"] == "get_weather"
    assert body["ToolChoice"] == "custom"
    assistant = body["Messages"][1]
    assert assistant["ToolCalls"] == [
        {
            "Id": "c1",
            "Type": "function",
            "Function": {"Name": "get_weather", "Arguments": '{"city": "北京"}'},
            "Index": 0,
        }
    ]
    assert body["Messages"][2] == {"Role": "tool", "Content": "(no output)", "ToolCallId": "c1"}
    assert (
        build_chat_completions_body([U("q")], RunOptions(api="chat_completions"), stream=False)[
            "Stream"
        ]
        is False
    )


def test_chat_completions_custom_any_forces_the_first_tool() -> None:
    options = RunOptions(
        api="chat_completions", tools=(ToolSpec("a"), ToolSpec("b")), tool_choice="custom"
    )
    assert (
        build_chat_completions_body([U("q")], options, stream=True)["CustomTool"]["Function"][
            "Name"
        ]
        == "a"
    )
    forced = dataclasses.replace(options, forced_tool="b")
    assert (
        build_chat_completions_body([U("q")], forced, stream=True)["CustomTool"]["Function"]["Name"]
        == "b"
    )


# -- the replay convention -----------------------------------------------------------------

_REPLAY = r"\A(?P<text>.*?)\n?<tool_calls>(?P<json>.*)</tool_calls>\Z"


def test_assistant_tool_calls_are_replayed_as_markup() -> None:
    message = A(
        "Let me check.",
        ToolCall("c1", "get_weather", '{"city": "深圳"}'),
        ToolCall("c2", "noop", ""),
    )
    rendered = render_thread_message(message)
    assert rendered["Role"] == "assistant"
    content = rendered["Content"]
    assert content.startswith("Let me check.\n<tool_calls>")
    assert content.endswith("</tool_calls>")
    payload = json.loads(content[len("Let me check.\n<tool_calls>") : -len("</tool_calls>")])
    assert payload == [
        {"id": "c1", "name": "get_weather", "arguments": {"city": "深圳"}},
        {"id": "c2", "name": "noop", "arguments": {}},
    ]
    assert "深圳" in content  # not \u-escaped


def test_replay_without_text_and_with_non_json_arguments() -> None:
    rendered = render_thread_message(A("", ToolCall("c1", "f", "not json")))
    assert rendered["Content"].startswith("<tool_calls>")
    inner = rendered["Content"][len("<tool_calls>") : -len("</tool_calls>")]
    assert json.loads(inner) == [{"id": "c1", "name": "f", "arguments": "not json"}]


def test_plain_messages_render_role_and_content_only() -> None:
    assert render_thread_message(U("hi")) == {"Role": "user", "Content": "hi"}
    assert render_thread_message(A("reply")) == {"Role": "assistant", "Content": "reply"}
    assert render_thread_message(R("", "c1")) == {"Role": "tool", "Content": "(no output)"}
    assert render_thread_message(R("42", "c1")) == {"Role": "tool", "Content": "42"}


# -- encode_json ---------------------------------------------------------------------------


def test_encode_json_keeps_chinese_as_utf8() -> None:
    raw = encode_json({"Content": "混元😀", "N": 1})
    assert raw == '{"Content":"混元😀","N":1}'.encode()
    assert json.loads(raw) == {"Content": "混元😀", "N": 1}


def test_encode_json_carries_lone_surrogates_intact() -> None:
    value = {"Content": "bad \ud83d half, 混元"}
    raw = encode_json(value)
    raw.decode("ascii")  # escaped, so valid UTF-8 (and ASCII) on the wire
    assert json.loads(raw) == value


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=5), st.text(max_size=20) | st.integers()))
def test_encode_json_round_trips_any_text(value: dict[str, Any]) -> None:
    raw = encode_json(value)
    raw.decode("utf-8")
    assert json.loads(raw) == value


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.characters(), max_size=20
    )
)
def test_encode_json_round_trips_surrogates(text: str) -> None:
    assert json.loads(encode_json({"t": text})) == {"t": text}
