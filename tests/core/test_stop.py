"""Client-side stop sequences: the emitted text is the text cut at the earliest stop."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hunyuan_api import TextDelta
from hunyuan_api._run.session import RunSession
from hunyuan_api._run.stop import StopCutter
from tests.support.fake_service import delta_frame, message_frame, run_frame, sse

_alphabet = st.sampled_from(list("abAB 混元😀\n"))
_texts = st.text(_alphabet, max_size=40)
_stops = st.lists(st.text(_alphabet, min_size=1, max_size=4), min_size=1, max_size=3)


def reference(text: str, stops: list[str]) -> tuple[str, int | None]:
    """Cut at the earliest occurrence of any stop sequence (None: no stop occurs)."""
    positions = [text.find(s) for s in stops if s in text]
    if not positions:
        return text, None
    cut = min(positions)
    return text[:cut], cut


@st.composite
def splits(draw: st.DrawFn, text: str) -> list[str]:
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=10))) | {0, len(text)})
    pieces = [text[a:b] for a, b in itertools.pairwise(cuts)]
    # empty deltas happen too
    return pieces + draw(st.lists(st.just(""), max_size=1))


@settings(max_examples=500, deadline=None)
@given(text=_texts, stops=_stops, data=st.data())
@example(text="xxab", stops=["ab", "b"], data=None)
@example(text="aab", stops=["ab"], data=None)
@example(text="abab", stops=["bb", "aba"], data=None)
@example(text="BAA", stops=["A", "BAA"], data=None)  # a longer stop starting earlier completes
@example(text="xBAy", stops=["A", "BAA"], data=None)  # ... or turns out not to
@example(text="BA", stops=["A", "BAA"], data=None)  # ... or the stream ends first
def test_cutter_matches_reference(text: str, stops: list[str], data: st.DataObject | None) -> None:
    pieces = data.draw(splits(text), label="pieces") if data is not None else list(text)
    cutter = StopCutter(stops)
    emitted = ""
    for piece in pieces:
        out = cutter.feed(piece)
        emitted += out
        # Never anything past the stop, at any moment.
        expected, cut = reference(text, stops)
        assert expected.startswith(emitted) or (cut is None and text.startswith(emitted))
    if cutter.matched is None:
        emitted += cutter.flush()
    expected, cut = reference(text, stops)
    assert emitted == expected
    if cut is None:
        assert cutter.matched is None
    else:
        assert cutter.matched in stops
        assert text[cut:].startswith(cutter.matched)
    # after a match, nothing more comes out
    if cutter.matched is not None:
        assert cutter.feed("anything") == ""


@settings(max_examples=300, deadline=None)
@given(text=_texts, stops=_stops, data=st.data())
def test_cutter_holds_back_only_possible_stop_prefixes(
    text: str, stops: list[str], data: st.DataObject
) -> None:
    """Without a match, what is held back is a proper prefix of some stop sequence (so text
    is released as early as it safely can be)."""
    cutter = StopCutter(stops)
    seen = ""
    emitted = ""
    for piece in data.draw(splits(text)):
        seen += piece
        emitted += cutter.feed(piece)
        if cutter.matched is not None:
            return
        held = seen[len(emitted) :]
        assert seen.startswith(emitted)
        assert held == "" or any(s.startswith(held) and len(held) < len(s) for s in stops)


def test_empty_stop_strings_are_ignored() -> None:
    cutter = StopCutter(["", "END"])
    assert cutter.feed("abc") == "abc"
    assert cutter.feed("xEN") == "x"
    assert cutter.feed("Dtail") == ""
    assert cutter.matched == "END"


# -- through a run session -----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(text=_texts.filter(bool), stops=_stops, data=st.data())
def test_session_cuts_the_stream_at_the_stop(
    text: str, stops: list[str], data: st.DataObject
) -> None:
    pieces = [p for p in data.draw(splits(text)) if p]
    frames = b"".join(
        [sse(run_frame("t", "in_progress"))]
        + [sse(delta_frame(p)) for p in pieces]
        + [sse(message_frame("t", text, "completed")), sse(run_frame("t", "completed"))]
    )
    session = RunSession(model="m", request_id="r", thread_id="t", stop=stops)
    events = []
    for i in range(0, len(frames), 7):
        events += session.feed(frames[i : i + 7])
        if session.done:
            break
    if not session.done:
        events += session.end()
    emitted = "".join(e.text for e in events if isinstance(e, TextDelta))
    expected, cut = reference(text, stops)
    assert emitted == expected
    result = session.result()
    assert result.text == expected
    if cut is None:
        assert result.finish_reason == "stop"
        assert result.stop_sequence is None
        assert session.cut is None
    else:
        assert session.done
        assert session.cut == "stop"
        assert result.finish_reason == "stop"
        assert result.stop_sequence in stops
