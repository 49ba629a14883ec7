"""A tour of Tencent Hunyuan in LangChain and LlamaIndex, printed as a transcript.

    make demo                          # or: .venv/bin/python examples/demo.py [--emulator]

Without credentials the script starts the bundled emulator (``hunyuan_emulator``) in this
process and points the plugin at it through the environment (``HUNYUAN_SECRET_ID``,
``HUNYUAN_SECRET_KEY`` and ``HUNYUAN_BASE_URL``; with ``--api openai``, ``HUNYUAN_API_KEY`` and
the emulator's OpenAI-compatible URL). With credentials set, the same code talks to Tencent's
service: a SecretId/SecretKey pair (``HUNYUAN_SECRET_ID``/``HUNYUAN_SECRET_KEY`` or the
``TENCENTCLOUD_*`` pair) uses RunThread; a console API KEY alone (``HUNYUAN_API_KEY``, plus
``HUNYUAN_BASE_URL`` for TokenHub) uses the OpenAI-compatible endpoint. ``--emulator`` forces
the emulator anyway.

It shows, in order: streamed Chinese text from ``ChatHunyuan``; a LangChain ``create_agent``
calling a tool and answering; a LlamaIndex ``FunctionAgent`` doing the same; a LlamaIndex
``VectorStoreIndex`` embedding the documents in ``examples/data`` with ``HunyuanEmbedding``,
retrieving the one that answers a question and ``Hunyuan`` answering from it; then the token
usage of every model call and whether the follow-up calls continued their RunThread thread
(sending only the new messages) instead of replaying the conversation.

Exit status: 0 when every step did what it should, 1 otherwise (with the reason on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
CREDENTIAL_PAIRS = (
    ("HUNYUAN_SECRET_ID", "HUNYUAN_SECRET_KEY"),
    ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
)
WIDTH = 78


class DemoError(Exception):
    """A step ran but did not do what the demo shows (for example, no tool was called)."""


def have_credentials() -> bool:
    pair = any(os.environ.get(a) and os.environ.get(b) for a, b in CREDENTIAL_PAIRS)
    return pair or bool(os.environ.get("HUNYUAN_API_KEY"))


def transport() -> str:
    """The API the environment's credentials choose, as every model here will."""
    from hunyuan_api import HunyuanSettings

    return HunyuanSettings().api


def get_weather(city: str) -> str:
    """Get today's weather for a city."""
    return f"{city}: sunny, 26°C, light breeze"


# -- the transcript ---------------------------------------------------------------------------


@dataclass
class Call:
    """One model call: what it cost and which thread it ran on."""

    step: str
    input_tokens: int
    output_tokens: int
    thread_id: str | None
    reused: bool
    sent: int | None
    history: int

    def describe(self) -> str:
        usage = (
            f"usage {self.input_tokens} in + {self.output_tokens} out = "
            f"{self.input_tokens + self.output_tokens} tokens"
        )
        if self.thread_id is None:
            # ChatCompletions and the OpenAI-compatible endpoint keep no threads.
            noun = "message" if self.history == 1 else "messages"
            return f"{usage} · no thread: sent the whole history, {self.history} {noun}"
        reused = "yes" if self.reused else "no (new thread)"
        sent = ""
        if self.sent is not None:
            noun = "message" if self.history == 1 else "messages"
            sent = f", sent {self.sent} of {self.history} {noun}"
        return f"{usage} · thread reused: {reused}{sent}"


