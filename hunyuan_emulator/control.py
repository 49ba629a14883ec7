"""A client for the emulator's ``/_emulator/`` control endpoints (``control_routes``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from .faults import Fault
from .replies import ReplyOrder, order_to_json

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["EmulatorControl"]


class EmulatorControl:
    """Mirrors ``EmulatorState``'s control methods for an emulator in another process."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/_emulator/", timeout=timeout, trust_env=False
        )

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        response = self._client.post(path, json=payload)
        if response.status_code != 200:
            raise ValueError(f"emulator control {path} failed: {response.text}")
        return response.json()

    def _get(self, path: str) -> Any:
        response = self._client.get(path)
        response.raise_for_status()
        return response.json()

    def health(self) -> bool:
        return bool(self._get("health").get("ok"))

    def queue_reply(self, **order: Unpack[ReplyOrder]) -> None:
        self._post("replies", order_to_json(order))

    def add_fault(
        self, fault: Fault | str, action: str | None = "RunThread", count: int = 1
    ) -> None:
        spec = fault.to_json() if isinstance(fault, Fault) else fault
        self._post("faults", {"fault": spec, "action": action, "count": count})

    def set_fault_rate(
        self, rate: float, faults: Sequence[Fault | str] | None = None, seed: int | None = None
    ) -> None:
        payload: dict[str, Any] = {"rate": rate, "seed": seed}
        if faults is not None:
            payload["faults"] = [f.to_json() if isinstance(f, Fault) else f for f in faults]
        self._post("fault-rate", payload)

    def requests(self) -> list[dict[str, Any]]:
        return list(self._get("requests")["requests"])

    def threads(self) -> list[dict[str, Any]]:
        return list(self._get("threads")["threads"])

    def stats(self) -> dict[str, Any]:
        return dict(self._get("stats"))

    def active_runs(self, secret_id: str | None = None) -> int:
        active: dict[str, int] = self.stats()["active_runs"]
        return sum(active.values()) if secret_id is None else active.get(secret_id, 0)

    @property
    def max_concurrent_seen(self) -> int:
        return int(self.stats()["max_concurrent_seen"])

    def expire_threads(self, empty_only: bool = True) -> list[str]:
        return list(self._post("expire-threads", {"empty_only": empty_only})["expired"])

    def reset(self) -> None:
        self._post("reset", {})

    def close(self) -> None:
        self._client.close()
