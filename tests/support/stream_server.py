"""A loopback HTTP server whose RunThread responses follow a script of timed writes, for the
edges of real streams: what comes after the terminal frame, heartbeats that never end, a frame
trickling in byte by byte. It records whether the client hung up while the server was still
writing, which is how a test tells "the client stopped reading" from "the server stopped".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tests.support.servers import ActionHandler, InBackground, http_server

#: One step of a script: bytes to write, then seconds to wait.
Step = tuple[bytes, float]
Script = Callable[[str], Sequence[Step]]


def heartbeats(every: float, for_seconds: float) -> list[Step]:
    """SSE comments, as services send to keep a connection open."""
    return [(b": ping\n", every)] * max(1, int(for_seconds / every))


def trickle(data: bytes, every: float) -> list[Step]:
    """``data`` one byte at a time."""
    return [(data[i : i + 1], every) for i in range(len(data))]


@dataclass
class Served:
    """What happened to one RunThread response."""

    hung_up: bool = False  # the client closed the connection while steps remained
    steps_written: int = 0
    ended: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float = 10.0) -> Served:
        """Until the server stopped writing (it notices a hang-up at its next write)."""
        assert self.ended.wait(timeout), "the server is still writing"
        return self


class StreamServer(InBackground):
    """``script(thread_id)`` gives the steps of each RunThread body (chunked encoding);
    CreateThread answers with a new thread."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.served: list[Served] = []
        #: Connections accepted (a handler serves one connection, however many requests).
        self.connections = 0
        owner = self

        class Handler(ActionHandler):
            def setup(self) -> None:
                owner.connections += 1
                super().setup()

            def run_thread(self, thread_id: str, n: int) -> None:
                served = Served()
                owner.served.append(served)
                self.start_stream(n)
                try:
                    for data, pause in owner.script(thread_id):
                        self.chunk(data)
                        served.steps_written += 1
                        time.sleep(pause)
                    self.end_stream()
                except OSError:
                    served.hung_up = True
                    self.close_connection = True
                served.ended.set()

        self._serve(http_server(Handler))
        self.url = f"http://127.0.0.1:{self.port}"
