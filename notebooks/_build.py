"""Writes the notebooks in this directory from the cell lists below, then runs them.

    .venv/bin/python notebooks/_build.py            # write and execute every notebook
    .venv/bin/python notebooks/_build.py --no-run   # write them without outputs

Edit the cells here, not in the .ipynb files. Executing without credentials (no SecretId/SecretKey
pair, no HUNYUAN_API_KEY: the script clears them unless --live) runs them
against the bundled emulator, which is how the committed outputs were made.
``tests/docs/test_notebooks.py`` runs every committed notebook top to bottom.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

SETUP_MD = """\
**Setup.** The next cell picks the endpoint from the credential you hold, and prints which:

- a **SecretId/SecretKey pair** (`HUNYUAN_SECRET_ID` and `HUNYUAN_SECRET_KEY`, or the
  `TENCENTCLOUD_*` pair; from https://console.cloud.tencent.com/cam/capi): Tencent Cloud API 3.0,
  RunThread, with `hunyuan-turbo`;
- only an **API key** (`HUNYUAN_API_KEY`: the Hunyuan console's API KEY, or a TokenHub key with
  `HUNYUAN_BASE_URL=https://tokenhub.tencentmaas.com/v1`): Hunyuan's OpenAI-compatible endpoint,
  with `hunyuan-turbos-latest` (on TokenHub `hy3-preview`). It has no threads, so the cells that
  show RunThread's threads say so, and the threads notebook uses the emulator instead;
- neither: the bundled emulator, started in this kernel, with the same environment variables
  pointed at it, so every cell below reads exactly as it would against the real service.

`HUNYUAN_BASE_URL`, when set, overrides the endpoint (an emulator you started with
`hunyuan-emulator`, say). `API` and `MODEL` hold the choice; the cells below use them. The
emulator's model is deterministic: its replies quote your prompt (retrieval prompts get the
context sentences that match the question), and its tool calls are built from your words."""

#: The first line of the setup cell: whether the notebook needs RunThread (only a pair opens it).
_NEEDS_PAIR = "needs_pair = {}  # RunThread threads, which only a SecretId/SecretKey pair opens\n"

SETUP_CODE = """\
import os
from contextlib import ExitStack

import httpx

notebook = ExitStack()  # the last cell closes it (and so stops the emulator)
emu = None
env = os.environ.get
base_url = env("HUNYUAN_BASE_URL")
has_pair = any(env(f"{family}_SECRET_ID") and env(f"{family}_SECRET_KEY")
               for family in ("HUNYUAN", "TENCENTCLOUD"))
if has_pair:
    API, MODEL = "run_thread", "hunyuan-turbo"
    service = "Tencent's service, https://hunyuan.tencentcloudapi.com"
    credential = "your SecretId/SecretKey pair"
elif env("HUNYUAN_API_KEY") and not needs_pair:
    # A console API KEY or a TokenHub key opens the OpenAI-compatible endpoint (and only it).
    tokenhub = "tokenhub" in (base_url or "")
    API, MODEL = "openai", "hy3-preview" if tokenhub else "hunyuan-turbos-latest"
    service = "Hunyuan's OpenAI-compatible endpoint, https://api.hunyuan.cloud.tencent.com/v1"
    credential = "your API key (HUNYUAN_API_KEY)"
else:
    API = None
if API is None:
    from hunyuan_emulator import run_emulator

    emu = notebook.enter_context(run_emulator())
    os.environ["HUNYUAN_SECRET_ID"] = emu.secret_id
    os.environ["HUNYUAN_SECRET_KEY"] = emu.secret_key
    os.environ["HUNYUAN_BASE_URL"] = emu.base_url
    API, MODEL = "run_thread", "hunyuan-turbo"
    if env("HUNYUAN_API_KEY"):
        print("An API key opens no RunThread threads: using the bundled emulator on 127.0.0.1.")
    else:
        print("No credentials set: using the bundled emulator on 127.0.0.1.")
elif not base_url:
    print(f"Using {service}, with {credential}: api={API!r}, model {MODEL!r}.")
