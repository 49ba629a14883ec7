"""Fixtures for tests/docs: the README, the demo and the notebooks run as a newcomer runs them."""

from __future__ import annotations

import pytest
from docs_support import CREDENTIAL_ENV


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never the developer's credentials: everything here runs against the emulator."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
