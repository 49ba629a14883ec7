"""Answers to retrieval prompts (context, then a question) from the context's own sentences."""

from __future__ import annotations

import re

from .tokens import has_cjk

__all__ = ["grounded_answer"]

# Retrieval prompts (LlamaIndex's QA/refine templates, most RAG chains) put the question on a
# line of its own after the context.
_QUESTION_RE = re.compile(r"^\s*(?:query|question|问题|查询)\s*[:：]\s*(.+?)\s*$", re.I | re.M)
_METADATA_RE = re.compile(r"^[A-Za-z_]+:\s")
_SENTENCE_RE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]|(?<=[^.])\.(?=\s|$))?")
# Characters and words too common to show that a sentence answers a question.
_STOP_CHARS = frozenset("的了是在和有吗呢吧么什哪里谁这那个一我你他她它们之与及其也都就")
_ENGLISH_STOP_WORDS = (
    "a an the is are was were be of in on at to for and or what which who where when how why "
    "does do did it its this that with from by as about please tell me"
)
_STOP_WORDS = frozenset(_ENGLISH_STOP_WORDS.split())


def _answer_terms(text: str) -> set[str]:
    terms = {c for c in text if has_cjk(c) and c not in _STOP_CHARS}
    terms |= {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP_WORDS}
    return terms


def grounded_answer(prompt: str) -> str | None:
    """For a context-then-question prompt: the context sentences that share the most terms with
    the question, so retrieval demos answer from their documents. None for other prompts."""
    matches = list(_QUESTION_RE.finditer(prompt))
    if not matches:
        return None
    question_match = matches[-1]
    question = question_match.group(1)
    context = prompt[: question_match.start()]
    wanted = _answer_terms(question)
    if not wanted or len(context.strip()) < 20:
        return None
    scored = []
    for order, match in enumerate(_SENTENCE_RE.finditer(context)):
        sentence = match.group(0).strip()
        if len(sentence) < 6 or sentence.startswith("#") or _METADATA_RE.match(sentence):
            continue  # headings and "file_path: ..." lines name documents, they don't answer
        score = len(wanted & _answer_terms(sentence))
        if score:
            scored.append((-score, order, sentence))
    if not scored:
        return None
    top = -min(scored)[0]
    best = [sentence for score, _, sentence in sorted(scored)[:2] if -score * 2 >= top]
    best.sort(key=lambda sentence: context.find(sentence))
    if has_cjk(question):
        return "根据提供的资料：" + "".join(best)
    return "From the provided context: " + " ".join(best)