@dataclass
class Transcript:
    """Prints the transcript and keeps every model call for the summary."""

    calls: list[Call] = field(default_factory=list)
    steps: list[tuple[str, float]] = field(default_factory=list)
    step: str = ""
    threads: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)

    @staticmethod
    def say(text: str = "", end: str = "\n") -> None:
        print(text, end=end, flush=True)

    @contextlib.contextmanager
    def section(self, number: int, total: int, title: str) -> Iterator[None]:
        self.step = title
        self.say()
        self.say(f"── {number}/{total} {title} ".ljust(WIDTH, "─"))
        began = time.monotonic()
        yield
        elapsed = time.monotonic() - began
        self.steps.append((title, elapsed))
        self.say(f"   ({elapsed:.1f} s)")

    @contextlib.contextmanager
    def progress(self, what: str) -> Iterator[None]:
        self.say(f"   {what}…", end="")
        began = time.monotonic()
        yield
        self.say(f" done ({time.monotonic() - began:.1f} s)")

    def record(
        self,
        *,
        input_tokens: int,
        output_tokens: int,
        thread_id: str | None,
        history: int,
        sent: int | None,
        reused: bool | None = None,
    ) -> Call:
        if reused is None:
            reused = thread_id is not None and thread_id in self.threads
        if thread_id is not None:
            self.threads.add(thread_id)
        call = Call(self.step, input_tokens, output_tokens, thread_id, reused, sent, history)
        self.calls.append(call)
        return call

    def summary(self) -> None:
        self.say()
        self.say("── summary ".ljust(WIDTH, "─"))
        self.say(f"   {'step':<50}{'calls':>6}{'in':>8}{'out':>8}{'total':>8}")
        for title, _ in self.steps:
            calls = [c for c in self.calls if c.step == title]
            tokens_in = sum(c.input_tokens for c in calls)
            tokens_out = sum(c.output_tokens for c in calls)
            self.say(
                f"   {title:<50}{len(calls):>6}{tokens_in:>8}{tokens_out:>8}"
                f"{tokens_in + tokens_out:>8}"
            )
        tokens_in = sum(c.input_tokens for c in self.calls)
        tokens_out = sum(c.output_tokens for c in self.calls)
        self.say(
            f"   {'all steps':<50}{len(self.calls):>6}{tokens_in:>8}{tokens_out:>8}"
            f"{tokens_in + tokens_out:>8}"
        )
        reused = [c for c in self.calls if c.reused]
        if reused:
            sent = sum(c.sent or 0 for c in reused)
            history = sum(c.history for c in reused)
            self.say(
                f"   thread reuse: {len(reused)} of {len(self.calls)} model calls continued their "
                f"RunThread thread,\n   sending {sent} of {history} messages instead of replaying "
                "the conversation"
            )
        self.say(f"   finished in {time.monotonic() - self.started:.1f} s")


# -- the steps --------------------------------------------------------------------------------


def langchain_recorder(transcript: Transcript) -> Any:
    """A LangChain callback handler that records each chat model call in the transcript."""
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.messages import BaseMessage
    from langchain_core.outputs import ChatGeneration, LLMResult

    class Recorder(BaseCallbackHandler):
        def __init__(self) -> None:
            self.inputs: dict[Any, list[BaseMessage]] = {}

        def on_chat_model_start(
            self, serialized: Any, messages: list[list[BaseMessage]], **kwargs: Any
        ) -> None:
            self.inputs[kwargs["run_id"]] = messages[0]

        def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
            history = self.inputs.pop(kwargs["run_id"], [])
            generation = response.generations[0][0]
            assert isinstance(generation, ChatGeneration)
            message = generation.message
            usage = getattr(message, "usage_metadata", None) or {}
            # The plugin reports how each run used its RunThread thread.
            metadata = message.response_metadata
            transcript.record(
                input_tokens=usage.get("input_tokens", 0),
                output_tokens=usage.get("output_tokens", 0),
                thread_id=metadata.get("thread_id"),
                history=len(history),
                sent=metadata.get("messages_sent"),
                reused=bool(metadata.get("continued_thread")),
            )

    return Recorder()


def llamaindex_recorder(transcript: Transcript) -> None:
    """Record every LlamaIndex chat call (agents and query engines alike) in the transcript."""
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events import BaseEvent
    from llama_index.core.instrumentation.events.llm import LLMChatEndEvent

    class Recorder(BaseEventHandler):
        @classmethod
        def class_name(cls) -> str:
            return "HunyuanDemoRecorder"

        def handle(self, event: BaseEvent, **kwargs: Any) -> None:
            if not isinstance(event, LLMChatEndEvent) or event.response is None:
                return
            raw = event.response.raw
            if not isinstance(raw, dict) or "messages_sent" not in raw:
                return
            # ``raw`` is the core's RunResult: usage, thread, and what went over the wire.
            usage = raw.get("usage") or {}
            transcript.record(
                input_tokens=usage.get("prompt_tokens", 0),
                output_tokens=usage.get("completion_tokens", 0),
                thread_id=raw.get("thread_id"),
                history=len(event.messages),
                sent=raw["messages_sent"],
                reused=bool(raw.get("continued_thread")),
            )

    get_dispatcher().add_event_handler(Recorder())


