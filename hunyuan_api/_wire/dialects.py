"""How to speak each API: where a request goes, what proves who sends it, the chat body, and
what an answer means. The flows ask the client's dialect and never branch on the API for these.

``tencent_cloud`` is API 3.0 (RunThread, ChatCompletions, GetTokenCount, ...): one URL, the action
in ``X-TC-Action``, TC3-signed, answers in a ``Response`` envelope. ``openai_compatible`` is the
endpoint the console API KEY opens: a path per action, a Bearer key, OpenAI's JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from .._errors import HunyuanError
from .._types import Message, RunOptions
from .bodies import API_VERSION, build_chat_completions_body
from .embeddings import GET_EMBEDDING, OPENAI_EMBEDDINGS, get_embedding_body, openai_embedding_body
from .frames import ChatCompletionChunk, Frame, error_in_response
from .openai import build_openai_chat_body, openai_error, parse_openai_response, request_id_of
from .responses import error_from_response, parse_json_response
from .signing import BearerAuth, TC3Auth

__all__ = ["Dialect", "openai_compatible", "tencent_cloud"]

Headers = Mapping[str, str]


@dataclass(frozen=True)
class Dialect:
    #: The action that answers a chat.
    chat_action: str
    auth: httpx.Auth
    url: Callable[[str], str]
    headers: Callable[[str], dict[str, str]]
    chat_body: Callable[..., dict[str, Any]]
    #: The JSON object of a successful answer; raises the typed error otherwise.
    parse_answer: Callable[[int, Headers, bytes], dict[str, Any]]
    #: The typed error of an answer that is not the expected success.
    error: Callable[[int, Headers, bytes], HunyuanError]
    request_id: Callable[[Headers], str | None]
    #: A whole non-stream chat answer, as the one frame a stream of it would end with.
    completion_frame: Callable[[dict[str, Any]], Frame]
    #: The action that embeds texts, and its body for (texts, model) (``_wire.embeddings``).
    embedding_action: str
    embedding_body: Callable[[Sequence[str], str], dict[str, Any]]

    def build_chat(
        self, history: Sequence[Message], options: RunOptions, *, stream: bool
    ) -> dict[str, Any]:
        return self.chat_body(history, options, stream=stream)


def _tencent_completion(response: dict[str, Any]) -> Frame:
    # ChatCompletions reports a model failure inside a 200 answer (ErrorMsg).
    return error_in_response(response) or ChatCompletionChunk.model_validate(response)


def tencent_cloud(url: str, auth: TC3Auth, *, region: str | None) -> Dialect:
    base = {"Content-Type": "application/json", "X-TC-Version": API_VERSION}
    if region:
        base["X-TC-Region"] = region
    return Dialect(
        chat_action="ChatCompletions",
        auth=auth,
        url=lambda action: url,
        headers=lambda action: {**base, "X-TC-Action": action},
        chat_body=build_chat_completions_body,
        parse_answer=parse_json_response,
        error=error_from_response,
        request_id=lambda headers: headers.get("x-tc-requestid"),
        completion_frame=_tencent_completion,
        embedding_action=GET_EMBEDDING,
        embedding_body=get_embedding_body,
    )


def openai_compatible(url: str, api_key: SecretStr) -> Dialect:
    return Dialect(
        chat_action="chat/completions",
        auth=BearerAuth(api_key),
        url=lambda action: f"{url}/{action}",
        headers=lambda action: {"Content-Type": "application/json"},
        chat_body=build_openai_chat_body,
        parse_answer=parse_openai_response,
        error=openai_error,
        request_id=request_id_of,
        completion_frame=ChatCompletionChunk.model_validate,
        embedding_action=OPENAI_EMBEDDINGS,
        embedding_body=openai_embedding_body,
    )
