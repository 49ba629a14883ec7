"""Helpers for tests/docs: where things are, and an environment without credentials."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Everything that could point the plugin at a real account or route it through a proxy.
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


def offline_env(**extra: str) -> dict[str, str]:
    """This process's environment minus credentials and proxies, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env
