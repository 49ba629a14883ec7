"""The ``/_emulator/`` control endpoints: loopback clients only, unsigned, JSON in and out.

They are unsigned, so they guard against what a web page in a browser on the same machine could
do: a request must come from a loopback address, name a loopback ``Host`` (a DNS-rebound name
does not), and a POST must say ``Content-Type: application/json``, which no cross-site form or
``text/plain`` fetch can send without a CORS preflight, which is never answered.

``control.EmulatorControl`` is their client; each endpoint calls the ``EmulatorState`` method
of the same name, so the two stay one API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import Fault
from .replies import order_from_json
from .state import EmulatorState

__all__ = ["control_routes"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _host_name(host_header: str) -> str:
    """The host of a Host header, without its port (``[::1]:8765`` is ``::1``)."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def _refusal(request: Request, method: str) -> Response | None:
    client = request.client.host if request.client is not None else ""
    if client not in _LOOPBACK:
        return JSONResponse({"error": "control endpoints answer loopback clients only"}, 403)
    if _host_name(request.headers.get("host", "")).lower() not in _LOOPBACK:
        return JSONResponse({"error": "control endpoints answer a loopback Host only"}, 403)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if method == "POST" and content_type != "application/json":
        return JSONResponse({"error": "control endpoints take Content-Type: application/json"}, 415)
    return None


_Action = Callable[[dict[str, Any]], Any]


def _route(name: str, method: str, action: _Action) -> Route:
    async def endpoint(request: Request) -> Response:
        refused = _refusal(request, method)
        if refused is not None:
            return refused
        try:
            payload: dict[str, Any] = {}
            if method == "POST":
                raw = await request.body()
                payload = json.loads(raw) if raw else {}
                if not isinstance(payload, dict):
                    raise ValueError("the body must be a JSON object")
            return JSONResponse(action(payload))
        except (ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"error": str(exc)}, 400)

    return Route(f"/_emulator/{name}", endpoint, methods=[method])


def control_routes(state: EmulatorState) -> list[Route]:
    def threads(_: dict[str, Any]) -> Any:
        return {
            "threads": [
                {
                    **t.to_wire(),
                    "ActiveRun": t.active_run,
                    "Messages": [m.to_wire() for m in state.thread_messages(t.id)],
                }
                for t in state.threads.values()
            ]
        }

    def replies(p: dict[str, Any]) -> Any:
        state.queue_reply(**order_from_json(p))
        return {"ok": True}

    def faults(p: dict[str, Any]) -> Any:
        fault = Fault.from_json(p["fault"])
        state.add_fault(fault, action=p.get("action", "RunThread"), count=int(p.get("count", 1)))
        return {"ok": True, "fault": fault.to_json()}

    def fault_rate(p: dict[str, Any]) -> Any:
        faults = p.get("faults")
        state.set_fault_rate(
            float(p["rate"]),
            [Fault.from_json(f) for f in faults] if faults is not None else None,
            seed=p.get("seed"),
        )
        return {"ok": True}

    def expire_threads(p: dict[str, Any]) -> Any:
        return {"expired": state.expire_threads(bool(p.get("empty_only", True)))}

    def reset(_: dict[str, Any]) -> Any:
        state.reset()
        return {"ok": True}

    return [
        _route("health", "GET", lambda _: {"ok": True}),
        _route("requests", "GET", lambda _: {"requests": [r.to_json() for r in state.requests]}),
        _route("stats", "GET", lambda _: state.stats()),
        _route("threads", "GET", threads),
        _route("replies", "POST", replies),
        _route("faults", "POST", faults),
        _route("fault-rate", "POST", fault_rate),
        _route("expire-threads", "POST", expire_threads),
        _route("reset", "POST", reset),
    ]
