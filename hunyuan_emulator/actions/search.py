"""Search enhancement on a stateless chat (ChatCompletions and ``/v1/chat/completions``), as
Tencent's SDK documents the request fields:

- ``EnableEnhancement`` (default off) lets the model search; ``ForceSearchEnhancement`` makes it
  search. The emulator's model searches whenever either is on, except ``hunyuan-lite``, which
  has no enhancement ("该参数对 hunyuan-lite 版本不生效").
- ``SearchInfo`` (default false): "在值为true且命中搜索时，接口会返回SearchInfo" — the results
  come back only when asked for and when a search ran.
- ``Citation`` (default off): the reply's sentences get citation marks (``[^1]``) pointing at the
  results, whenever a search ran.
- ``EnableSpeedSearch`` is accepted; the emulator's search is as fast either way.

On the OpenAI-compatible endpoint the same fields go by their snake_case names, and so do the
keys of the returned ``search_info``. The results travel in the response body beside
``Choices``, and in a stream on its first chunk (the search runs before the model writes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..catalog import Family
from ..frames import dumps
from ..model import ConvMessage, SearchResult, search

__all__ = ["SearchPlan", "plan_search", "with_search_info"]


def _pascal(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


@dataclass(frozen=True)
class SearchPlan:
    """A search that ran: its results, whether to return them, whether to cite them."""

    results: tuple[SearchResult, ...]
    returned: bool
    cited: bool

    def info(self, *, pascal: bool) -> dict[str, Any]:
        """``SearchInfo`` (PascalCase, API 3.0) or ``search_info`` (snake_case)."""
        results = [asdict(result) for result in self.results]
        if pascal:
            results = [{_pascal(k): v for k, v in result.items()} for result in results]
            return {"SearchResults": results}
        return {"search_results": results}


def plan_search(
    body: dict[str, Any], family: Family, messages: list[ConvMessage], *, pascal: bool
) -> SearchPlan | None:
    """The search a request asks for (fields named in ``pascal`` or snake case); None when no
    search runs."""

    def flag(name: str) -> bool:
        return body.get(_pascal(name) if pascal else name) is True

    if not (flag("enable_enhancement") or flag("force_search_enhancement")):
        return None
    if not family.enhancement:
        return None
    query = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return SearchPlan(search(query), returned=flag("search_info"), cited=flag("citation"))


def with_search_info(chunk: bytes, key: str, info: dict[str, Any]) -> bytes:
    """A ``data: {...}`` stream frame with ``key: info`` added to its object."""
    head = b"data: {"
    assert chunk.startswith(head)
    return head + f"{dumps(key)}:{dumps(info)},".encode() + chunk[len(head) :]
