"""The OpenAI-compatible endpoint's authentication: ``Authorization: Bearer <API key>``.

Failures are ``AuthFailure`` rule errors (HTTP 401 in that endpoint's dialect); no message
echoes the key, not even masked. A caller is known by its key's label, never the key itself:
that is what the request log (``RecordedRequest.secret_id``) and the concurrency counters show.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

from .errors import RuleError
from .state import EmulatorState

__all__ = ["key_label", "verify_bearer"]

# RFC 7235: the scheme is case-insensitive.
_BEARER_RE = re.compile(r"^bearer +([!-~]+)$", re.I)


def key_label(key: str) -> str:
    """``api-key:`` and the first 12 hex digits of the key's SHA-256."""
    return "api-key:" + hashlib.sha256(key.encode()).hexdigest()[:12]


def verify_bearer(headers: Mapping[str, str], state: EmulatorState) -> str:
    """The label of the API key the request carries, or the ``AuthFailure`` it earns."""
    raw = headers.get("authorization", "").strip()
    if not raw:
        raise RuleError(
            "AuthFailure.MissingApiKey",
            "You didn't provide an API key: send it as `Authorization: Bearer <API key>` "
            "(create one in the console under 混元大模型 → API KEY 管理).",
        )
    match = _BEARER_RE.match(raw)
    if match is None:
        raise RuleError(
            "AuthFailure.InvalidAuthorization",
            "The Authorization header must be `Bearer <API key>` (one key, no quotes).",
        )
    given = match.group(1).encode()
    # Every key is compared, so the time taken does not tell which prefix matched.
    known = [hmac.compare_digest(given, key.encode()) for key in state.settings.api_keys]
    if not any(known):
        raise RuleError(
            "AuthFailure.InvalidApiKey",
            "Incorrect API key provided; check it in the console under 混元大模型 → API KEY 管理.",
        )
    return key_label(match.group(1))
