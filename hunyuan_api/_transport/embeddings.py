"""Sending an embedding call's requests concurrently: threads for the sync client, tasks for the
async one, both bounded by the client's gate (what each request means, and what the call
returns or raises, is ``_run.embeddings.EmbeddingJob``'s)."""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from .._errors import HunyuanError
from .._run.embeddings import EmbeddingJob
from .._types import EmbeddingResult
from .._wire.embeddings import EmbeddingBatch

__all__ = ["EmbeddingGates", "arun_embedding_job", "run_embedding_job"]

SendBatch = Callable[[list[str]], EmbeddingBatch]
ASendBatch = Callable[[list[str]], Awaitable[EmbeddingBatch]]


class EmbeddingGates:
    """The semaphores that bound one client's embedding requests in flight, shared by all its
    calls (LlamaIndex's async batching runs many calls at once): one per limit for threads, and
    one per limit on each event loop."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._threads: dict[int, threading.BoundedSemaphore] = {}
        self._loops: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    def for_threads(self, limit: int) -> threading.BoundedSemaphore:
        if self._pid != os.getpid():
            # Forked: a slot a parent thread held at the fork would never be given back here.
            self.__init__()  # type: ignore[misc]
        with self._lock:
            gate = self._threads.get(limit)
            if gate is None:
                gate = self._threads[limit] = threading.BoundedSemaphore(limit)
            return gate

    def for_loop(self, limit: int) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        with self._lock:
            gates = self._loops.setdefault(loop, {})
            gate = gates.get(limit)
            if gate is None:
                gate = gates[limit] = asyncio.Semaphore(limit)
            return gate


def run_embedding_job(
    job: EmbeddingJob, send: SendBatch, gate: threading.BoundedSemaphore
) -> EmbeddingResult:
    """The job's requests on up to ``max_concurrency`` threads (none for a single request).
    A failure is recorded by the thread that met it, before that thread takes the next request;
    answers are recorded by the calling thread (so progress is reported there)."""
    lock = threading.Lock()

    def one(index: int, texts: list[str]) -> EmbeddingBatch | None:
        with gate:
            with lock:
                if not job.should_send(index):
                    return None
            try:
                return send(texts)
            except HunyuanError as exc:
                with lock:
                    job.failed(index, exc)
                return None

    batches = job.batches
    if len(batches) <= 1:
        for index, texts in enumerate(batches):
            batch = one(index, texts)
            if batch is not None:
                job.done(index, batch)
        return job.result()
    workers = min(job.options.max_concurrency, len(batches))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hunyuan-embed")
    try:
        # Submitted in order, started in order: a failure stops only the requests after it.
        futures: dict[Future[EmbeddingBatch | None], int] = {
            pool.submit(one, index, texts): index for index, texts in enumerate(batches)
        }
        for future in as_completed(futures):
            batch = future.result()
            if batch is not None:
                job.done(futures[future], batch)
    finally:
        # Interrupted (or a bug): nothing more starts; running requests end within the timeout.
        pool.shutdown(wait=True, cancel_futures=True)
    return job.result()


async def arun_embedding_job(
    job: EmbeddingJob, send: ASendBatch, gate: asyncio.Semaphore
) -> EmbeddingResult:
    """The job's requests as tasks, ``gate`` letting ``max_concurrency`` of them (and of the
    client's other calls) run at once; cancelling the call cancels every request."""

    async def one(index: int, texts: list[str]) -> None:
        async with gate:
            if not job.should_send(index):
                return
            try:
                batch = await send(texts)
            except HunyuanError as exc:
                job.failed(index, exc)
                return
        job.done(index, batch)

    if len(job.batches) <= 1:
        for index, texts in enumerate(job.batches):
            await one(index, texts)
        return job.result()
    # Created in order, so they take the gate in order (asyncio's semaphore is first come,
    # first served).
    tasks = [asyncio.ensure_future(one(i, texts)) for i, texts in enumerate(job.batches)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return job.result()
