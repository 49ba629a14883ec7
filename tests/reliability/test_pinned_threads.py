"""A pinned thread after a failed run (issue 13, low).

The caller owns the thread (``thread_id=``) and keeps sending the whole history, as LangChain
and LlamaIndex applications do. When a run fails (here a gateway's 502, which is not retried on
a pinned thread) and the caller tries again with the same history, only the messages after what
the thread surely held are sent: the thread ends ``[u1, a1, u2, a2]``, not
``[u1, a1, u1, a1, u2, a2]``.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_api import HunyuanClient, ServerError
from hunyuan_emulator import EmulatorHandle, Fault
from tests.support.common import emulator_settings
from tests.support.reliability import make_model


def _thread_roles_and_texts(emu: EmulatorHandle, thread_id: str) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in emu.state.thread_messages(thread_id)]


@pytest.mark.parametrize("adapter", ["langchain", "llamaindex"])
def test_a_failed_run_on_a_pinned_thread_is_not_followed_by_a_replay(
    emu: EmulatorHandle, adapter: str
) -> None:
    thread_id = HunyuanClient(**emulator_settings(emu)).create_thread().id
    model = make_model(adapter, emu, thread_id=thread_id)
    if adapter == "langchain":
        first = model.invoke([HumanMessage("u1")])
        history = [HumanMessage("u1"), first, HumanMessage("u2")]

        def call() -> str:
            reply = model.invoke(history)
            assert isinstance(reply, AIMessage)
            return str(reply.content)
    else:
        first = model.chat([ChatMessage(role="user", content="u1")]).message
        history = [
            ChatMessage(role="user", content="u1"),
            first,
            ChatMessage(role="user", content="u2"),
        ]

        def call() -> str:
            return str(model.chat(history).message.content)

    a1 = str(first.content)
    emu.state.add_fault(Fault.http_status(502), action="RunThread")
    with pytest.raises(ServerError):
        call()
    a2 = call()
    assert _thread_roles_and_texts(emu, thread_id) == [
        ("user", "u1"),
        ("assistant", a1),
        ("user", "u2"),
        ("assistant", a2),
    ]
