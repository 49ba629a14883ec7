"""Sending a count's GetTokenCount requests concurrently: threads for the sync client, tasks for
the async one, at most ``MAX_COUNTS_IN_FLIGHT`` at once (what each answer or failure means is
``_run.tokens.TokenPlan``'s)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from .._errors import HunyuanError
from .._run.tokens import MAX_COUNTS_IN_FLIGHT, TokenPlan

__all__ = ["acount_plan", "count_plan"]


def count_plan(plan: TokenPlan, send: Callable[[str], int]) -> list[int]:
    """The plan's missing counts, on threads when there is more than one."""

    def one(text: str) -> None:
        try:
            count = send(text)
        except HunyuanError as exc:
            plan.failed(text, exc)
            return
        plan.answered(text, count)

    missing = plan.missing
    if len(missing) == 1:
        one(missing[0])
    elif missing:
        workers = min(MAX_COUNTS_IN_FLIGHT, len(missing))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hunyuan-count")
        try:
            for future in [pool.submit(one, text) for text in missing]:
                future.result()
        finally:
            # A failure (or an interrupt) starts nothing more; running requests end in the timeout.
            pool.shutdown(wait=True, cancel_futures=True)
    return plan.result()


async def acount_plan(plan: TokenPlan, send: Callable[[str], Awaitable[int]]) -> list[int]:
    """The plan's missing counts as tasks; cancelling the count cancels every request."""
    gate = asyncio.Semaphore(MAX_COUNTS_IN_FLIGHT)

    async def one(text: str) -> None:
        async with gate:
            try:
                count = await send(text)
            except HunyuanError as exc:
                plan.failed(text, exc)
                return
        plan.answered(text, count)

    tasks = [asyncio.ensure_future(one(text)) for text in plan.missing]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return plan.result()
