"""Search enhancement, deterministically: the "web" answers every query with the same three
sites, titled after the query, and ``cite`` puts citation marks (``[^1]``) after the sentences of
a reply, as Hunyuan's ``Citation`` does. The sites live under ``.invalid``, a domain that never
resolves, so nothing can mistake them for real pages."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from .tokens import has_cjk, snippet

__all__ = ["SearchResult", "cite", "search"]

# Sentences end at these marks, outside quotations; a Latin one only before a space or the end,
# so "3.5" and "example.com" are not sentence ends.
_CJK_ENDS = frozenset("。！？")
_LATIN_ENDS = frozenset(".!?")
_OPEN_QUOTES = {"「": "」", "『": "』", "“": "”"}

# (host, English site name and title, Chinese site name and title).
_SITES = (
    ("encyclopedia", "Emulator Encyclopedia", "{q}", "模拟百科", "{q}"),
    ("news", "Emulator News", "News about {q}", "模拟新闻", "关于「{q}」的新闻"),
    ("qa", "Emulator Q&A", "Questions and answers: {q}", "模拟问答", "{q} - 问答"),
)


@dataclass(frozen=True)
class SearchResult:
    """One search citation, with the fields of Tencent's ``SearchResult``: ``text`` is the
    site's name."""

    index: int
    title: str
    url: str
    text: str
    icon: str


def search(query: str) -> tuple[SearchResult, ...]:
    """What the web "finds" for ``query``: three results, in the query's language."""
    q = snippet(query, 40) or "…"
    chinese = has_cjk(query)
    results = []
    for index, (host, name, title, zh_name, zh_title) in enumerate(_SITES, 1):
        origin = f"https://{host}.emulator.invalid"
        results.append(
            SearchResult(
                index=index,
                title=(zh_title if chinese else title).format(q=q),
                url=f"{origin}/search?q={quote(q)}",
                text=zh_name if chinese else name,
                icon=f"{origin}/favicon.ico",
            )
        )
    return tuple(results)


def cite(text: str, results: Sequence[SearchResult]) -> str:
    """``text`` with a citation mark after each sentence, citing the results in turn."""
    if not results:
        return text
    turn = itertools.count()
    out: list[str] = []
    closing: list[str] = []  # the quotation marks that close the quotations open here
    for at, char in enumerate(text):
        out.append(char)
        if closing and char == closing[-1]:
            closing.pop()
        elif char in _OPEN_QUOTES:
            closing.append(_OPEN_QUOTES[char])
        elif char == '"':
            closing.append('"')
        elif not closing and (
            char in _CJK_ENDS
            or (char in _LATIN_ENDS and (at + 1 == len(text) or text[at + 1].isspace()))
        ):
            out.append(f"[^{results[next(turn) % len(results)].index}]")
    cited = "".join(out)
    # A reply without end punctuation still cites its first source, at its end.
    return cited if cited != text else f"{text}[^{results[0].index}]"
