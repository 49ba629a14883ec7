"""The benchmarks live in ``bench/`` at the repository root, outside the installed packages."""

from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True)
def _clean_env() -> None:
    """Replaces tests/conftest.py's: the benchmarks run in the environment as it is."""
