"""Helpers for tests/docs, where the README, the demo and the notebooks run as a newcomer runs
them: where things are, and an environment without credentials."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.common import CREDENTIAL_ENV

ROOT = Path(__file__).resolve().parents[2]


def offline_env(**extra: str) -> dict[str, str]:
    """This process's environment minus credentials and proxies, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env
