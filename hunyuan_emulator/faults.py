r"""Faults the emulator injects, and exactly which bytes each one puts on the wire.

A fault comes from the script (``state.add_fault(fault, action=..., count=...)``, consumed in
order by the next requests it applies to), from ``fault_rate`` (a seeded RNG picks one of
``rate_faults`` for a model call, ``MODEL_ACTIONS``), or from the CLI (``--fault``).

Kinds that only make sense inside an event stream (``error_frame``, ``drop``, ``truncate``,
``malformed``) apply only to streaming responses: a scripted one waits for the next streaming
request of its action instead of being spent on a JSON response.

Bytes per kind. ``<id>`` is the request id; RunThread streams always open with the preamble
``data: <run created>\n\n data: <run in_progress>\n\n data: <message in_progress>\n\n``;
ChatCompletions streams have no preamble. "after N" counts delta frames (text, reasoning or
tool-call fragments); when the reply has fewer deltas the fault fires after the last one,
before the completed message snapshot.

``error(code, message?)``
    Before anything else: ``HTTP/1.1 200``, ``Content-Type: application/json``,
    ``X-TC-RequestId: <id>``, body
    ``{"Response":{"Error":{"Code":"<code>","Message":"<message>"},"RequestId":"<id>"}}``.
    The message defaults to the code's documented one (``errors.message_for``).
``http_status(status)``
    ``HTTP/1.1 <status>``, ``Content-Type: text/html``, no X-TC-RequestId, body
    ``<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>``
    ``</body></html>\n`` (one line; status and reason phrase substituted, see
    ``http_status_body``).
``slow_first_byte(seconds)``
    Nothing at all (no status line, no headers) for ``seconds`` on top of the configured
    latency, then the normal response.
``error_frame(code, form, after)``
    The stream up to ``after`` deltas, then exactly one frame and a clean end of body
    (terminating chunk, no ``[DONE]``). RunThread, by ``form``:

    - ``run_failed``: ``data: <thread.run Status "failed", FailedAt, LastError
      {"Code":"<code>","Message":"<message>"}, Usage so far>\n\n``
    - ``error``: ``data: {"Error":{"Code":"<code>","Message":"<message>"}}\n\n``
    - ``error_msg``: ``data: {"ErrorMsg":{"Code":<int>,"Msg":"<message>"}}\n\n``, the Code being
      ``int(code)`` when the code is all digits, else 4000.

    ChatCompletions has only the ErrorMsg form, in its chunk envelope whatever ``form`` says:
    ``data: {"Id":"<id>","Created":<t>,"Note":"<note>","Choices":[],"ErrorMsg":{"Code":<int>,
    "Msg":"<message>"}}\n\n``.
``drop(after)``
    The stream up to ``after`` deltas, then the TCP connection is closed without the
    terminating zero-length chunk: the client sees an incomplete chunked body
    (``httpx.RemoteProtocolError``), never a clean end.
``truncate(after)``
    The stream up to ``after`` deltas, then a clean end of body: no terminal snapshot, no
    ``[DONE]``.
``malformed(after)``
    The stream up to ``after`` deltas, then ``MALFORMED_FRAME`` (a frame whose data is JSON cut
    short), then a clean end of body.

On the OpenAI-compatible endpoint (actions ``v1/chat/completions``, ``v1/embeddings``,
``v1/models``) the same faults answer in its shape: ``error`` is ``HTTP/1.1 <status>`` with
``X-Request-Id`` and body
``{"error":{"message","type","param","code"}}`` (status, type and code by
``openai_errors.ERROR_STATUS``; 429 ``rate_limit_exceeded`` adds ``Retry-After``);
``error_frame`` ends the stream with ``data: {"error":{...}}\n\n`` whatever ``form`` says;
``http_status``, ``slow_first_byte``, ``drop``, ``truncate`` and ``malformed`` are as above.
"""

from __future__ import annotations

import http
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast, get_args

__all__ = [
    "DEFAULT_RATE_FAULTS",
    "MALFORMED_FRAME",
    "MODEL_ACTIONS",
    "ErrorForm",
    "Fault",
    "FaultKind",
    "http_status_body",
]

FaultKind = Literal[
    "error", "error_frame", "drop", "truncate", "slow_first_byte", "malformed", "http_status"
]
ErrorForm = Literal["run_failed", "error", "error_msg"]

#: The actions that call the model: the only ones ``fault_rate`` draws faults for.
MODEL_ACTIONS = (
    "RunThread",
    "ChatCompletions",
    "v1/chat/completions",
    "GetEmbedding",
    "v1/embeddings",
)

_KINDS: tuple[str, ...] = get_args(FaultKind)
_FORMS: tuple[str, ...] = get_args(ErrorForm)
_STREAM_ONLY = frozenset({"error_frame", "drop", "truncate", "malformed"})

MALFORMED_FRAME = b'data: {"Object":"thread.message.delta","Delta":{"Content":\n\n'


