"""Fixtures for tests/core (helpers live in core_support.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from core_support import FakeService, Harness, LoopbackServer

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
    """No test in tests/core may depend on the developer's credentials or endpoint."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=[True, False], ids=["sync", "async"])
def sync(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


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
