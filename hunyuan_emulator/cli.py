"""``hunyuan-emulator`` (or ``python -m hunyuan_emulator``): the emulator as a command (Ctrl-C
or SIGTERM stops it, exit code 0).

Argument parsing needs only the standard library, so without the ``emulator`` extra the command
still starts, and says in one line what to install.

Fault specs: ``[ACTION@]KIND[:ARG[,ARG...]]``, e.g. ``drop:3``,
``ChatCompletions@error:InternalError``, ``v1/chat/completions@error:LimitExceeded`` or
``error_frame:InternalError,error,2``; the action defaults to RunThread.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from .extra import missing_extra
from .faults import DEFAULT_RATE_FAULTS, Fault
from .settings import (
    EMULATOR_API_KEY,
    EMULATOR_SECRET_ID,
    EMULATOR_SECRET_KEY,
    EmulatorCredential,
    EmulatorSettings,
)

__all__ = ["build_parser", "main"]


def _credential(spec: str) -> EmulatorCredential:
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not all(parts[:2]):
        raise argparse.ArgumentTypeError("a credential is SECRET_ID:SECRET_KEY[:TOKEN]")
    return EmulatorCredential(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def _scripted(spec: str) -> tuple[str, Fault]:
    action, _, fault = spec.rpartition("@")
    try:
        return action or "RunThread", Fault.parse(fault)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fault(spec: str) -> Fault:
    try:
        return Fault.parse(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _repeatable(
    parser: argparse.ArgumentParser,
    flag: str,
    metavar: str,
    help: str,
    kind: Callable[[str], Any] = str,
) -> None:
    parser.add_argument(
        flag, action="append", type=kind, default=[], metavar=metavar, help=f"{help} (repeatable)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hunyuan-emulator",
        description="A local Hunyuan API (RunThread, threads, ChatCompletions, and the "
        "OpenAI-compatible /v1/chat/completions) for tests and benchmarks.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--secret-id", default=None, help=f"default {EMULATOR_SECRET_ID}")
    parser.add_argument("--secret-key", default=None, help=f"default {EMULATOR_SECRET_KEY}")
    parser.add_argument("--token", default=None, help="require this X-TC-Token")
    _repeatable(parser, "--credential", "ID:KEY[:TOKEN]", "accept this credential too", _credential)
    _repeatable(parser, "--api-key", "KEY", f"a Bearer key for /v1/ (default {EMULATOR_API_KEY})")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before the first byte")
    parser.add_argument("--tokens-per-second", type=float, default=0.0, help="0 = unlimited")
    parser.add_argument("--concurrency-limit", type=int, default=5, help="per SecretId or API key")
    parser.add_argument(
        "--retry-after", type=int, default=1, help="seconds in Retry-After of /v1/ 429 answers"
    )
    parser.add_argument("--fault-rate", type=float, default=0.0)
    _repeatable(
        parser,
        "--rate-fault",
        "KIND[:ARG]",
        "a fault --fault-rate picks from (default: transient errors, 502)",
        _fault,
    )
    _repeatable(
        parser,
        "--fault",
        "[ACTION@]KIND[:ARG]",
        "script a fault for the next request of ACTION (consumed in order)",
        _scripted,
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault RNG")
    parser.add_argument("--max-threads", type=int, default=10_000)
    parser.add_argument("--coalesce-chunks", action="store_true")
    parser.add_argument(
        "--http",
        choices=("h11", "httptools"),
        default="h11",
        help="uvicorn's HTTP/1.1 layer: h11 (strict, default) or httptools (faster)",
    )
    parser.add_argument("--log-level", default="warning")
    return parser


def _settings(args: argparse.Namespace) -> EmulatorSettings:
    credentials: list[EmulatorCredential] = []
    if args.secret_id or args.secret_key or args.token or not args.credential:
        credentials.append(
            EmulatorCredential(
                args.secret_id or EMULATOR_SECRET_ID,
                args.secret_key or EMULATOR_SECRET_KEY,
                args.token,
            )
        )
    credentials.extend(args.credential)
    return EmulatorSettings(
        credentials=tuple(credentials),
        api_keys=tuple(args.api_key) or (EMULATOR_API_KEY,),
        retry_after=args.retry_after,
        latency=args.latency,
        tokens_per_second=args.tokens_per_second,
        concurrency_limit=args.concurrency_limit,
        fault_rate=args.fault_rate,
        rate_faults=tuple(args.rate_fault) or DEFAULT_RATE_FAULTS,
        seed=args.seed,
        max_threads=args.max_threads,
        coalesce_chunks=args.coalesce_chunks,
        http=args.http,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Serves until SIGINT/SIGTERM (exit 0); 2 for bad arguments or a missing ``emulator`` extra."""
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = missing_extra()
    if problem is not None:
        print(f"{parser.prog}: {problem}", file=sys.stderr)
        return 2
    try:
        settings = _settings(args)
    except ValueError as exc:
        parser.error(str(exc))
    # Not at the top: importing the server needs the extra, which is checked just above.
    from .server import EmulatorServer

    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    server = EmulatorServer(settings, host=args.host, port=args.port)
    for action, fault in args.fault:
        server.state.add_fault(fault, action=action)

    def stop(signum: int, frame: FrameType | None) -> None:
        server.request_stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"Hunyuan emulator listening on {server.base_url}", flush=True)
    for credential in settings.credentials:
        token = f" Token: {credential.token}" if credential.token else ""
        print(
            f"SecretId: {credential.secret_id} SecretKey: {credential.secret_key}{token}",
            flush=True,
        )
    print(f"OpenAI-compatible base URL: {server.base_url}v1", flush=True)
    for key in settings.api_keys:
        print(f"API key: {key}", flush=True)
    asyncio.run(server.serve())
    return 0
