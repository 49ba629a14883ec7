"""``HunyuanLLM``: Tencent Hunyuan as a LangChain text-in, text-out ``LLM``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LLM
from langchain_core.outputs import Generation, GenerationChunk, LLMResult

from hunyuan_api import Message, RunOptions, RunResult
from hunyuan_api.adapter import result_events

from ._chunks import llm_output, text_chunk
from ._config import MODEL_CONFIG, HunyuanParams
from ._errors import map_errors

__all__ = ["HunyuanLLM"]


def _merge(chunks: list[GenerationChunk]) -> Generation:
    merged = GenerationChunk(text="")
    for chunk in chunks:
        merged += chunk
    return Generation(text=merged.text, generation_info=merged.generation_info)


def _text_chunks(result: RunResult, model: str) -> list[GenerationChunk]:
    """A whole answer as the chunks a stream of it gives."""
    chunks = (text_chunk(event, model) for event in result_events(result))
    return [chunk for chunk in chunks if chunk is not None]


class HunyuanLLM(HunyuanParams, LLM):
    """Tencent Hunyuan as a LangChain completion model (text in, text out): the prompt is sent
    as one user message (on a fresh RunThread thread, or appended to ``thread_id``; with
    ``api="chat_completions"`` or ``api="openai"`` in one call) and the reply text returned.
    For conversations, tools and structured output use ``ChatHunyuan``.

    Setup:
        As for ``ChatHunyuan``: ``pip install 'hunyuan-langchain-llamaindex[langchain]'``, and a
        SecretId/SecretKey pair in ``HUNYUAN_SECRET_ID`` and ``HUNYUAN_SECRET_KEY`` (or a
        console API KEY in ``HUNYUAN_API_KEY``).

    Key init args — completion params:
        `model`, `temperature`, `top_p`, `max_tokens` and `stop`; a call may override each
        (``llm.invoke(prompt, temperature=0)``).

    Key init args — client params:
        `api`, `secret_id`, `secret_key`, `api_key`, `base_url`, `timeout`, `max_retries` and
        `thread_id` (a RunThread thread of yours, to which each prompt is appended). "Settings"
        at the end describes every setting.

    Instantiate:
        ```python
        from langchain_hunyuan import HunyuanLLM

        llm = HunyuanLLM(model="hunyuan-turbo", temperature=0.3)
        ```

    Invoke:
        ```python
        text = llm.invoke("Name three rivers in China.")
        print(text)
        ```

    Stream:
        ```python
        for piece in llm.stream("Name three rivers in China."):
            print(piece, end="")
        ```

    Async:
        ```python
        import asyncio


        async def main() -> None:
            print(await llm.ainvoke("Name a mountain in China."))
            async for piece in llm.astream("Name a lake in China."):
                print(piece, end="")


        asyncio.run(main())
        ```

    Token usage:
        ```python
        result = llm.generate(["Name three rivers in China.", "Name a desert in China."])
        print(result.llm_output)
        ```

        ```text
        {'token_usage': {'prompt_tokens': 13, 'completion_tokens': 44, 'total_tokens': 57},
         'model_name': 'hunyuan-turbo', 'model_provider': 'hunyuan'}
        ```

        Summed over the prompts; each generation also has ``usage_metadata`` in its
        ``generation_info``.

    Response metadata:
        ```python
        print(result.generations[0][0].generation_info)
        ```

        ```text
        {'model_name': 'hunyuan-turbo', 'finish_reason': 'stop', 'thread_id': 'thread_...',
         'run_id': 'run_...', 'message_id': 'msg_...', 'request_id': '...',
         'continued_thread': False, 'messages_sent': 1, 'token_usage': {...},
         'model_provider': 'hunyuan', 'usage_metadata': {...}}
        ```

        A stream's last chunk carries the same ``generation_info`` (and any
        ``reasoning_content``).
    """

    # Set again here: LangChain's base classes carry ``extra="ignore"``, which would otherwise
    # win and let misspelled settings pass silently.
    model_config = MODEL_CONFIG
    _ls_model_type = "llm"

    @property
    def _llm_type(self) -> str:
        return "hunyuan"

    # -- one call -----------------------------------------------------------------------------

    def _prepare(
        self, prompt: str, stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> tuple[list[Message], RunOptions]:
        return [Message("user", prompt)], self.run_options(stop, kwargs)

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        history, options = self._prepare(prompt, stop, kwargs)
        with map_errors():
            for event in self._client.stream_chat(history, options):
                chunk = text_chunk(event, options.model)
                if chunk is None:
                    continue
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        history, options = self._prepare(prompt, stop, kwargs)
        with map_errors():
            async for event in self._async_client.stream_chat(history, options):
                chunk = text_chunk(event, options.model)
                if chunk is None:
                    continue
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    def _complete(
        self,
        prompt: str,
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        kwargs: Mapping[str, Any],
    ) -> Generation:
        # With ``streaming=True`` callbacks see each token even under ``invoke``.
        if self.streaming or self.api == "run_thread":
            manager = run_manager if self.streaming else None
            return _merge(list(self._stream(prompt, stop, manager, **kwargs)))
        # ChatCompletions answers whole (``Stream: false``; the core streams only to enforce
        # ``max_tokens``).
        history, options = self._prepare(prompt, stop, kwargs)
        with map_errors():
            result = self._client.chat(history, options)
        return _merge(_text_chunks(result, options.model))

    async def _acomplete(
        self,
        prompt: str,
        stop: list[str] | None,
        run_manager: AsyncCallbackManagerForLLMRun | None,
        kwargs: Mapping[str, Any],
    ) -> Generation:
        if self.streaming or self.api == "run_thread":
            manager = run_manager if self.streaming else None
            return _merge([chunk async for chunk in self._astream(prompt, stop, manager, **kwargs)])
        history, options = self._prepare(prompt, stop, kwargs)
        with map_errors():
            result = await self._async_client.chat(history, options)
        return _merge(_text_chunks(result, options.model))

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return self._complete(prompt, stop, run_manager, kwargs).text

    async def _acall(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return (await self._acomplete(prompt, stop, run_manager, kwargs)).text

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        # Overridden (rather than relying on ``_call``) to keep finish reason, ids and usage.
        generations = [[self._complete(p, stop, run_manager, kwargs)] for p in prompts]
        output = llm_output([g.generation_info for (g,) in generations], self.model)
        return LLMResult(generations=generations, llm_output=output)

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        done = await asyncio.gather(
            *(self._acomplete(p, stop, run_manager, kwargs) for p in prompts)
        )
        generations = [[generation] for generation in done]
        output = llm_output([g.generation_info for (g,) in generations], self.model)
        return LLMResult(generations=generations, llm_output=output)
