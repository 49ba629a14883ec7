"""What a newcomer runs (the demo, the notebooks, the README's blocks, the docstrings' examples)
runs here as they run it: with the default thread reserve, which the suite's root conftest turns
off for tests that count requests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _default_thread_reserve(_clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUNYUAN_THREAD_RESERVE", raising=False)
