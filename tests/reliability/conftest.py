"""Fixtures for tests/reliability: emulators on loopback, adapters pointed at them, fast retries.

Every test here talks to 127.0.0.1 only. The session emulator is reset (threads, log, queued
replies, scripted faults) and the process-wide thread ledger cleared before each test, so a
test's request log holds exactly the requests it caused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from hunyuan_api import default_ledger

if TYPE_CHECKING:
    from hunyuan_api.emulator import EmulatorHandle

CREDENTIAL_ENV = (
    "HUNYUAN_SECRET_ID",
    "HUNYUAN_SECRET_KEY",
    "HUNYUAN_API_KEY",
    "HUNYUAN_BASE_URL",
    "HUNYUAN_REGION",
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SESSION_TOKEN",
    "TENCENTCLOUD_REGION",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No reliability test depends on the developer's credentials, endpoint or proxies."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorHandle]:
    from hunyuan_api.emulator import run_emulator

    with run_emulator() as handle:
        yield handle


@pytest.fixture
def emu(emulator: EmulatorHandle) -> EmulatorHandle:
    """The session emulator with no threads, log, replies or faults; the ledger forgets all."""
    emulator.state.reset()
    default_ledger().clear()
    return emulator
