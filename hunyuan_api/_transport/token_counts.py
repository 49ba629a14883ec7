"""Sending a count's GetTokenCount requests concurrently: threads for the sync client, tasks for
the async one, at most ``MAX_COUNTS_IN_FLIGHT`` at once. Every request runs to its answer or its
error; what each means is ``_run.tokens.TokenPlan.settle``'s."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from .._errors import HunyuanError
from .._run.tokens import MAX_COUNTS_IN_FLIGHT, TokenPlan

__all__ = ["acount_plan", "count_plan"]


def count_plan(plan: TokenPlan, send: Callable[[str], int]) -> list[int]:
    """The plan's missing counts, on threads when there is more than one."""

    def attempt(text: str) -> int | HunyuanError:
        try:
            return send(text)
        except HunyuanError as exc:
            return exc

    missing = plan.missing
    if len(missing) <= 1:
        answers = [attempt(text) for text in missing]
    else:
        workers = min(MAX_COUNTS_IN_FLIGHT, len(missing))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hunyuan-count")
        try:
            answers = list(pool.map(attempt, missing))
        finally:
            # Interrupted: nothing more starts; running requests end within the timeout.
            pool.shutdown(wait=True, cancel_futures=True)
    return plan.settle_all(answers)


async def acount_plan(plan: TokenPlan, send: Callable[[str], Awaitable[int]]) -> list[int]:
    """The plan's missing counts as tasks; cancelling the count cancels every request (as
    ``gather`` does with what it waits for)."""
    gate = asyncio.Semaphore(MAX_COUNTS_IN_FLIGHT)

    async def attempt(text: str) -> int:
        async with gate:
            return await send(text)

    missing = plan.missing
    answers = await asyncio.gather(*(attempt(text) for text in missing), return_exceptions=True)
    for answer in answers:
        if not isinstance(answer, (int, HunyuanError)):
            raise answer  # not the service's answer: a bug, or an interrupt
    return plan.settle_all(answers)  # type: ignore[arg-type]  # narrowed just above
