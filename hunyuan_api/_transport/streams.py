"""Stream objects: what ``stream_chat`` returns. Iterate for events; ``close()`` (or leaving a
``with`` block) stops the run at once, releasing its connection and its thread claim."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from types import TracebackType
from typing import cast

from typing_extensions import Self

from .._errors import PartialOutput
from .._run.flows import RunState
from .._types import StreamEvent

__all__ = ["AsyncRunStream", "RunStream"]


class _StreamBase:
    __slots__ = ("_state",)

    def __init__(self, state: RunState) -> None:
        self._state = state

    def partial(self) -> PartialOutput:
        """What the caller has received so far: text, reasoning and tool calls (accumulated by
        the core, so adapters that show a growing message need not re-assemble deltas)."""
        return self._state.partial()


class RunStream(_StreamBase):
    """A streamed run (sync)."""

    __slots__ = ("_events",)

    def __init__(self, events: Generator[object, None, None], state: RunState) -> None:
        super().__init__(state)
        self._events = events

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> StreamEvent:
        return cast("StreamEvent", next(self._events))

    def close(self) -> None:
        self._events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncRunStream(_StreamBase):
    """A streamed run (async)."""

    __slots__ = ("_events",)

    def __init__(self, events: AsyncGenerator[object, None], state: RunState) -> None:
        super().__init__(state)
        self._events = events

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> StreamEvent:
        return cast("StreamEvent", await self._events.__anext__())

    async def aclose(self) -> None:
        await self._events.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
