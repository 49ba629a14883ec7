"""Fixtures for tests/core (helpers live in tests/support/fake_service.py; the clean environment
and ``sync`` come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.fake_service import FakeService, Harness, LoopbackServer


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def make_harness(sync: bool, service: FakeService) -> Callable[..., Harness]:
    def make(**kwargs: Any) -> Harness:
        return Harness(sync, service, **kwargs)

    return make


@pytest.fixture
def harness(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness()


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server
