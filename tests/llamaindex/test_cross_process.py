"""A chat engine whose memory is persisted (``SimpleChatStore`` in a JSON file) keeps its thread
when a second interpreter reloads it (docs/threads.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.support.common import emulator_settings
from tests.support.conversations import finish, llamaindex_turns, run_elsewhere

if TYPE_CHECKING:
    from pathlib import Path

    from hunyuan_emulator import EmulatorHandle


def test_a_persisted_chat_memory_keeps_its_thread_in_a_second_process(
    emu: EmulatorHandle, tmp_path: Path
) -> None:
    settings = emulator_settings(emu)
    store = str(tmp_path / "chat_store.json")
    here = ["My name is Lin.", "I live in Hangzhou.", "I like tea."]
    there = ["What is my name?", "Where do I live?", "Thanks, bye."]

    first = llamaindex_turns(settings, store, "user-1", here)
    second = finish(
        run_elsewhere("llamaindex", settings=settings, store=store, key="user-1", questions=there)
    )

    requests = emu.state.requests
    assert [r.action for r in requests].count("CreateThread") == 1
    runs = [r.body for r in requests if r.action == "RunThread"]
    (thread_id,) = {body["ThreadID"] for body in runs}
    assert [m["Role"] for m in runs[0]["AdditionalMessages"]] == ["system", "user"]
    assert [body["AdditionalMessages"] for body in runs[1:]] == [
        [{"Role": "user", "Content": question}] for question in [*here[1:], *there]
    ]
    assert {turn["thread_id"] for turn in first + second} == {thread_id}
    # The token is in the stored file, on each assistant message.
    saved = json.loads((tmp_path / "chat_store.json").read_text())["store"]["user-1"]
    replies = [m for m in saved if m["role"] == "assistant"]
    assert len(replies) == 6
    assert all(m["additional_kwargs"]["hunyuan_thread"]["thread_id"] == thread_id for m in replies)
    stored = emu.state.thread_messages(thread_id)
    assert [m.role for m in stored] == ["system", *(["user", "assistant"] * 6)]
