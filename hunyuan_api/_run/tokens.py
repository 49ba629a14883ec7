"""Token counting without a request per count: which texts a count needs from the service
(``TokenPlan``), the counts a client remembers (``TokenCountCache``), what happens when the service
cannot be reached (``TokenPlan.settle``, the one place that decides), and the estimate used where
no tokenizer is reachable.

The estimate: Hunyuan's tokenizer spends about one token per CJK character and about one per four
characters of other text; the estimate rounds up so that trimming to it errs on the safe side.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Literal

from .._errors import APIConnectionError, HunyuanError, ServerError

__all__ = [
    "MAX_COUNTS_IN_FLIGHT",
    "TokenCountCache",
    "TokenCounting",
    "TokenPlan",
    "estimate_tokens",
]

#: ``service``: Hunyuan's tokenizer (GetTokenCount) where the API has it, and a failure to reach
#: it raises; ``service_or_estimate``: the same, with the estimate for texts the service could
#: not be asked about; ``estimate``: never a request.
TokenCounting = Literal["service", "service_or_estimate", "estimate"]

#: GetTokenCount requests one count sends at once (a trim of a long history is a few dozen
#: distinct messages; more in flight would only meet the account's rate limit sooner).
MAX_COUNTS_IN_FLIGHT = 8


_OFFLINE_HINT = (
    "token counts come from Hunyuan's GetTokenCount: to count offline, set "
    "token_counting='service_or_estimate' (estimate when the service is out of reach) or "
    "'estimate' (never ask)"
)


#: Characters Hunyuan's tokenizer spends about one token on. A compiled class, not a test per
#: character: ``trim_messages`` re-estimates growing sublists of a history, so this runs often.
_WIDE = re.compile(
    "["
    "\u3000-\u9fff"  # CJK punctuation, kana, unified ideographs
    "\uac00-\ud7af"  # Hangul
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff00-\uffef"  # full-width forms
    "\U00020000-\U0002ffff"  # CJK extensions
    "]"
)


def estimate_tokens(text: str) -> int:
    wide = len(_WIDE.findall(text))
    narrow = len(text) - wide
    return wide + -(-narrow // 4)


class TokenCountCache:
    """The service's counts of texts a client has counted, least recently used dropped first.

    Owned by one client (so by one endpoint and credential; GetTokenCount takes no model, its
    tokenizer is the service's). Keys are digests of the text: the cache holds neither the
    conversations it counted nor anything secret, and its size does not grow with theirs."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._counts: OrderedDict[bytes, int] = OrderedDict()
        self._lock = threading.Lock()
        self._pid = os.getpid()

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def _guard(self) -> threading.Lock:
        if self._pid != os.getpid():
            # Forked: a parent thread may have held the lock at the fork; the counts stay true.
            self._lock, self._pid = threading.Lock(), os.getpid()
        return self._lock

    def get(self, text: str) -> int | None:
        key = self._key(text)
        with self._guard():
            count = self._counts.get(key)
            if count is not None:
                self._counts.move_to_end(key)
            return count

    def put(self, text: str, count: int) -> None:
        key = self._key(text)
        with self._guard():
            self._counts[key] = count
            self._counts.move_to_end(key)
            while len(self._counts) > self.size:
                self._counts.popitem(last=False)

    def __len__(self) -> int:
        return len(self._counts)


class TokenPlan:
    """One count of ``texts``: each distinct text is counted once, from the cache when it can be;
    ``missing`` are the texts to ask the service about (one GetTokenCount request each, since a
    request counts one ``Prompt`` and tokens merge across any boundary drawn inside it)."""

    def __init__(
        self, texts: Iterable[str], cache: TokenCountCache, *, mode: TokenCounting, service: bool
    ) -> None:
        self.texts = list(texts)
        self.cache = cache
        self.mode = mode
        self.counts: dict[str, int] = {}
        self.missing: list[str] = []
        ask = service and mode != "estimate"
        for text in dict.fromkeys(self.texts):
            cached = cache.get(text) if ask and text else None
            if cached is not None:
                self.counts[text] = cached
            elif ask and text:
                self.missing.append(text)
            else:
                # Nothing to count, or no tokenizer to ask (the setting, or an API without one).
                self.counts[text] = estimate_tokens(text)

    def settle(self, text: str, answer: int | HunyuanError) -> None:
        """The service's count of ``text``, remembered; or its failure to count it, which is
        estimated (not remembered, so the next count asks again) when the setting allows and
        the service was out of reach, and raised otherwise."""
        if isinstance(answer, int):
            self.counts[text] = answer
            self.cache.put(text, answer)
            return
        error = answer
        unreachable = isinstance(error, (APIConnectionError, ServerError))
        if unreachable and self.mode == "service_or_estimate":
            self.counts[text] = estimate_tokens(text)
            return
        if unreachable:
            # In the message itself, so that every wrapper of the error (the adapters') shows it.
            error.message = f"{error.message}; {_OFFLINE_HINT}"
            error.args = (error.message,)
        raise error

    def settle_all(self, answers: Sequence[int | HunyuanError]) -> list[int]:
        """The answers to ``missing``, in its order, counts first: a failed request never costs
        the counts that arrived beside it (they are remembered before its error is raised)."""
        pairs = list(zip(self.missing, answers, strict=True))
        for text, answer in sorted(pairs, key=lambda pair: not isinstance(pair[1], int)):
            self.settle(text, answer)
        return self.result()

    def result(self) -> list[int]:
        return [self.counts[text] for text in self.texts]
