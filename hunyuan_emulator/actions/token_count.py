"""GetTokenCount: ``{"Prompt"}`` → ``TokenCount``, ``CharacterCount`` and ``Tokens``, by the
tokenizer the deterministic model's usage counts with (``model.split_pieces``: a CJK
character, a word or a punctuation mark each)."""

from __future__ import annotations

from typing import Any

from ..model import split_pieces
from ..responses import BytesResponse
from ..schema import STRING, check, invalid, obj, required
from .call import Call

__all__ = ["get_token_count", "validate_get_token_count"]

_GET_TOKEN_COUNT = obj(Prompt=required(STRING))


def validate_get_token_count(body: dict[str, Any]) -> str:
    check(body, _GET_TOKEN_COUNT)
    prompt = str(body["Prompt"])
    if not prompt:
        raise invalid("Prompt", "the text to count must not be empty.")
    return prompt


async def get_token_count(call: Call) -> BytesResponse:
    prompt = validate_get_token_count(call.body)

    def counted() -> dict[str, Any]:
        tokens = [piece for piece in split_pieces(prompt) if not piece.isspace()]
        return {"TokenCount": len(tokens), "CharacterCount": len(prompt), "Tokens": tokens}

    return call.answer("GetTokenCount", counted)
