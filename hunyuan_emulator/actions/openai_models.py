"""``GET /v1/models``: the models ``/v1/chat/completions`` serves, in OpenAI's list format.

Each family shows its bare name, its ``-latest`` alias and the dated releases the catalog
names (``catalog.Family.names``); any other dated release of a family is served too.
"""

from __future__ import annotations

from typing import Any

from ..catalog import OPENAI_CHAT
from ..responses import BytesResponse
from .call import Call

__all__ = ["MODELS_CREATED", "list_models"]

#: The ``created`` of every listed model (2024-01-01T00:00:00Z): fixed, so lists compare equal.
MODELS_CREATED = 1_704_067_200


def _models() -> dict[str, Any]:
    listed = [
        {"id": name, "object": "model", "created": MODELS_CREATED, "owned_by": "tencent"}
        for name in OPENAI_CHAT.names()
    ]
    return {"object": "list", "data": listed}


async def list_models(call: Call) -> BytesResponse:
    return call.answer(call.action, _models)
