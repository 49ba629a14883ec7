"""Runs on threads: frame sequences, tool calls, continuation, limits and thread actions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hunyuan_emulator import EmulatorHandle, run_emulator
from tests.support.emulator import WEATHER_TOOL


def run(
    wire: Any, thread: str, messages: list[dict[str, str]], **extra: Any
) -> list[dict[str, Any]]:
    body = {"ThreadID": thread, "Stream": True, "AdditionalMessages": messages, **extra}
    with wire.stream("RunThread", body) as r:
        content = r.read()
        if r.headers["content-type"] == "application/json":
            raise AssertionError(json.loads(content))
        assert r.headers["content-type"] == "text/event-stream"
        assert r.headers["x-tc-requestid"]
    assert content.endswith(b"data: [DONE]\n\n")
    return list(wire.frames(content))


def user(text: str) -> dict[str, str]:
    return {"Role": "user", "Content": text}


def test_completed_run_frame_sequence(wire: Any) -> None:
    thread = wire.create_thread()
    frames = run(
        wire, thread, [user("hello world")], Model="hunyuan-lite", Temperature=0.5, TopP=0.9
    )
    created, progress, opened, *deltas, closed, final = frames
    assert (created["Object"], created["Status"], created["StartedAt"]) == (
        "thread.run",
        "created",
        0,
    )
    assert (progress["Status"], progress["ID"]) == ("in_progress", created["ID"])
    assert progress["StartedAt"] > 0
    assert created["ID"].startswith("run_")
    assert created["Temperature"] == 0.5
    assert created["TopP"] == 0.9
    assert created["Model"] == "hunyuan-lite"
    assert created["TruncationStrategy"] == {"Type": "", "LastMessages": None}
    assert (opened["Object"], opened["Status"], opened["Content"], opened["Role"]) == (
        "thread.message",
        "in_progress",
        "",
        "assistant",
    )
    assert opened["RunID"] == created["ID"]
    for delta in deltas:
        assert delta["ID"] == opened["ID"]
        assert delta["Object"] == "thread.message.delta"
        assert set(delta["Delta"]) == {"Role", "Content"}
    text = "".join(d["Delta"]["Content"] for d in deltas)
    assert (closed["Status"], closed["Content"], closed["ID"]) == ("completed", text, opened["ID"])
    assert final["Status"] == "completed"
    assert final["CompletedAt"] > 0
    assert final["RequiredAction"] is None
    assert final["Usage"] == {
        "PromptTokens": 2,
        "CompletionTokens": len(deltas),
        "TotalTokens": 2 + len(deltas),
    }


def test_default_model_is_turbo(wire: Any) -> None:
    frames = run(wire, wire.create_thread(), [user("hi")])
    assert frames[0]["Model"] == "hunyuan-turbo"


def test_tool_call_then_tool_result_continues_the_thread(wire: Any, emu: EmulatorHandle) -> None:
    thread = wire.create_thread()
    frames = run(
        wire,
        thread,
        [user("What is the weather in Paris?")],
        Model="hunyuan-functioncall",
        Tools=[WEATHER_TOOL],
    )
    deltas = [f for f in frames if f["Object"] == "thread.message.delta"]
    first = deltas[0]["Delta"]
    assert set(first) == {"ToolCalls"}
    (start,) = first["ToolCalls"]
    assert start["Index"] == 0
    assert start["Id"].startswith("call_")
    assert start["Type"] == "function"
    assert start["Function"] == {"Name": "get_weather", "Arguments": ""}
    pieces = [d["Delta"]["ToolCalls"][0] for d in deltas[1:]]
    assert all(set(p) == {"Index", "Function"} and p["Index"] == 0 for p in pieces)
    arguments = "".join(p["Function"]["Arguments"] for p in pieces)
    assert json.loads(arguments) == {"location": "Paris"}
    final = frames[-1]
    assert final["Status"] == "requires_action"
    assert final["Usage"]["CompletionTokens"] == len(deltas)
    assert final["RequiredAction"] == {
        "Type": "submit_tool_outputs",
        "SubmitToolOutputs": {
            "ToolCalls": [
                {
                    "Index": 0,
                    "Id": start["Id"],
                    "Type": "function",
                    "Function": {"Name": "get_weather", "Arguments": arguments},
                }
            ]
        },
    }
    assert frames[-2]["Status"] == "completed"
    stored = emu.state.thread_messages(thread)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[1].tool_calls[0].name == "get_weather"

    follow = run(
        wire,
        thread,
        [{"Role": "tool", "Content": "Sunny, 22°C"}],
        Model="hunyuan-functioncall",
        Tools=[WEATHER_TOOL],
    )
    assert follow[-1]["Status"] == "completed"
    assert "Sunny, 22°C" in follow[-2]["Content"]
    assert [m.role for m in emu.state.thread_messages(thread)] == [
        "user",
        "assistant",
        "tool",
        "assistant",
    ]


def test_tool_message_needs_an_assistant_with_tool_calls(wire: Any) -> None:
    thread = wire.create_thread()
    run(wire, thread, [user("hello")])
    body = {
        "ThreadID": thread,
        "Stream": True,
        "AdditionalMessages": [{"Role": "tool", "Content": "x"}],
    }
    response = wire.post("RunThread", body).json()["Response"]["Error"]
    assert response["Code"] == "InvalidParameterValue"
    assert "AdditionalMessages.0" in response["Message"]
    assert "tool" in response["Message"]


def test_every_tool_call_needs_a_result(wire: Any, emu: EmulatorHandle) -> None:
    thread = wire.create_thread()
    emu.state.queue_reply(tool_calls=[("a", {}), ("b", '{"x": 1}')], thread_id=thread)
    frames = run(wire, thread, [user("go")], Model="hunyuan-pro", Tools=[WEATHER_TOOL])
    calls = frames[-1]["RequiredAction"]["SubmitToolOutputs"]["ToolCalls"]
    assert [(c["Index"], c["Function"]["Name"]) for c in calls] == [(0, "a"), (1, "b")]
    one = {
        "ThreadID": thread,
        "Stream": True,
        "AdditionalMessages": [{"Role": "tool", "Content": "r1"}],
    }
    assert wire.error_code("RunThread", one) == "InvalidParameterValue"
    three = {**one, "AdditionalMessages": [{"Role": "tool", "Content": f"r{i}"} for i in range(3)]}
    assert wire.error_code("RunThread", three) == "InvalidParameterValue"
    two = [{"Role": "tool", "Content": "r1"}, {"Role": "tool", "Content": "r2"}]
    final = run(wire, thread, two)
    assert '"r1"' in final[-2]["Content"]
    assert '"r2"' in final[-2]["Content"]


def test_replay_convention_on_a_fresh_thread(wire: Any) -> None:
    history = [
        {"Role": "system", "Content": "You are helpful."},
        user("What is the weather in Paris?"),
        {
            "Role": "assistant",
            "Content": 'Let me check.<tool_calls>[{"id": "call_1", "name": "get_weather", '
            '"arguments": {"location": "Paris"}}]</tool_calls>',
        },
        {"Role": "tool", "Content": "Rainy"},
    ]
    frames = run(wire, wire.create_thread(), history, Model="hunyuan-turbo", Tools=[WEATHER_TOOL])
    assert frames[-1]["Status"] == "completed"
    assert "Rainy" in frames[-2]["Content"]
    assert frames[-1]["Usage"]["PromptTokens"] > 10


def test_malformed_replay_block_is_refused(wire: Any) -> None:
    history = [
        user("q"),
        {"Role": "assistant", "Content": "<tool_calls>[oops]</tool_calls>"},
        user("x"),
    ]
    body = {"ThreadID": wire.create_thread(), "Stream": True, "AdditionalMessages": history}
    assert wire.error_code("RunThread", body) == "InvalidParameterValue"


def test_system_only_first_in_thread(wire: Any) -> None:
    thread = wire.create_thread()
    run(wire, thread, [{"Role": "system", "Content": "be brief"}, user("hi")])
    body = {
        "ThreadID": thread,
        "Stream": True,
        "AdditionalMessages": [{"Role": "system", "Content": "again"}, user("hi")],
    }
    payload = wire.post("RunThread", body).json()["Response"]["Error"]
    assert payload["Code"] == "InvalidParameterValue"
    assert "AdditionalMessages.0" in payload["Message"]
    assert "system" in payload["Message"]


def test_run_without_new_messages_needs_a_user_turn(wire: Any) -> None:
    thread = wire.create_thread()
    run(wire, thread, [user("hi")])
    body = {"ThreadID": thread, "Stream": True}
    payload = wire.post("RunThread", body).json()["Response"]["Error"]
    assert payload["Code"] == "InvalidParameterValue"
    assert "end with a user or tool" in payload["Message"]


def test_tools_ignored_on_models_without_tools(wire: Any) -> None:
    frames = run(
        wire,
        wire.create_thread(),
        [user("What is the weather in Paris?")],
        Model="hunyuan-lite",
        Tools=[WEATHER_TOOL],
        ToolChoice="custom",
    )
    assert frames[-1]["Status"] == "completed"
    assert all("ToolCalls" not in f.get("Delta", {}) for f in frames)


@pytest.mark.parametrize(("choice", "calls"), [("custom", 1), ("auto", 0), ("none", 0)])
def test_tool_choice(wire: Any, choice: str, calls: int) -> None:
    frames = run(
        wire, wire.create_thread(), [user("Hello!")], Tools=[WEATHER_TOOL], ToolChoice=choice
    )
    required = frames[-1]["RequiredAction"]
    assert (len(required["SubmitToolOutputs"]["ToolCalls"]) if required else 0) == calls


def test_max_completion_tokens_cuts_the_reply(wire: Any, emu: EmulatorHandle) -> None:
    thread = wire.create_thread()
    emu.state.queue_reply(text="one two three four five")
    frames = run(wire, thread, [user("count")], MaxCompletionTokens=3)
    deltas = [f for f in frames if f["Object"] == "thread.message.delta"]
    assert "".join(d["Delta"]["Content"] for d in deltas) == "one two three "
    message, final = frames[-2], frames[-1]
    assert (message["Status"], message["InCompleteDetails"]) == (
        "incomplete",
        {"Reason": "max_tokens"},
    )
    assert message["InCompleteAt"] > 0
    assert final["Status"] == "incomplete"
    assert final["InCompleteDetails"] == {"Reason": "max_tokens"}
    assert final["MaxCompletionTokens"] == 3
    assert final["Usage"]["CompletionTokens"] == 3
    assert emu.state.thread_messages(thread)[-1].status == "incomplete"


def test_max_prompt_tokens(wire: Any) -> None:
    frames = run(wire, wire.create_thread(), [user("a long enough question")], MaxPromptTokens=2)
    assert frames[-1]["InCompleteDetails"] == {"Reason": "max_prompt_tokens"}
    assert not [f for f in frames if f["Object"] == "thread.message.delta"]


def test_queued_sensitive_finish(wire: Any, emu: EmulatorHandle) -> None:
    emu.state.queue_reply(text="bad words", finish_reason="sensitive")
    frames = run(wire, wire.create_thread(), [user("x")])
    assert frames[-1]["Status"] == "incomplete"
    assert frames[-1]["InCompleteDetails"] == {"Reason": "sensitive"}


def test_per_thread_queue_beats_global(wire: Any, emu: EmulatorHandle) -> None:
    first, second = wire.create_thread(), wire.create_thread()
    emu.state.queue_reply(text="global reply")
    emu.state.queue_reply(text="for the second thread", thread_id=second)
    assert run(wire, second, [user("x")])[-2]["Content"] == "for the second thread"
    assert run(wire, first, [user("x")])[-2]["Content"] == "global reply"
    assert "again" in run(wire, second, [user("again")])[-2]["Content"]


def test_queue_reply_times(wire: Any, emu: EmulatorHandle) -> None:
    emu.state.queue_reply(text="same", times=2)
    assert [run(wire, wire.create_thread(), [user("q")])[-2]["Content"] for _ in range(3)][:2] == [
        "same",
        "same",
    ]


def test_thread_lru_bound(wire_for: Any) -> None:
    with run_emulator(max_threads=2) as emu:
        wire = wire_for(emu)
        a, b = wire.create_thread(), wire.create_thread()
        assert wire.post("GetThread", {"ThreadID": a}).json()["Response"]["ID"] == a
        c = wire.create_thread()
        assert list(emu.state.threads) == [a, c]
        assert wire.error_code("GetThread", {"ThreadID": b}) == "ResourceNotFound"


def test_thread_actions_validate(wire: Any) -> None:
    thread = wire.create_thread()
    assert wire.error_code("GetThread", {}) == "MissingParameter"
    assert wire.error_code("GetThread", {"ThreadID": "thread_nope"}) == "ResourceNotFound"
    assert wire.error_code("GetThread", {"ThreadID": thread, "X": 1}) == "UnknownParameter"
    lst = "GetThreadMessageList"
    assert wire.error_code(lst, {"ThreadID": "thread_nope"}) == "ResourceNotFound"
    assert wire.error_code(lst, {"ThreadID": thread, "Limit": 0}) == "InvalidParameterValue"
    assert wire.error_code(lst, {"ThreadID": thread, "Limit": 101}) == "InvalidParameterValue"
    assert wire.error_code(lst, {"ThreadID": thread, "Order": "newest"}) == "InvalidParameterValue"
    assert wire.error_code(lst, {"ThreadID": thread, "Limit": "5"}) == "InvalidParameter"
    empty = wire.post(lst, {"ThreadID": thread}).json()["Response"]
    assert (empty["Data"], empty["HasMore"], empty["Object"], empty["LastID"]) == (
        [],
        False,
        "list",
        None,
    )


def test_message_list_paging(wire: Any) -> None:
    thread = wire.create_thread()
    run(wire, thread, [user("one")])
    run(wire, thread, [user("two")])
    listing = wire.post("GetThreadMessageList", {"ThreadID": thread}).json()["Response"]
    assert [m["Role"] for m in listing["Data"]] == ["assistant", "user", "assistant", "user"]
    assert listing["Data"][1]["Content"] == "two"
    message = listing["Data"][0]
    assert set(message) == {
        "ID", "Object", "CreatedAt", "ThreadID", "Status", "InCompleteDetails", "CompletedAt",
        "InCompleteAt", "Role", "Content", "AssistantID", "RunID", "Attachments",
    }  # fmt: skip
    assert message["Object"] == "thread.message"
    asc = wire.post("GetThreadMessageList", {"ThreadID": thread, "Order": "asc", "Limit": 3})
    page = asc.json()["Response"]
    assert [m["Content"] for m in page["Data"]][:1] == ["one"]
    assert page["HasMore"] is True
    got = wire.post("GetThreadMessage", {"ThreadID": thread, "MessageID": message["ID"]})
    assert got.json()["Response"]["Content"] == message["Content"]


def test_message_ids_are_unique_and_ordered_like_the_thread(wire: Any) -> None:
    # A thread another run wrote to must look different to a client that checks it: every run's
    # messages are listed, each with its own id, in the order they were stored.
    thread, other = wire.create_thread(), wire.create_thread()
    frames = run(wire, thread, [user("one")])
    run(wire, other, [user("elsewhere")])
    run(wire, thread, [user("two")])
    listing = wire.post("GetThreadMessageList", {"ThreadID": thread, "Order": "asc"})
    ids = [m["ID"] for m in listing.json()["Response"]["Data"]]
    assert len(ids) == len(set(ids)) == 4
    assert ids == sorted(ids)
    # The reply's id in the stream is the id the thread lists for it.
    assert frames[-2]["ID"] == ids[1]
    newest = wire.post("GetThreadMessageList", {"ThreadID": thread, "Limit": 1})
    assert newest.json()["Response"]["Data"][0]["ID"] == ids[-1]


def test_chat_stop_keeps_the_stop_string(wire: Any, emu: EmulatorHandle) -> None:
    emu.state.queue_reply(text="alpha beta. gamma delta")
    body = {
        "Model": "hunyuan-turbo",
        "Messages": [{"Role": "user", "Content": "go"}],
        "Stop": ["zzz", "beta."],
    }
    payload = wire.post("ChatCompletions", body).json()["Response"]
    assert payload["Choices"][0]["Message"]["Content"] == "alpha beta."
    assert payload["Choices"][0]["FinishReason"] == "stop"


def test_chat_stream_tool_call_fragments(wire: Any) -> None:
    body = {
        "Model": "hunyuan-functioncall",
        "Messages": [{"Role": "user", "Content": "What is the weather in Paris?"}],
        "Tools": [WEATHER_TOOL],
        "Stream": True,
    }
    with wire.stream("ChatCompletions", body) as r:
        assert r.headers["content-type"] == "text/event-stream"
        frames = wire.frames(r.read())
    calls = [f["Choices"][0]["Delta"]["ToolCalls"][0] for f in frames]
    assert calls[0]["Function"] == {"Name": "get_weather", "Arguments": ""}
    assert json.loads("".join(c["Function"]["Arguments"] for c in calls[1:])) == {
        "location": "Paris"
    }
    assert [f["Choices"][0]["FinishReason"] for f in frames][-1] == "tool_calls"
    assert all(f["Choices"][0]["FinishReason"] == "" for f in frames[:-1])


def test_chat_custom_tool(wire: Any) -> None:
    body = {
        "Model": "hunyuan-turbos-latest",
        "Messages": [{"Role": "user", "Content": "Hello!"}],
        "Tools": [WEATHER_TOOL],
        "ToolChoice": "custom",
        "CustomTool": WEATHER_TOOL,
    }
    message = wire.post("ChatCompletions", body).json()["Response"]["Choices"][0]["Message"]
    assert message["ToolCalls"][0]["Function"]["Name"] == "get_weather"


def test_chat_a13b_thinking_switch(wire: Any) -> None:
    body = {"Model": "hunyuan-a13b", "Messages": [{"Role": "user", "Content": "hi"}]}
    assert wire.post("ChatCompletions", body).json()["Response"]["Choices"][0]["Message"][
        "ReasoningContent"
    ]
    off = wire.post("ChatCompletions", {**body, "EnableThinking": False}).json()["Response"]
    assert "ReasoningContent" not in off["Choices"][0]["Message"]
