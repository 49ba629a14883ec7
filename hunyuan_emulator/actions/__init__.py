"""The API actions, one module per family: each validates its request body (``schema`` specs,
then its own value rules) and answers through a ``Call``.

- ``threads``: CreateThread, GetThread, GetThreadMessageList, GetThreadMessage
- ``run_thread`` (frames: ``run_stream``): RunThread
- ``chat_completions`` (body and chunks: ``chat_answer``): ChatCompletions
- ``token_count``: GetTokenCount
- ``embeddings``: GetEmbedding and ``POST /v1/embeddings``
- ``openai_chat`` (body and chunks: ``openai_answer``): ``POST /v1/chat/completions``
- ``openai_models``: ``GET /v1/models``

``params`` holds what the model actions share (Model, Temperature/TopP, Tools); ``completion``
the flow of a stateless completion (ChatCompletions and ``/v1/chat/completions``). The ``/v1/``
actions are routed by path (``openai_routes.OPENAI_ACTIONS``), not by X-TC-Action.
"""

from __future__ import annotations

from .call import Call, Handler
from .chat_completions import chat_completions
from .embeddings import get_embedding
from .run_thread import run_thread
from .threads import create_thread, get_thread, get_thread_message, get_thread_message_list
from .token_count import get_token_count

__all__ = ["ACTIONS", "Call", "Handler"]

#: X-TC-Action → handler.
ACTIONS: dict[str, Handler] = {
    "CreateThread": create_thread,
    "GetThread": get_thread,
    "GetThreadMessageList": get_thread_message_list,
    "GetThreadMessage": get_thread_message,
    "GetTokenCount": get_token_count,
    "RunThread": run_thread,
    "ChatCompletions": chat_completions,
    "GetEmbedding": get_embedding,
}