else:
    try:  # an emulator answers its health check; Tencent's service has none
        root = base_url.rstrip("/").removesuffix("/v1")
        health = httpx.get(root + "/_emulator/health", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        health = None
    kind = "the Hunyuan emulator" if health == {"ok": True} else "the endpoint"
    print(f"Using {kind} at {base_url} (HUNYUAN_BASE_URL), with {credential}: "
          f"api={API!r}, model {MODEL!r}.")"""

#: The setup cell of a notebook that runs on any credential, and of one that needs RunThread.
SETUP = _NEEDS_PAIR.format(False) + SETUP_CODE
SETUP_NEEDS_PAIR = _NEEDS_PAIR.format(True) + SETUP_CODE

TEARDOWN = """\
notebook.close()"""

Cell = tuple[str, str]  # ("md" | "code", source)


def md(source: str) -> Cell:
    return ("md", source)


def code(source: str) -> Cell:
    return ("code", source)


def setup(title: str, intro: str, *, needs_pair: bool = False) -> list[Cell]:
    return [
        md(f"# {title}\n\n{intro}"),
        md(SETUP_MD),
        code(SETUP_NEEDS_PAIR if needs_pair else SETUP),
    ]


def teardown() -> list[Cell]:
    return [md("Stop the emulator (nothing to do against the real service)."), code(TEARDOWN)]


# -- 01 ----------------------------------------------------------------------------------------

QUICKSTART = [
    *setup(
        "LangChain quickstart: `ChatHunyuan`",
        "`ChatHunyuan` is a LangChain chat model on Hunyuan's RunThread API: `invoke`, `stream`, "
        "their async twins, `batch`, chains, and the errors you may meet.",
    ),
    md(
        "## A model\n\nCredentials and the endpoint come from the environment "
        "(`HUNYUAN_SECRET_ID` and `HUNYUAN_SECRET_KEY`, or `HUNYUAN_API_KEY`; "
        "`HUNYUAN_BASE_URL`); pass `secret_id=` and `secret_key=` (or `api_key=`) to set them "
        "in code instead. `MODEL` is the model the setup cell chose for your endpoint."
    ),
    code(
        """\
from langchain_hunyuan import ChatHunyuan

chat = ChatHunyuan(model=MODEL, temperature=0.3)"""
    ),
    md("## `invoke`\n\nA string is one user message; the reply is an `AIMessage`."),
    code(
        """\
reply = chat.invoke("用一句话介绍一下长城。")
print(reply.text)"""
    ),
    md(
        "Usage and the run's identifiers travel with the reply. `thread_id` is the RunThread "
        "thread the reply was written to (see `04_threads.ipynb`)."
    ),
    code(
        """\
print(reply.usage_metadata)
print(sorted(reply.response_metadata))
print(reply.response_metadata["finish_reason"])"""
    ),
    md("A list of messages (or `(role, text)` pairs) is a conversation:"),
    code(
        """\
from langchain_core.messages import HumanMessage, SystemMessage

reply = chat.invoke(
    [
        SystemMessage("You are a terse travel guide."),
        HumanMessage("What should I see in Hangzhou?"),
    ]
)
print(reply.text)"""
    ),
    md("## `stream`\n\nChunks arrive as the model writes them."),
    code(
        """\
for chunk in chat.stream("写一首关于西湖的四行短诗。"):
    print(chunk.text, end="|", flush=True)"""
    ),
    md("Chunks add up to the full message; usage and finish reason are on the last one."),
    code(
        """\
full = None
for chunk in chat.stream("Name three rivers in China."):
    full = chunk if full is None else full + chunk
print(full.text)
print(full.usage_metadata, full.response_metadata["finish_reason"])"""
    ),
    md(
        "## Async\n\n`ainvoke`, `astream`, `abatch` are native async (one connection pool per "
        "event loop), not threads around the sync calls. Notebooks accept top-level `await`."
    ),
    code(
        """\
reply = await chat.ainvoke("What is the capital of Sichuan?")
print(reply.text)

async for chunk in chat.astream("用一句话介绍一下成都。"):
    print(chunk.text, end="", flush=True)"""
    ),
    md("## `batch`\n\nSeveral inputs at once; `max_concurrency` bounds the requests in flight."),
    code(
        """\
questions = ["What is 熊猫 in English?", "What is 长江 in English?", "What is 黄河 in English?"]
for answer in chat.batch(questions, config={"max_concurrency": 2}):
    print("-", answer.text)

answers = await chat.abatch(questions)
print(len(answers), "answers")"""
    ),
    md("## A chain\n\nPrompt template → model → string."),
    code(
        """\
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

prompt = ChatPromptTemplate.from_messages(
    [("system", "Answer in one sentence."), ("human", "Tell me about {topic}.")]
)
chain = prompt | chat | StrOutputParser()
print(chain.invoke({"topic": "the Terracotta Army"}))"""
    ),
    md(
        "## Call options\n\nPer call: `temperature`, `top_p`, `max_tokens`, `model`, `stop`, "
        "`thread_id`. RunThread has no `Stop` field, so `stop` is applied here: the output "
        "is cut at the first match (even across chunks) and the finish reason is `stop`."
    ),
    code(
        """\
reply = chat.invoke("用三句话介绍一下上海。", stop=["。"])
print(repr(reply.text), reply.response_metadata["finish_reason"])

short = chat.invoke("Describe the Great Wall in detail.", max_tokens=8)
print(repr(short.text), short.response_metadata["finish_reason"])"""
    ),
    md(
        "## `HunyuanLLM`\n\nThe completion-style model (string in, string out), for code "
        "written against LangChain's `LLM` interface."
    ),
    code(
        """\
from langchain_hunyuan import HunyuanLLM

llm = HunyuanLLM(model=MODEL)
print(llm.invoke("Say hello in Cantonese."))"""
    ),
    md(
        "## Errors\n\nErrors are both the core class (`hunyuan_api.AuthenticationError`, ...) "
        "and LangChain's (`ModelAuthenticationError`, ...). Wrong credentials (of the kind "
        "you hold):"
    ),
    code(
        """\
from langchain_core.exceptions import ModelAuthenticationError

import hunyuan_api

if API == "openai":
    wrong = ChatHunyuan(model=MODEL, api_key="sk-not-a-real-key")
else:
    wrong = ChatHunyuan(secret_id="AKIDnotARealId", secret_key="not-a-real-key")
try:
    wrong.invoke("hi")
except ModelAuthenticationError as exc:
    print(type(exc).__name__, "| core class:", isinstance(exc, hunyuan_api.AuthenticationError))
    print(exc.code)"""
    ),
    md(
        "The Hunyuan console's \"API KEY\" (`sk-...`) opens Hunyuan's OpenAI-compatible "
        'endpoint: given only such a key, `api` is `"openai"`. RunThread and ChatCompletions '
        "requests are signed with a SecretId/SecretKey pair instead; asked to sign them with a "
        "key, the plugin says so before sending anything:"
    ),
    code(
        """\
print(ChatHunyuan(secret_id=None, secret_key=None, api_key="sk-console-key").api)
try:
    ChatHunyuan(api="run_thread", secret_id=None, secret_key=None, api_key="sk-console-key").invoke("hi")
except ValueError as exc:
    print(exc)"""
    ),
    *teardown(),
]

# -- 02 ----------------------------------------------------------------------------------------

TOOLS = [
    *setup(
        "Tools and agents in LangChain",
        "`bind_tools`, `tool_choice` and how it maps onto Hunyuan's `ToolChoice`, a tool loop "
        "by hand, `create_agent`, and structured output.",
    ),
    code(
        """\
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_hunyuan import ChatHunyuan

chat = ChatHunyuan(model=MODEL, temperature=0)


@tool
def get_weather(city: str) -> str:
    \"\"\"Get today's weather for a city.\"\"\"
    return f"{city}: sunny, 26°C"


@tool
def get_population(city: str) -> int:
    \"\"\"Get the population of a city, in people.\"\"\"
    return 17_560_000


def last_request():
    \"\"\"What the last RunThread request carried (emulator only: it keeps a request log).\"\"\"
    if emu is None:
        return {}
    body = [r for r in emu.state.requests if r.action == "RunThread"][-1].body
    return {k: body.get(k) for k in ("ToolChoice", "Tools") if k in body}"""
    ),
    md(
        "## `bind_tools`\n\nTools work on `hunyuan-pro`, `hunyuan-turbo` and "
        "`hunyuan-functioncall`. The reply carries `tool_calls` with parsed arguments."
    ),
    code(
        """\
with_tools = chat.bind_tools([get_weather, get_population])
ai = with_tools.invoke("What's the weather in Shenzhen today?")
print(ai.tool_calls)"""
    ),
    md(
        "## A tool loop by hand\n\nRun the tool, append its `ToolMessage`, call again with the "
        "whole history. On RunThread the plugin notices that the history extends the thread the "
        "first call wrote to and sends only the tool result (see `04_threads.ipynb`); the "
        "OpenAI-compatible endpoint has no threads and receives the whole history."
    ),
    code(
        """\
question = HumanMessage("What's the weather in Shenzhen today?")
ai = with_tools.invoke([question])
history = [question, ai]
for call in ai.tool_calls:
    history.append(ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"]))
answer = with_tools.invoke(history)
print(answer.text)
if API == "run_thread":
    first, then = ai.response_metadata["thread_id"], answer.response_metadata["thread_id"]
    print("same thread:", then == first)"""
    ),
    md(
        """\
## `tool_choice`

Hunyuan's `ToolChoice` has three values: `none`, `auto` and `custom` (some tool must be called).
LangChain's choices map onto them:

| `tool_choice=` | sent to Hunyuan |
|---|---|
| `"auto"` | `auto` |
| `"none"` | `none` |
| `"any"`, `"required"`, `True` | `custom` |
| a tool name, or `{"type": "function", "function": {"name": ...}}` | `custom`, and only that tool is sent |
| `None`, `False` (default) | nothing: the service default (`auto`) |

With the emulator, `last_request()` shows what went on the wire."""
    ),
    code(
        """\
forced = chat.bind_tools([get_weather, get_population], tool_choice="get_population")
print(forced.invoke("Tell me about Shenzhen.").tool_calls)
print(last_request())"""
    ),
    code(
        """\
anything = chat.bind_tools([get_weather, get_population], tool_choice="any")
print([c["name"] for c in anything.invoke("Shenzhen, please.").tool_calls])
print(last_request().get("ToolChoice"))

never = chat.bind_tools([get_weather], tool_choice="none")
print(repr(never.invoke("What's the weather in Shenzhen today?").text[:60]))
print(last_request().get("ToolChoice"))"""
    ),
    md(
        "Models that ignore tools refuse them up front rather than silently answering without them:"
    ),
    code(
        """\
try:
    ChatHunyuan(model="hunyuan-lite").bind_tools([get_weather])
except ValueError as exc:
    print(exc)"""
    ),
    md(
        "## `create_agent`\n\nLangChain 1.x's agent loop. Every model call after the first "
        "continues the thread, so each turn sends only the new tool results."
    ),
    code(
        """\
from langchain.agents import create_agent

agent = create_agent(
    chat,
    tools=[get_weather, get_population],
    system_prompt="You are a concise assistant. Use the tools for facts you do not know.",
)
state = agent.invoke({"messages": [HumanMessage("What's the weather in Guangzhou today?")]})
for message in state["messages"]:
    print(f"{type(message).__name__:>12}: {message.text or message.tool_calls}")"""
    ),
    md("Stream the agent's steps as they finish:"),
    code(
        """\
question = {"messages": [HumanMessage("What's the weather in Chengdu today?")]}
for update in agent.stream(question, stream_mode="updates"):
    for step, data in update.items():
        for message in data["messages"]:
            print(f"[{step}] {message.text or message.tool_calls}")"""
    ),
    md(
        "## Structured output\n\n`with_structured_output` defaults to `function_calling`: the "
        "schema becomes the one tool the model must call, and its arguments are parsed."
    ),
    code(
        """\
from pydantic import BaseModel, Field


class Person(BaseModel):
    \"\"\"A person mentioned in the text.\"\"\"

    name: str = Field(description="Full name")
    age: int
    city: str


extract = chat.with_structured_output(Person)
person = extract.invoke('The engineer "Li Lei" is 28 years old and lives in "Shenzhen".')
person"""
    ),
    md(
        '`method="json_mode"` asks for JSON in the system prompt instead (RunThread has no '
        "response-format field) and parses the reply text. `include_raw=True` keeps the raw "
        "message and any parsing error."
    ),
    code(
        """\
json_mode = chat.with_structured_output(Person, method="json_mode", include_raw=True)
result = json_mode.invoke('The engineer "Han Meimei" is 31 years old and lives in "Hangzhou".')
print(result["parsed"])
print(result["parsing_error"])"""
    ),
    md("An agent can end with a structured response too:"),
    code(
        """\
class Report(BaseModel):
    \"\"\"The weather report.\"\"\"

    city: str
    summary: str


reporter = create_agent(chat, tools=[get_weather], response_format=Report)
state = reporter.invoke(
    {"messages": [HumanMessage('Fill in the Report: city: "Xiamen", summary: "sunny"')]}
)
state["structured_response"]"""
    ),
    *teardown(),
]

# -- 03 ----------------------------------------------------------------------------------------

LLAMAINDEX = [
    *setup(
        "LlamaIndex: `Hunyuan`",
        "`Hunyuan` is a LlamaIndex `FunctionCallingLLM`: chat and completion (sync, async, "
        "streaming), `FunctionAgent`, a vector index over your documents with "
        "`HunyuanEmbedding`, and structured prediction.",
    ),
    code(
        """\
from llama_index.core.llms import ChatMessage

from llama_index_hunyuan import Hunyuan

llm = Hunyuan(model=MODEL, temperature=0.3)
print(llm.metadata.context_window, llm.metadata.is_function_calling_model)"""
    ),
    md("## Completion and chat"),
    code(
        """\
print(llm.complete("用一句话介绍一下黄山。").text)

response = llm.chat(
    [
        ChatMessage(role="system", content="You are a terse travel guide."),
        ChatMessage(role="user", content="What should I see in Guilin?"),
    ]
)
print(response.message.content)"""
    ),
    md(
        "`response.raw` is the run as the core saw it: usage, finish reason, thread and ids, "
        "and (on RunThread) whether the call continued a thread."
    ),
    code(
        """\
raw = response.raw
print(raw["usage"], raw["finish_reason"])
print("continued a thread:", raw.get("continued_thread"), end=" ")
print("| messages sent:", raw.get("messages_sent"))"""
    ),
    md("## Streaming and async"),
    code(
        """\
for part in llm.stream_complete("写两行关于漓江的诗。"):
    print(part.delta, end="", flush=True)
print()

response = await llm.achat([ChatMessage(role="user", content="Where is Zhangjiajie?")])
print(response.message.content)

async for part in await llm.astream_chat([ChatMessage(role="user", content="你好")]):
    print(part.delta, end="", flush=True)"""
    ),
    md(
        "## `FunctionAgent`\n\nTools are plain functions (their docstrings become the "
        "descriptions). The agent's second model call continues the thread of the first, "
        "sending only the tool result."
    ),
    code(
        """\
from llama_index.core.agent.workflow import AgentOutput, FunctionAgent, ToolCallResult


def multiply(a: int, b: int) -> int:
    \"\"\"Multiply two integers and return the product.\"\"\"
    return a * b


def get_weather(city: str) -> str:
    \"\"\"Get today's weather for a city.\"\"\"
    return f"{city}: sunny, 26°C"


agent = FunctionAgent(tools=[multiply, get_weather], llm=llm, system_prompt="You are concise.")
handler = agent.run("Use multiply: what is 17 times 23?")
async for event in handler.stream_events():
    if isinstance(event, ToolCallResult):
        print(f"tool {event.tool_name}({event.tool_kwargs}) -> {event.tool_output.content}")
    elif isinstance(event, AgentOutput):
        print(
            "model call: sent", event.raw.get("messages_sent", "all"),
            "message(s), continued thread:", event.raw.get("continued_thread"),
        )
print(await handler)"""
    ),
    md("Memory across runs keeps the conversation on the same thread:"),
    code(
        """\
from llama_index.core.memory import ChatMemoryBuffer

memory = ChatMemoryBuffer.from_defaults(token_limit=8000)
print(await agent.run("What's the weather in Xi'an today?", memory=memory))
print(await agent.run("And what is 6 times 7? Use multiply.", memory=memory))"""
    ),
    md(
        "## A vector index over local documents\n\n`HunyuanEmbedding` embeds the documents "
        "with `hunyuan-embedding` (1,024 dimensions); a `VectorStoreIndex` retrieves the one "
        "closest to the question, and `Hunyuan` answers from it. No other provider is needed."
    ),
    code(
        """\
from pathlib import Path

from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex

from llama_index_hunyuan import HunyuanEmbedding

Settings.embed_model = HunyuanEmbedding()
documents = SimpleDirectoryReader(
    "../examples/data", file_metadata=lambda path: {"file_name": Path(path).name}
).load_data()
index = VectorStoreIndex.from_documents(documents)
engine = index.as_query_engine(llm=llm, similarity_top_k=1)
answer = engine.query("腾讯的总部在哪里？")
print(answer)
for node in answer.source_nodes:
    print(f"retrieved {node.metadata['file_name']} (cosine similarity {node.score:.2f})")"""
    ),
    md("Streaming, and async:"),
    code(
        """\
streaming = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
response = streaming.query("荔枝什么时候上市？")
for token in response.response_gen:
    print(token, end="", flush=True)
print("\\nretrieved", response.source_nodes[0].metadata["file_name"])

answer = await engine.aquery("深圳有多少人口？")
print(answer, "| retrieved", answer.source_nodes[0].metadata["file_name"])"""
    ),
    md(
        "## Structured prediction\n\n`structured_predict` forces the schema as a tool call "
        "(`ToolChoice: custom`) and validates the arguments."
    ),
    code(
        """\
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel


class City(BaseModel):
    \"\"\"A city and the province it is in.\"\"\"

    name: str
    province: str
    population_millions: float


prompt = PromptTemplate(
    'Describe the city "{name}" in the province "{province}", home to {people} million people.'
)
llm.structured_predict(City, prompt, name="Suzhou", province="Jiangsu", people=12.9)"""
    ),
    code(
        """\
structured = llm.as_structured_llm(City)
reply = structured.chat(
    [ChatMessage(role="user", content='The city "Kunming" in "Yunnan" has 8.5 million people.')]
)
reply.raw"""
    ),
    *teardown(),
]

# -- 04 ----------------------------------------------------------------------------------------

THREADS = [
    *setup(
        "Threads: continued, fresh and pinned",
        """\
RunThread answers on a server-side *thread*: you append messages to it and run the model. Its
messages have a role and text only: there is no field for an assistant's tool calls or a tool
result's call id. So the plugin decides, for every call, which thread to use:

- **continue**: the history extends exactly what a thread already holds (same messages, same
  reply, as in an agent loop): only the new messages are sent to that thread;
- **fresh**: any other history (edited, truncated, foreign): a new thread, with the whole
  history replayed (an assistant's tool calls are written out as text);
- **pinned**: `thread_id=` names a thread you own: exactly the messages you give are appended.

You pass the whole history every time, as with any chat model; continuing is an optimisation
(fewer tokens sent, server-side context kept), never a change in meaning.

Threads belong to RunThread, which only a SecretId/SecretKey pair opens: with only an API key, this
notebook runs on the bundled emulator.""",
        needs_pair=True,
    ),
    md(
        "The core client shows what each call did: `RunResult.continued_thread` and "
        "`RunResult.messages_sent`."
    ),
    code(
        """\
from hunyuan_api import HunyuanClient, Message

client = HunyuanClient()  # credentials and endpoint from the environment


def show(result):
    mode = "continued" if result.continued_thread else "new thread"
    print(f"{result.thread_id} ({mode}), sent {result.messages_sent}: {result.text[:50]!r}")"""
    ),
    md("## Continue"),
    code(
        """\
history = [Message("system", "You are a tour guide."), Message("user", "我想去苏州旅游。")]
first = client.chat(history)
show(first)

history += [Message("assistant", first.text), Message("user", "What should I eat there?")]
second = client.chat(history)
show(second)
assert second.thread_id == first.thread_id and second.messages_sent == 1"""
    ),
    md(
        "The same happens through the adapters: `ChatHunyuan` replies carry the thread in "
        '`response_metadata["thread_id"]`; pass the reply back unchanged and the next call '
        "continues."
    ),
    code(
        """\
from langchain_core.messages import HumanMessage

from langchain_hunyuan import ChatHunyuan

chat = ChatHunyuan()
turns = [HumanMessage("我叫小明。")]
reply = chat.invoke(turns)
turns += [reply, HumanMessage("我叫什么名字？")]
again = chat.invoke(turns)
print(reply.response_metadata["thread_id"] == again.response_metadata["thread_id"])"""
    ),
    md(
        "## Fresh\n\nEdit an earlier message and the history no longer matches any thread: "
        "the plugin starts a new one and replays everything."
    ),
    code(
        """\
edited = [history[0], Message("user", "我想去杭州旅游。"), *history[2:]]
show(client.chat(edited))"""
    ),
    md(
        "Two calls continuing the same thread at once cannot both extend it: the second gets a "
        "fresh thread."
    ),
    code(
        """\
import asyncio

from hunyuan_api import AsyncHunyuanClient

async with AsyncHunyuanClient() as aclient:
    base = [Message("user", "Let's plan a trip.")]
    opening = await aclient.chat(base)
    follow_up = [*base, Message("assistant", opening.text), Message("user", "Where to first?")]
    results = await asyncio.gather(aclient.chat(follow_up), aclient.chat(follow_up))
print(sorted(r.continued_thread for r in results))"""
    ),
    md(
        "## Reading a thread back: `GetThreadMessageList`\n\nA replayed history shows how tool "
        "calls travel when they cannot be sent as fields: as text after the assistant's reply."
    ),
    code(
        """\
from hunyuan_api import ToolCall

with_tools = [
    Message("user", "What's the weather in Suzhou?"),
    Message("assistant", "", tool_calls=(ToolCall("call_1", "get_weather", '{"city": "Suzhou"}'),)),
    Message("tool", "Suzhou: light rain, 19°C", tool_call_id="call_1"),
]
replayed = client.chat(with_tools)
show(replayed)
for message in client.list_thread_messages(replayed.thread_id, order="asc").data:
    print(f"{message.role:>9}: {message.content}")"""
    ),
    md(
        "## Pinned\n\nCreate a thread and pass its id: every call appends exactly the messages "
        "it is given, so you send only the new turn and the thread holds the conversation."
    ),
    code(
        """\
thread = client.create_thread()
pinned = ChatHunyuan(thread_id=thread.id)
print(pinned.invoke("我叫小明，住在深圳。").text)
print(pinned.invoke("我住在哪里？").text)

for message in client.list_thread_messages(thread.id, order="asc").data:
    print(f"{message.role:>9}: {message.content}")"""
    ),
    md("LlamaIndex takes the same `thread_id=`, per model or per call:"),
    code(
        """\
from llama_index.core.llms import ChatMessage

from llama_index_hunyuan import Hunyuan

llm = Hunyuan()
response = llm.chat([ChatMessage(role="user", content="再推荐一个地方。")], thread_id=thread.id)
print(response.message.content)
print(len(client.list_thread_messages(thread.id).data), "messages on the thread")"""
    ),
    code("client.close()"),
    *teardown(),
]

NOTEBOOKS = {
    "01_langchain_quickstart.ipynb": QUICKSTART,
    "02_langchain_tools_agents.ipynb": TOOLS,
    "03_llamaindex.ipynb": LLAMAINDEX,
    "04_threads.ipynb": THREADS,
}


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        for kind, source in cells
    ]
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{i:02d}"
    return notebook


def merge_streams(notebook: nbformat.NotebookNode) -> None:
    """One output per run of printed text (as Jupyter shows it), not one per ``print``."""
    for cell in notebook.cells:
        merged: list[nbformat.NotebookNode] = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                output.output_type == "stream"
                and last is not None
                and last.output_type == "stream"
                and last.name == output.name
            ):
                last.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-run", action="store_true", help="write without executing")
    parser.add_argument(
        "--live", action="store_true", help="keep HUNYUAN_*/TENCENTCLOUD_* (run against them)"
    )
    parser.add_argument("names", nargs="*", help="only these notebooks")
    args = parser.parse_args()
    if not args.live:
        # The committed outputs come from an emulator run.
        for key in [k for k in os.environ if k.startswith(("HUNYUAN_", "TENCENTCLOUD_"))]:
            del os.environ[key]
    for name, cells in NOTEBOOKS.items():
        if args.names and not any(n in name for n in args.names):
            continue
        notebook = build(cells)
        if not args.no_run:
            target = "the service" if args.live else "the emulator"
            print(f"running {name} against {target}…", flush=True)
            resources = {"metadata": {"path": str(HERE)}}
            client = NotebookClient(
                notebook, timeout=120, kernel_name="python3", resources=resources
            )
            client.execute()
            merge_streams(notebook)
        nbformat.write(notebook, HERE / name)
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