def step_stream(transcript: Transcript, model: str, recorder: Any) -> None:
    from langchain_hunyuan import ChatHunyuan

    chat = ChatHunyuan(model=model, temperature=0.3)  # credentials and endpoint: environment
    prompt = "用三句话介绍一下深圳。"
    transcript.say(f"   you   > {prompt}")
    transcript.say("   model < ", end="")
    text = ""
    for chunk in chat.stream(prompt, config={"callbacks": [recorder]}):
        transcript.say(chunk.text, end="")
        text += chunk.text
    transcript.say()
    if not text.strip():
        raise DemoError("ChatHunyuan streamed no text")
    transcript.say(f"   {transcript.calls[-1].describe()}")


def step_langchain_agent(transcript: Transcript, model: str, recorder: Any) -> None:
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
    from langchain_core.tools import tool

    from langchain_hunyuan import ChatHunyuan

    agent = create_agent(
        ChatHunyuan(model=model, temperature=0),
        tools=[tool(get_weather)],
        system_prompt="You are a concise assistant. Use the tools for facts you do not know.",
    )
    question = "What's the weather in Shenzhen today?"
    transcript.say(f"   you   > {question}")
    tool_calls: list[str] = []
    answer = ""
    updates = agent.stream(
        {"messages": [HumanMessage(question)]},
        config={"callbacks": [recorder]},
        stream_mode="updates",
    )
    for update in updates:
        for node in update.values():
            for message in (node or {}).get("messages", []):
                if isinstance(message, AIMessage) and message.tool_calls:
                    for call in message.tool_calls:
                        tool_calls.append(call["name"])
                        transcript.say(f"   model → calls {call['name']}({call['args']})")
                    transcript.say(f"           {transcript.calls[-1].describe()}")
                elif isinstance(message, ToolMessage):
                    transcript.say(f"   tool  ← {message.text}")
                elif isinstance(message, AIMessage):
                    answer = message.text
                    transcript.say(f"   model < {answer}")
                    transcript.say(f"           {transcript.calls[-1].describe()}")
    if "get_weather" not in tool_calls:
        raise DemoError("the LangChain agent did not call get_weather")
    if not answer.strip():
        raise DemoError("the LangChain agent gave no answer")


async def step_llamaindex_agent(transcript: Transcript, model: str) -> None:
    from llama_index.core.agent.workflow import (
        AgentOutput,
        AgentStream,
        FunctionAgent,
        ToolCallResult,
    )

    from llama_index_hunyuan import Hunyuan

    agent = FunctionAgent(
        tools=[get_weather],
        llm=Hunyuan(model=model, temperature=0),
        system_prompt="You are a concise assistant. Use the tools for facts you do not know.",
    )
    question = "What's the weather in Beijing today?"
    transcript.say(f"   you   > {question}")
    tool_results: list[str] = []
    answering = False
    handler = agent.run(question)
    async for event in handler.stream_events():
        if isinstance(event, AgentStream) and event.delta:
            if not answering:
                transcript.say("   model < ", end="")
                answering = True
            transcript.say(event.delta, end="")
        elif isinstance(event, AgentOutput):
            if answering:
                transcript.say()
                answering = False
            for call in event.tool_calls:
                transcript.say(f"   model → calls {call.tool_name}({call.tool_kwargs})")
            transcript.say(f"           {transcript.calls[-1].describe()}")
        elif isinstance(event, ToolCallResult):
            tool_results.append(event.tool_name)
            transcript.say(f"   tool  ← {event.tool_output.content}")
    answer = str(await handler)
    if "get_weather" not in tool_results:
        raise DemoError("the LlamaIndex FunctionAgent did not call get_weather")
    if not answer.strip():
        raise DemoError("the LlamaIndex FunctionAgent gave no answer")


def step_query_engine(transcript: Transcript, model: str) -> None:
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    from llama_index_hunyuan import Hunyuan, HunyuanEmbedding

    with transcript.progress(f"reading {DATA.name}/ and embedding it with hunyuan-embedding"):
        documents = SimpleDirectoryReader(
            str(DATA), file_metadata=lambda path: {"file_name": Path(path).name}
        ).load_data()
        index = VectorStoreIndex.from_documents(documents, embed_model=HunyuanEmbedding())
        engine = index.as_query_engine(
            llm=Hunyuan(model=model, temperature=0), streaming=True, similarity_top_k=1
        )
    question, expected = "腾讯的总部在哪里？", "tencent.md"
    transcript.say(f"   you   > {question}")
    response = engine.query(question)
    for node in response.source_nodes:
        name = node.node.metadata.get("file_name", "?")
        transcript.say(f"   retrieved: {name} (cosine similarity {node.score or 0:.2f})")
    transcript.say("   model < ", end="")
    text = ""
    for token in response.response_gen:  # type: ignore[union-attr]
        transcript.say(token, end="")
        text += token
    transcript.say()
    transcript.say(f"   {transcript.calls[-1].describe()}")
    sources = [n.node.metadata.get("file_name") for n in response.source_nodes]
    if sources != [expected]:
        raise DemoError(f"the vector index retrieved {sources} for a question about {expected}")
    if not text.strip():
        raise DemoError("the query engine gave no answer")


