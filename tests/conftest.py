"""Fixtures every test directory shares (helpers live in tests/support/).

Tests never see the developer's credentials, endpoint or proxies, except ``live``-marked ones,
which need them (tests/emulator and tests/bench opt out). The tests of a directory that talk to
the emulator share one for the session; it is reset (threads, log, queued replies, scripted
faults) and the process-wide thread ledger cleared before each test, so a test's request log
holds exactly the requests it caused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hunyuan_api import default_ledger
from tests.support.common import CREDENTIAL_ENV, on_emulator

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle
    from langchain_hunyuan import ChatHunyuan


@pytest.fixture(autouse=True)
def _clean_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline tests never see the developer's credentials, endpoint or proxies; live tests
    need them. Offline tests run with no thread reserve unless they ask for one."""
    if request.node.get_closest_marker("live") is not None:
        return
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    # Most tests assert the exact requests a call makes (CreateThread then RunThread, scripted
    # fakes answering in order); a reserve's background CreateThreads would interleave with them
    # at times no test controls. Those tests pin the reserve off here; the reserve's own tests
    # (tests/core/test_thread_reserve.py) turn it on explicitly, through the adapters too.
    monkeypatch.setenv("HUNYUAN_THREAD_RESERVE", "0")


@pytest.fixture(scope="session")
def _emulators() -> Iterator[Callable[[Path], EmulatorHandle]]:
    from hunyuan_emulator import run_emulator

    started: dict[Path, EmulatorHandle] = {}
    with ExitStack() as stack:

        def for_directory(directory: Path) -> EmulatorHandle:
            if directory not in started:
                started[directory] = stack.enter_context(run_emulator())
            return started[directory]

        yield for_directory


@pytest.fixture
def emulator(
    request: pytest.FixtureRequest, _emulators: Callable[[Path], EmulatorHandle]
) -> EmulatorHandle:
    """The session emulator of the test's directory, started on first use. Each directory has
    its own, so no directory meets another's threads or thread-ledger entries (the ledger is
    keyed by endpoint)."""
    return _emulators(request.path.parent)


@pytest.fixture
def emu(emulator: EmulatorHandle) -> EmulatorHandle:
    """The session emulator with no threads, log, queued replies or faults, and a thread ledger
    that remembers no thread, so each test's request log starts from a known state."""
    emulator.state.reset()
    default_ledger().clear()
    return emulator


@pytest.fixture(params=[True, False], ids=["sync", "async"])
def sync(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def make_chat(emu: EmulatorHandle) -> Callable[..., ChatHunyuan]:
    """A LangChain ``ChatHunyuan`` on the emulator (keyword arguments override)."""
    from langchain_hunyuan import ChatHunyuan

    return on_emulator(ChatHunyuan, emu)
