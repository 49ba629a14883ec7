"""Fixtures of the production-pattern drills (cancellation, many event loops, fork)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hunyuan_api import default_ledger
from hunyuan_emulator import SpawnedEmulator, spawn_emulator


@pytest.fixture(scope="session")
def _drill_emulator() -> Iterator[SpawnedEmulator]:
    # Its own process, as the real service is: the client's timing is not shared with the
    # server's (a cancellation lands where it would in production), and forked workers never
    # inherit a server thread.
    with spawn_emulator(concurrency_limit=10_000, tokens_per_second=400) as spawned:
        yield spawned


@pytest.fixture
def drill(_drill_emulator: SpawnedEmulator) -> SpawnedEmulator:
    """One spawned emulator for every drill, reset before each test; streams are paced at 400
    pieces a second, so a reply of a few dozen pieces lasts long enough to be cut mid-stream."""
    _drill_emulator.control.reset()
    default_ledger().clear()
    return _drill_emulator
