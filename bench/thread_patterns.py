"""Which common LangChain and LlamaIndex patterns keep their RunThread thread, and which replay
the history on a fresh one (the table in docs/threads.md).

Each pattern holds a four-turn conversation against the emulator twice: in one process, and as if
every turn ran in a new process (the thread ledger emptied before each turn, so only the tokens
that the stored messages carry can continue a thread). The emulator's request log decides, for
every model call after the first, whether it continued a thread (a run on a thread that already
had one) or replayed the history (the first run on a new thread).

    python -m bench.thread_patterns           # print the table
    python -m bench.thread_patterns --write   # rewrite the table in docs/threads.md
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "threads.md"
START, END = "<!-- patterns:start -->", "<!-- patterns:end -->"

QUESTIONS = [
    "Hello! I am planning a trip to Italy.",
    "What is the weather in Rome? Use get_weather.",
    "Thanks. What should I pack?",
    "And what is the weather in Milan? Use get_weather.",
]

Turn = Callable[[], None]
Settings = dict[str, Any]


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


# -- LangChain -------------------------------------------------------------------------------------


def _chat(settings: Settings) -> Any:
    from langchain_hunyuan import ChatHunyuan

    return ChatHunyuan(**settings)


def lc_invoke(settings: Settings, turn: Turn) -> None:
    from langchain_core.messages import HumanMessage

    model, history = _chat(settings), []
    for question in QUESTIONS:
        turn()
        history.append(HumanMessage(question))
        history.append(model.invoke(history))


def lc_stream(settings: Settings, turn: Turn) -> None:
    from langchain_core.messages import HumanMessage

    model, history = _chat(settings), []
    for question in QUESTIONS:
        turn()
        history.append(HumanMessage(question))
        chunks = list(model.stream(history))
        reply = chunks[0]
        for chunk in chunks[1:]:
            reply = reply + chunk
        history.append(reply)


def lc_message_history(settings: Settings, turn: Turn) -> None:
    from langchain_core.chat_history import InMemoryChatMessageHistory
    from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
    from langchain_core.runnables.history import RunnableWithMessageHistory

    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "You are a travel assistant."),
            MessagesPlaceholder("history"),
            ("human", "{q}"),
        ]
    )
    stores: dict[str, InMemoryChatMessageHistory] = {}
    chain = RunnableWithMessageHistory(
        prompt | _chat(settings),
        lambda session: stores.setdefault(session, InMemoryChatMessageHistory()),
        input_messages_key="q",
        history_messages_key="history",
    )
    for question in QUESTIONS:
        turn()
        chain.invoke({"q": question}, {"configurable": {"session_id": "s"}})


def lc_trim(settings: Settings, turn: Turn) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage, trim_messages

    model, history = _chat(settings), [SystemMessage("You are a travel assistant.")]
    trimmer = trim_messages(
        max_tokens=4, token_counter=len, strategy="last", include_system=True, start_on="human"
    )
    for question in QUESTIONS:
        turn()
        history.append(HumanMessage(question))
        history.append((trimmer | model).invoke(history))


def _agent_turns(agent: Any, turn: Turn) -> None:
    from langchain_core.messages import HumanMessage

    config = {"configurable": {"thread_id": "conversation"}}
    for question in QUESTIONS:
        turn()
        agent.invoke({"messages": [HumanMessage(question)]}, config)


def lc_agent_sqlite(settings: Settings, turn: Turn) -> None:
    from langchain.agents import create_agent
    from langgraph.checkpoint.sqlite import SqliteSaver

    with (
        tempfile.TemporaryDirectory() as tmp,
        SqliteSaver.from_conn_string(str(Path(tmp) / "checkpoints.sqlite")) as saver,
    ):
        agent = create_agent(
            _chat(settings),
            tools=[get_weather],
            system_prompt="You are a travel assistant.",
            checkpointer=saver,
        )
        _agent_turns(agent, turn)


def lc_react_agent(settings: Settings, turn: Turn) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated in favour of create_agent
        from langgraph.prebuilt import create_react_agent

        agent = create_react_agent(
            _chat(settings),
            tools=[get_weather],
            prompt="You are a travel assistant.",
            checkpointer=InMemorySaver(),
        )
    _agent_turns(agent, turn)


def lc_agent_dynamic_prompt(settings: Settings, turn: Turn) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import ModelRequest, dynamic_prompt
    from langgraph.checkpoint.memory import InMemorySaver

    @dynamic_prompt
    def prompt(request: ModelRequest) -> str:
        # Anything that changes from call to call: a clock, a counter, fresh retrieved context.
        return f"You are a travel assistant. This is model call {len(request.messages)}."

    agent = create_agent(
        _chat(settings), tools=[get_weather], middleware=[prompt], checkpointer=InMemorySaver()
    )
    _agent_turns(agent, turn)


def lc_agent_summarization(settings: Settings, turn: Turn) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import SummarizationMiddleware
    from langgraph.checkpoint.memory import InMemorySaver

    model = _chat(settings)
    agent = create_agent(
        model,
        tools=[get_weather],
        system_prompt="You are a travel assistant.",
        middleware=[SummarizationMiddleware(model, trigger=("messages", 6), keep=("messages", 2))],
        checkpointer=InMemorySaver(),
    )
    _agent_turns(agent, turn)


# -- LlamaIndex ------------------------------------------------------------------------------------


def _llm(settings: Settings) -> Any:
    from llama_index_hunyuan import Hunyuan

    return Hunyuan(**settings)


def _engine(settings: Settings, token_limit: int) -> Any:
    from llama_index.core.chat_engine import SimpleChatEngine
    from llama_index.core.memory import ChatMemoryBuffer

    memory = ChatMemoryBuffer.from_defaults(token_limit=token_limit)
    return SimpleChatEngine.from_defaults(
        llm=_llm(settings), memory=memory, system_prompt="You are a travel assistant."
    )


def li_chat(settings: Settings, turn: Turn) -> None:
    engine = _engine(settings, 100_000)
    for question in QUESTIONS:
        turn()
        engine.chat(question)


def li_stream_chat(settings: Settings, turn: Turn) -> None:
    engine = _engine(settings, 100_000)
    for question in QUESTIONS:
        turn()
        for _ in engine.stream_chat(question).response_gen:
            pass


def li_chat_trimmed(settings: Settings, turn: Turn) -> None:
    engine = _engine(settings, 60)  # room for about two exchanges
    for question in QUESTIONS:
        turn()
        engine.chat(question)


def li_function_agent(settings: Settings, turn: Turn) -> None:
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.memory import ChatMemoryBuffer

    agent = FunctionAgent(
        tools=[get_weather], llm=_llm(settings), system_prompt="You are a travel assistant."
    )
    memory = ChatMemoryBuffer.from_defaults(token_limit=100_000)

    async def converse() -> None:
        for question in QUESTIONS:
            turn()
            await agent.run(question, memory=memory)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.run(converse())


# -- the table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str
    run: Callable[[Settings, Turn], None]
    why: str


PATTERNS = [
    Pattern(
        "LangChain: `invoke` in a loop, replies appended", lc_invoke, "replies sent back unchanged"
    ),
    Pattern(
        "LangChain: `stream`, chunks summed and appended",
        lc_stream,
        "the token is on the last chunk",
    ),
    Pattern(
        "LangChain: `RunnableWithMessageHistory`",
        lc_message_history,
        "the history store keeps the reply message",
    ),
    Pattern(
        "LangChain: `create_agent` + `SqliteSaver`",
        lc_agent_sqlite,
        "the checkpointer stores `response_metadata`",
    ),
    Pattern(
        "LangGraph: `create_react_agent` + `InMemorySaver`",
        lc_react_agent,
        "as `create_agent`",
    ),
    Pattern(
        "LangChain: `trim_messages` (last 4 messages)",
        lc_trim,
        "once trimming drops the first turns, every call is a new history",
    ),
    Pattern(
        "LangChain: `create_agent` + `@dynamic_prompt` that changes every call",
        lc_agent_dynamic_prompt,
        "a different system prompt is a different history",
    ),
    Pattern(
        "LangChain: `create_agent` + `SummarizationMiddleware`",
        lc_agent_summarization,
        "the summary replaces the history (and is itself one fresh call)",
    ),
    Pattern(
        "LlamaIndex: `SimpleChatEngine.chat` + `ChatMemoryBuffer`",
        li_chat,
        "the memory keeps the reply message",
    ),
    Pattern(
        "LlamaIndex: `SimpleChatEngine.stream_chat` + `ChatMemoryBuffer`",
        li_stream_chat,
        "the engine stores the last streamed response's message, token included",
    ),
    Pattern(
        "LlamaIndex: `ChatMemoryBuffer` over its `token_limit`",
        li_chat_trimmed,
        "once the buffer drops the first turns, every call is a new history",
    ),
    Pattern(
        "LlamaIndex: `FunctionAgent` + `ChatMemoryBuffer`",
        li_function_agent,
        "the agent stores the reply message",
    ),
]


@dataclass
class Counts:
    calls: int = 0
    continued: int = 0


def _counts(requests: list[Any]) -> Counts:
    """Model calls after the first, and how many of them ran on a thread that already had a run."""
    seen: set[str] = set()
    counts = Counts()
    for request in requests:
        if request.action != "RunThread":
            continue
        thread = request.body["ThreadID"]
        counts.continued += thread in seen
        counts.calls += 1
        seen.add(thread)
    counts.calls -= 1
    return counts


def measure(emu: Any = None) -> list[tuple[Pattern, Counts, Counts]]:
    """Every pattern in one process and with a new process per turn (on ``emu``, or on an
    emulator started here)."""
    if emu is None:
        from hunyuan_emulator import run_emulator

        with run_emulator() as started:
            return measure(started)

    from hunyuan_api import default_ledger

    settings = {
        "base_url": emu.base_url,
        "secret_id": emu.secret_id,
        "secret_key": emu.secret_key,
        # The log is reset between patterns: no reserved thread may outlive its pattern.
        "thread_reserve": 0,
    }
    rows = []
    for pattern in PATTERNS:
        counts = []
        for new_process in (False, True):
            emu.state.reset()
            default_ledger().clear()
            pattern.run(settings, default_ledger().clear if new_process else lambda: None)
            counts.append(_counts(emu.state.requests))
        rows.append((pattern, counts[0], counts[1]))
    return rows


def _cell(counts: Counts) -> str:
    return f"{counts.continued} of {counts.calls}"


def render(rows: list[tuple[Pattern, Counts, Counts]]) -> str:
    lines = [
        "| pattern | continued, one process | continued, a new process each turn | why |",
        "|---|---|---|---|",
    ]
    for pattern, here, there in rows:
        lines.append(f"| {pattern.name} | {_cell(here)} | {_cell(there)} | {pattern.why} |")
    return "\n".join(lines)


def table_in_doc(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def main(argv: list[str]) -> None:
    table = render(measure())
    if "--write" in argv:
        text = DOC.read_text()
        head, rest = text.split(START, 1)
        DOC.write_text(f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}")
    print(table)


if __name__ == "__main__":
    main(sys.argv[1:])
