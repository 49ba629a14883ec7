"""Emulator settings and the default local credentials (a SecretId/SecretKey pair for the API 3.0
actions, an API key for the OpenAI-compatible endpoint)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .faults import DEFAULT_RATE_FAULTS, Fault

__all__ = [
    "EMULATOR_API_KEY",
    "EMULATOR_SECRET_ID",
    "EMULATOR_SECRET_KEY",
    "EmulatorCredential",
    "EmulatorSettings",
]

#: Local-only credentials; they sign requests for the emulator and nothing else.
EMULATOR_SECRET_ID = "AKIDhunyuanEmulator0000000000000000"
EMULATOR_SECRET_KEY = "hunyuan-emulator-secret-key"
#: Local-only API key for the OpenAI-compatible endpoint (``Authorization: Bearer ...``).
EMULATOR_API_KEY = "sk-hunyuan-emulator-0000000000000000"
# What a Bearer token can be and still travel in one header without quoting.
_API_KEY_RE = re.compile(r"[!-~]+")


@dataclass(frozen=True)
class EmulatorCredential:
    """One accepted SecretId/SecretKey pair; with ``token`` set, X-TC-Token must carry it."""

    secret_id: str
    secret_key: str
    token: str | None = None

    def __repr__(self) -> str:
        token = ", token='***'" if self.token else ""
        return f"EmulatorCredential(secret_id={self.secret_id!r}, secret_key='***'{token})"


def _default_credentials() -> tuple[EmulatorCredential, ...]:
    return (EmulatorCredential(EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY),)


@dataclass
class EmulatorSettings:
    """Everything that shapes the emulator's behaviour; every field has a usable default."""

    credentials: tuple[EmulatorCredential, ...] = field(default_factory=_default_credentials)
    #: Bearer keys the OpenAI-compatible endpoint accepts (kept out of repr).
    api_keys: tuple[str, ...] = field(default=(EMULATOR_API_KEY,), repr=False)
    #: Seconds before the first byte of every RunThread/ChatCompletions response.
    latency: float = 0.0
    #: Pace of streamed deltas; 0 streams as fast as the socket takes them.
    tokens_per_second: float = 0.0
    #: Model calls (RunThread, ChatCompletions, /v1/chat/completions) in flight per SecretId
    #: or API key.
    concurrency_limit: int = 5
    #: Seconds in the ``Retry-After`` header of the OpenAI-compatible endpoint's 429 answers.
    retry_after: int = 1
    #: Probability that a model call gets a fault drawn from ``rate_faults``.
    fault_rate: float = 0.0
    rate_faults: tuple[Fault, ...] = DEFAULT_RATE_FAULTS
    #: Seed of the RNG that decides rate faults; None draws a random seed.
    seed: int | None = None
    #: Threads kept (least recently used are forgotten first).
    max_threads: int = 10_000
    #: Server clock: thread/run timestamps and the 300 s signature window.
    clock: Callable[[], float] = time.time
    #: Merge frames produced back to back into one write (fewer, larger chunks).
    coalesce_chunks: bool = False
    #: uvicorn's HTTP/1.1 layer: "h11" (pure Python, strict about the wire; the default) or
    #: "httptools" (C, several times cheaper per write; the benchmarks use it so that a burst of
    #: streams waits on the client under test, not on the emulator's own HTTP layer).
    http: Literal["h11", "httptools"] = "h11"
    #: Requests remembered by ``state.requests``.
    max_logged_requests: int = 1_000
    #: Allowed distance between X-TC-Timestamp and the server clock.
    signature_window: int = 300

    def __post_init__(self) -> None:
        if not self.credentials:
            raise ValueError("at least one credential is required")
        if not self.api_keys or not all(_API_KEY_RE.fullmatch(k) for k in self.api_keys):
            raise ValueError("at least one API key is required, each printable ASCII, no spaces")
        if self.retry_after < 0:
            raise ValueError("retry_after must not be negative")
        if self.concurrency_limit < 1:
            raise ValueError("concurrency_limit must be at least 1")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within [0, 1]")
        if self.latency < 0 or self.tokens_per_second < 0:
            raise ValueError("latency and tokens_per_second must not be negative")
        if self.max_threads < 1:
            raise ValueError("max_threads must be at least 1")

    @property
    def primary(self) -> EmulatorCredential:
        return self.credentials[0]

    @property
    def api_key(self) -> str:
        """The first API key: the one handles and the start-up banner show."""
        return self.api_keys[0]