def http_status_body(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    title = f"{status} {phrase}"
    return (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n".encode()
    )


@dataclass(frozen=True)
class Fault:
    """One injected failure. Build with the classmethods; ``Fault.parse("drop:3")`` for specs."""

    kind: FaultKind
    code: str = "InternalError"
    message: str | None = None
    form: ErrorForm = "run_failed"
    after: int = 0
    seconds: float = 0.0
    status: int = 502

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(_KINDS)}")
        if self.form not in _FORMS:
            raise ValueError(f"unknown error form {self.form!r}; known: {', '.join(_FORMS)}")
        if self.after < 0 or self.seconds < 0:
            raise ValueError("fault 'after' and 'seconds' must not be negative")
        if not 100 <= self.status <= 599:
            raise ValueError("fault HTTP status must be within 100..599")

    @classmethod
    def error(cls, code: str, message: str | None = None) -> Fault:
        return cls("error", code=code, message=message)

    @classmethod
    def error_frame(
        cls,
        code: str = "InternalError",
        form: ErrorForm = "run_failed",
        after: int = 0,
        message: str | None = None,
    ) -> Fault:
        return cls("error_frame", code=code, form=form, after=after, message=message)

    @classmethod
    def drop(cls, after: int = 0) -> Fault:
        return cls("drop", after=after)

    @classmethod
    def truncate(cls, after: int = 0) -> Fault:
        return cls("truncate", after=after)

    @classmethod
    def slow_first_byte(cls, seconds: float) -> Fault:
        return cls("slow_first_byte", seconds=seconds)

    @classmethod
    def malformed(cls, after: int = 0) -> Fault:
        return cls("malformed", after=after)

    @classmethod
    def http_status(cls, status: int = 502) -> Fault:
        return cls("http_status", status=status)

    @property
    def stream_only(self) -> bool:
        return self.kind in _STREAM_ONLY

    @property
    def spec(self) -> str:
        """The CLI form, ``KIND[:ARG[,ARG...]]``; ``Fault.parse(f.spec) == f`` up to messages."""
        if self.kind == "error":
            return f"error:{self.code}"
        if self.kind == "error_frame":
            return f"error_frame:{self.code},{self.form},{self.after}"
        if self.kind == "slow_first_byte":
            return f"slow_first_byte:{self.seconds:g}"
        if self.kind == "http_status":
            return f"http_status:{self.status}"
        return f"{self.kind}:{self.after}"

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``error:CODE``, ``error_frame:CODE[,FORM[,AFTER]]``, ``drop[:AFTER]``,
        ``truncate[:AFTER]``, ``malformed[:AFTER]``, ``slow_first_byte:SECONDS``,
        ``http_status[:STATUS]``."""
        kind, _, arg = spec.strip().partition(":")
        args = [a.strip() for a in arg.split(",")] if arg else []
        try:
            if kind == "error":
                if len(args) != 1 or not args[0]:
                    raise ValueError("error needs a code, e.g. error:InternalError")
                return cls.error(args[0])
            if kind == "error_frame":
                if len(args) > 3:
                    raise ValueError("error_frame takes CODE[,FORM[,AFTER]]")
                code = args[0] if args and args[0] else "InternalError"
                form = args[1] if len(args) > 1 else "run_failed"
                if form not in _FORMS:
                    raise ValueError(f"unknown error form {form!r}")
                after = int(args[2]) if len(args) > 2 else 0
                return cls.error_frame(code, cast(ErrorForm, form), after)
            if kind in ("drop", "truncate", "malformed"):
                if len(args) > 1:
                    raise ValueError(f"{kind} takes one argument, AFTER")
                return cls(cast(FaultKind, kind), after=int(args[0]) if args else 0)
            if kind == "slow_first_byte":
                if len(args) != 1:
                    raise ValueError("slow_first_byte needs SECONDS")
                return cls.slow_first_byte(float(args[0]))
            if kind == "http_status":
                if len(args) > 1:
                    raise ValueError("http_status takes one argument, STATUS")
                return cls.http_status(int(args[0]) if args else 502)
        except ValueError as exc:
            raise ValueError(f"bad fault spec {spec!r}: {exc}") from None
        raise ValueError(
            f"bad fault spec {spec!r}: unknown kind {kind!r}; known: {', '.join(_KINDS)}"
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """A spec string or the dict ``to_json`` produced (the HTTP control API takes both)."""
        if isinstance(data, str):
            return cls.parse(data)
        if not isinstance(data, dict):
            raise ValueError("a fault is a spec string or an object with a 'kind'")
        known = {"kind", "code", "message", "form", "after", "seconds", "status"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)


#: Transient failures before the stream: what a retrying client is expected to absorb.
DEFAULT_RATE_FAULTS: tuple[Fault, ...] = (
    Fault.error("FailedOperation.EngineServerError"),
    Fault.error("FailedOperation.EngineServerLimitExceeded"),
    Fault.http_status(502),
)
