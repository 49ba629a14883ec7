"""Threads that outlive the process (docs/threads.md): an agent checkpointed in SQLite keeps its
thread in a second interpreter, and two interpreters continuing one conversation at once end with
correct, separate contexts. The second processes are real subprocesses on the same emulator."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from langchain_core.messages import HumanMessage, messages_to_dict

from hunyuan_emulator import run_emulator
from langchain_hunyuan import ChatHunyuan
from tests.support.common import emulator_settings
from tests.support.conversations import (
    WEATHER_QUESTION,
    finish,
    langgraph_turns,
    run_elsewhere,
)

if TYPE_CHECKING:
    from pathlib import Path

    from hunyuan_emulator import EmulatorHandle, RecordedRequest


def _runs(requests: list[RecordedRequest]) -> list[dict[str, Any]]:
    return [r.body for r in requests if r.action == "RunThread"]


def test_a_checkpointed_agent_keeps_its_thread_in_a_second_process(
    emu: EmulatorHandle, tmp_path: Path
) -> None:
    settings = emulator_settings(emu)
    db = str(tmp_path / "agent.sqlite")
    here = ["Hello, I am planning a trip.", WEATHER_QUESTION.format(city="Paris"), "Thanks!"]
    there = [WEATHER_QUESTION.format(city="Rome"), "Which cities did I ask about?", "Bye."]

    first = langgraph_turns(settings, db, "conversation-1", here)
    second = finish(
        run_elsewhere("langgraph", settings=settings, db=db, conversation="conversation-1",
                      questions=there)
    )  # fmt: skip

    assert "sunny in Paris" in first[1]["text"]
    assert "sunny in Rome" in second[0]["text"]
    requests = emu.state.requests
    assert [r.action for r in requests].count("CreateThread") == 1
    runs = _runs(requests)
    (thread_id,) = {body["ThreadID"] for body in runs}
    # 6 turns, two of them with a tool step: 8 model calls. The first sends the system prompt and
    # the question; every later one sends only its new message (a question or a tool result).
    assert len(runs) == 8
    assert [m["Role"] for m in runs[0]["AdditionalMessages"]] == ["system", "user"]
    sent = [[m["Role"] for m in body["AdditionalMessages"]] for body in runs[1:]]
    assert sent == [["user"], ["tool"], ["user"], ["user"], ["tool"], ["user"], ["user"]]
    # The second process checked the thread before its first turn (its ledger was empty).
    first_there = next(
        i for i, r in enumerate(requests) if r.action == "RunThread" and r.body is runs[4]
    )
    assert requests[first_there - 1].action == "GetThreadMessageList"
    assert requests[first_there - 1].body["Limit"] == 1
    # The thread holds exactly the conversation the checkpointer holds.
    stored = emu.state.thread_messages(thread_id)
    assert [m.role for m in stored] == [
        "system",
        *(["user", "assistant"] * 1),
        *(["user", "assistant", "tool", "assistant"] * 1),
        "user",
        "assistant",
        *(["user", "assistant", "tool", "assistant"] * 1),
        *(["user", "assistant"] * 2),
    ]
    assert all(turn["thread_id"] == thread_id for turn in first + second)
    assert [turn["continued_thread"] for turn in first + second] == [False] + [True] * 5


def test_two_processes_continuing_one_conversation_at_once_stay_apart(tmp_path: Path) -> None:
    # Runs that take about a second, so the two processes' runs overlap.
    with run_emulator(tokens_per_second=25) as emu:
        settings = emulator_settings(emu)
        model = ChatHunyuan(**settings)
        history: list[Any] = [HumanMessage("Let us plan a dinner.")]
        history.append(model.invoke(history))
        saved = tmp_path / "history.json"
        saved.write_text(json.dumps(messages_to_dict(history)))
        (original,) = {r.body["ThreadID"] for r in emu.state.requests if r.action == "RunThread"}

        start_at = time.time() + 5  # both interpreters start, import, then call together
        questions = ["Only vegetarian dishes, please.", "Only fish dishes, please."]
        workers = [
            run_elsewhere(
                "continue", settings=settings, history=str(saved), question=q, start_at=start_at
            )
            for q in questions
        ]
        replies = [finish(worker) for worker in workers]

        # Each process got the answer to its own question, made from its own history.
        for question, reply in zip(questions, replies, strict=True):
            assert question[:20] in reply["text"]
        # One of them continued the original thread; the other was refused there (a run was
        # in progress) or found it moved on, and replayed the history on a fresh thread.
        assert sorted(r["thread_id"] == original for r in replies) == [False, True]
        for question, reply in zip(questions, replies, strict=True):
            held = [(m.role, m.content) for m in emu.state.thread_messages(reply["thread_id"])]
            users = [content for role, content in held if role == "user"]
            assert users == ["Let us plan a dinner.", question]
            assert held[-1] == ("assistant", reply["text"])
