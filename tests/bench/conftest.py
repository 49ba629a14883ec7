"""The benchmarks live in ``bench/`` at the repository root, outside the installed packages."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean_env() -> None:
    """Replaces tests/conftest.py's: the benchmarks run in the environment as it is."""