# -- running ----------------------------------------------------------------------------------


@contextlib.contextmanager
def backend(transcript: Transcript, force_emulator: bool, api: str) -> Iterator[None]:
    """Tencent's service when credentials are set, else the bundled emulator."""
    if have_credentials() and not force_emulator:
        from hunyuan_api import HunyuanSettings
        from hunyuan_api._connection import default_base_url

        api = transport()
        base_url = HunyuanSettings().base_url or default_base_url(api)
        transcript.say(
            f"Hunyuan demo · credentials from the environment, api={api}, endpoint {base_url}"
        )
        yield
        return
    reason = "--emulator" if force_emulator else "no credentials set"
    transcript.say(f"Hunyuan demo · the bundled emulator ({reason}), api={api}")
    with transcript.progress("starting the emulator"):
        from hunyuan_emulator import run_emulator

        emulator = run_emulator(tokens_per_second=80)
        emu = emulator.__enter__()
    try:
        transcript.say(f"   listening on {emu.base_url}")
        transcript.say("   Its model is deterministic: replies quote the prompt or the matching")
        transcript.say("   document sentences, tool calls are built from the question.")
        transcript.say(
            "   Set HUNYUAN_SECRET_ID and HUNYUAN_SECRET_KEY (or HUNYUAN_API_KEY) to talk to "
            "Hunyuan."
        )
        if api == "openai":
            os.environ["HUNYUAN_API_KEY"] = emu.api_key
            os.environ["HUNYUAN_BASE_URL"] = emu.openai_base_url
        else:
            os.environ["HUNYUAN_SECRET_ID"] = emu.secret_id
            os.environ["HUNYUAN_SECRET_KEY"] = emu.secret_key
            os.environ["HUNYUAN_BASE_URL"] = emu.base_url
        yield
    finally:
        emulator.__exit__(None, None, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--emulator", action="store_true", help="use the bundled emulator even with credentials"
    )
    parser.add_argument(
        "--api",
        choices=("run_thread", "openai"),
        default="run_thread",
        help="the emulator's transport: SecretId/SecretKey (default) or the API-KEY endpoint",
    )
    parser.add_argument(
        "--model",
        help="default: hunyuan-turbo on RunThread, hunyuan-turbos-latest on the API-KEY endpoint",
    )
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")

    transcript = Transcript()
    with backend(transcript, args.emulator, args.api):
        api = transport()
        args.model = args.model or ("hunyuan-turbos-latest" if api == "openai" else "hunyuan-turbo")
        with transcript.progress("loading LangChain and LlamaIndex"):
            recorder = langchain_recorder(transcript)
            llamaindex_recorder(transcript)
            import langchain.agents  # noqa: F401
            import llama_index.core.agent.workflow  # noqa: F401

            import langchain_hunyuan  # noqa: F401
            import llama_index_hunyuan  # noqa: F401

        total = 4
        with transcript.section(1, total, "LangChain · ChatHunyuan streams Chinese text"):
            step_stream(transcript, args.model, recorder)
        with transcript.section(2, total, "LangChain · create_agent calls a tool"):
            step_langchain_agent(transcript, args.model, recorder)
        with transcript.section(3, total, "LlamaIndex · FunctionAgent calls a tool"):
            asyncio.run(step_llamaindex_agent(transcript, args.model))
        with transcript.section(4, total, "LlamaIndex · vector index over local documents"):
            step_query_engine(transcript, args.model)

    follow_ups = [c for c in transcript.calls if "agent" in c.step.lower()]
    if api == "run_thread" and not any(c.reused for c in follow_ups):
        raise DemoError("no agent call continued its thread: every turn replayed the history")
    transcript.summary()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (`make demo | head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        from hunyuan_api import HunyuanError

        if not isinstance(exc, (DemoError, HunyuanError)):
            traceback.print_exc()
        print(f"\ndemo failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
