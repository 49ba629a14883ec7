"""Conversations kept the way applications keep them (a LangGraph checkpointer in SQLite, a
LlamaIndex chat store in a JSON file, a LangChain history in a JSON file), driven in this process
or in a fresh one: ``python -m tests.support.conversations SCENARIO ARGS_JSON`` prints the
scenario's result as JSON. A fresh interpreter has an empty thread ledger, so only what the
stored messages carry can continue a thread there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from langchain_core.tools import tool

__all__ = [
    "WEATHER_QUESTION",
    "continue_history",
    "langgraph_turns",
    "llamaindex_turns",
    "run_elsewhere",
]

ROOT = Path(__file__).resolve().parents[2]

#: A question the emulator's model answers with a call to ``get_weather`` (an agent step).
WEATHER_QUESTION = "What is the weather in {city}? Use get_weather."


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is always sunny in {city}."


def _reply_summary(message: Any, metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": message if isinstance(message, str) else message.text,
        "thread_id": metadata.get("thread_id"),
        "continued_thread": metadata.get("continued_thread"),
        "messages_sent": metadata.get("messages_sent"),
    }


def langgraph_turns(
    settings: dict[str, Any], db: str, conversation: str, questions: list[str]
) -> list[dict[str, Any]]:
    """A LangChain ``create_agent`` agent with a SQLite checkpointer, one invoke per question."""
    from langchain.agents import create_agent
    from langchain_core.messages import HumanMessage
    from langgraph.checkpoint.sqlite import SqliteSaver

    from langchain_hunyuan import ChatHunyuan

    out = []
    with SqliteSaver.from_conn_string(db) as saver:
        agent = create_agent(
            ChatHunyuan(**settings),
            tools=[get_weather],
            system_prompt="You are a helpful assistant.",
            checkpointer=saver,
        )
        config = {"configurable": {"thread_id": conversation}}
        for question in questions:
            state = agent.invoke({"messages": [HumanMessage(question)]}, config)  # type: ignore[arg-type]
            last = state["messages"][-1]
            out.append(_reply_summary(last, last.response_metadata))
    return out


def llamaindex_turns(
    settings: dict[str, Any], store: str, key: str, questions: list[str], stream: bool = False
) -> list[dict[str, Any]]:
    """A LlamaIndex ``SimpleChatEngine`` whose ``ChatMemoryBuffer`` lives in a
    ``SimpleChatStore`` persisted to ``store`` after every turn."""
    from llama_index.core.chat_engine import SimpleChatEngine
    from llama_index.core.memory import ChatMemoryBuffer
    from llama_index.core.storage.chat_store import SimpleChatStore

    from llama_index_hunyuan import Hunyuan

    chat_store = (
        SimpleChatStore.from_persist_path(store) if Path(store).exists() else SimpleChatStore()
    )
    memory = ChatMemoryBuffer.from_defaults(
        chat_store=chat_store, chat_store_key=key, token_limit=100_000
    )
    engine = SimpleChatEngine.from_defaults(
        llm=Hunyuan(**settings), memory=memory, system_prompt="You are a helpful assistant."
    )
    out = []
    for question in questions:
        if stream:
            response = engine.stream_chat(question)
            for _ in response.response_gen:
                pass
            text = str(response)
        else:
            text = engine.chat(question).response
        persist(chat_store, store)
        token = memory.get_all()[-1].additional_kwargs.get("hunyuan_thread") or {}
        out.append({"text": text, "thread_id": token.get("thread_id")})
    return out


def persist(chat_store: Any, path: str) -> None:
    """``SimpleChatStore.persist``, or the same file written from each message's own dump where
    that fails: with pydantic-core 2.50 its wrap serializer breaks (it passes the
    SerializationInfo where pydantic expects an index key), a llama-index bug outside this
    project; ``from_persist_path`` reads either file."""
    from pydantic_core import PydanticSerializationError

    try:
        chat_store.persist(path)
    except PydanticSerializationError:
        store = {
            key: [message.model_dump(mode="json") for message in messages]
            for key, messages in chat_store.store.items()
        }
        Path(path).write_text(json.dumps({"store": store, "class_name": "SimpleChatStore"}))


def continue_history(
    settings: dict[str, Any], history: str, question: str, start_at: float
) -> dict[str, Any]:
    """Load a LangChain history from a JSON file, wait until ``start_at`` (a shared wall-clock
    instant, so that two processes call at once), and ask ``question``."""
    from langchain_core.messages import HumanMessage, messages_from_dict

    from langchain_hunyuan import ChatHunyuan

    messages = messages_from_dict(json.loads(Path(history).read_text()))
    model = ChatHunyuan(**settings)
    time.sleep(max(0.0, start_at - time.time()))
    reply = model.invoke([*messages, HumanMessage(question)])
    return _reply_summary(reply, reply.response_metadata)


_SCENARIOS = {
    "langgraph": langgraph_turns,
    "llamaindex": llamaindex_turns,
    "continue": continue_history,
}


def run_elsewhere(scenario: str, **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``scenario`` in a fresh interpreter; ``finish`` collects its result."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.conversations", scenario, json.dumps(kwargs)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 60) -> Any:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    name, args = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(_SCENARIOS[name](**args)))
