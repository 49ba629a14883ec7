"""Helpers for tests/reliability: one way to drive every adapter × mode × call, the expected
reply of the emulator's deterministic model, and the error classes each adapter must raise.

Every test here talks to 127.0.0.1 only: the session emulator of tests/conftest.py (reset, and the
thread ledger cleared, before each test) or emulators a test starts itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from langchain_core import exceptions as lc_exceptions
from llama_index.core.base.llms.types import ChatMessage

import hunyuan_api as hy
from hunyuan_emulator import generate, split_pieces
from hunyuan_emulator.model import ConvMessage
from langchain_hunyuan import ChatHunyuan
from llama_index_hunyuan import Hunyuan

Adapter = Literal["langchain", "llamaindex"]
Mode = Literal["sync", "async"]
Call = Literal["stream", "invoke"]

ADAPTERS: tuple[Adapter, ...] = ("langchain", "llamaindex")
MODES: tuple[Mode, ...] = ("sync", "async")
CALLS: tuple[Call, ...] = ("stream", "invoke")

#: Retries without the production backoff (0.5 s doubling): the rules are the same, only the
#: waits are shorter. ``retry_policy=`` is a public setting of both adapters.
FAST_RETRIES = hy.RetryPolicy(initial_delay=0.005, max_delay=0.01, jitter=0.0)

PROMPT = "Tell me about the reliability of streaming APIs"


def fresh(handle: Any) -> Any:
    """A module's own emulator made ready for the next test: no requests, faults or queued
    replies, and no thread the process-wide ledger remembers on it."""
    handle.state.reset()
    hy.default_ledger().clear()
    return handle


def reply_to(prompt: str) -> str:
    """What the emulator's deterministic model answers to a single user message."""
    return generate([ConvMessage("user", prompt)]).text


def streamed_prefix(text: str, deltas: int) -> str:
    """The text the first ``deltas`` delta frames of a reply carry (the emulator's pieces)."""
    return "".join(split_pieces(text)[:deltas])


class Endpoint(Protocol):
    base_url: str
    secret_id: str
    secret_key: str


def make_model(adapter: Adapter, endpoint: Endpoint, **overrides: Any) -> Any:
    settings: dict[str, Any] = {
        "base_url": endpoint.base_url,
        "secret_id": endpoint.secret_id,
        "secret_key": endpoint.secret_key,
        "retry_policy": FAST_RETRIES,
        "max_retries": 2,
    }
    settings.update(overrides)
    if adapter == "langchain":
        return ChatHunyuan(**settings)
    return Hunyuan(**settings)


@dataclass
class Outcome:
    """How one call ended: the final text, or the error; and the text pieces the caller saw."""

    text: str | None = None
    received: list[str] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def seen(self) -> str:
        return "".join(self.received)


async def drive(adapter: Adapter, mode: Mode, call: Call, model: Any, prompt: str) -> Outcome:
    """One call through the adapter's public API. Sync calls block the test's loop, which is
    fine: the emulator serves from its own thread."""
    out = Outcome()
    try:
        if adapter == "langchain":
            await _drive_langchain(mode, call, model, prompt, out)
        else:
            await _drive_llamaindex(mode, call, model, prompt, out)
    except Exception as exc:
        out.error = exc
    return out


async def _drive_langchain(mode: Mode, call: Call, model: Any, prompt: str, out: Outcome) -> None:
    if call == "invoke":
        message = model.invoke(prompt) if mode == "sync" else await model.ainvoke(prompt)
        out.text = message.content
        return
    if mode == "sync":
        for chunk in model.stream(prompt):
            if chunk.content:
                out.received.append(chunk.content)
    else:
        async for chunk in model.astream(prompt):
            if chunk.content:
                out.received.append(chunk.content)
    out.text = out.seen


async def _drive_llamaindex(mode: Mode, call: Call, model: Any, prompt: str, out: Outcome) -> None:
    messages = [ChatMessage(role="user", content=prompt)]
    if call == "invoke":
        response = model.chat(messages) if mode == "sync" else await model.achat(messages)
        out.text = response.message.content
        return
    last = None
    if mode == "sync":
        for response in model.stream_chat(messages):
            if response.delta:
                out.received.append(response.delta)
            last = response
    else:
        async for response in await model.astream_chat(messages):
            if response.delta:
                out.received.append(response.delta)
            last = response
    final = last.message.content if last is not None else ""
    # The accumulated message and the deltas must agree: nothing duplicated, nothing lost.
    assert final == out.seen, (final, out.seen)
    out.text = final


_Refusal = getattr(lc_exceptions, "ModelRefusalError", lc_exceptions.ModelAPIError)

#: The LangChain ``Model*Error`` each core class must also be, when raised through LangChain.
LANGCHAIN_CLASS: dict[type[hy.HunyuanError], type[Exception]] = {
    hy.AuthenticationError: lc_exceptions.ModelAuthenticationError,
    hy.RateLimitError: lc_exceptions.ModelRateLimitError,
    hy.APITimeoutError: lc_exceptions.ModelTimeoutError,
    hy.APIConnectionError: lc_exceptions.ModelConnectionError,
    hy.NotFoundError: lc_exceptions.ModelNotFoundError,
    hy.BadRequestError: lc_exceptions.ModelInvalidRequestError,
    hy.ServerError: lc_exceptions.ModelAPIError,
    hy.StreamError: lc_exceptions.ModelAPIError,
    hy.AccountError: lc_exceptions.ModelPermissionDeniedError,
    hy.ContentFilterError: _Refusal,
    hy.APIError: lc_exceptions.ModelAPIError,
}


def assert_error_class(adapter: Adapter, error: BaseException, core: type[hy.HunyuanError]) -> None:
    """The error is the expected core class (exactly, for LlamaIndex, which re-raises core
    errors) and, through LangChain, also the matching ``Model*Error``."""
    assert isinstance(error, core), f"{type(error).__mro__} is not a {core.__name__}"
    if adapter == "langchain":
        assert type(error).__module__ == "langchain_hunyuan._errors", type(error)
        assert isinstance(error, LANGCHAIN_CLASS[core]), type(error).__mro__
        # The most specific core class, not a parent of it.
        assert type(error).__mro__[1] is core, type(error).__mro__
    else:
        assert type(error) is core, type(error)
