"""When and how long to wait before trying a failed request again."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter. Which errors qualify is the errors' ``retryable``;
    the clients add the rule that nothing is retried once output reached the caller."""

    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    #: Fraction of each delay drawn at random, so synchronized clients spread out.
    jitter: float = 0.5

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        base = min(self.max_delay, self.initial_delay * self.multiplier**attempt)
        draw = (rng or random).random()
        return base * (1.0 - self.jitter * draw)
