"""The SSE decoder: chunking never changes the events, and each Tolerance rule holds."""

from __future__ import annotations

import codecs
import contextlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx_sse._decoders as httpx_sse_decoders
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hunyuan_api import StreamError
from hunyuan_api._wire.sse import (
    MAX_FRAME_BYTES,
    ServerSentEvent,
    SSEDecoder,
)

SETTINGS = settings(max_examples=300, deadline=None)

# Field values: anything but line breaks (multi-byte UTF-8 included), no surrogates.
_value = st.text(
    st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=12
)
_ascii_value = st.text(st.sampled_from("abc:xyz 0 é混😀"), max_size=8)
_values = st.one_of(_value, _ascii_value)


@dataclass
class Spec:
    """One intended event: the lines that encode it, and what the decoder must report."""

    lines: list[str]
    event: str
    data: str
    id_after: str | None  # the id field carried by this event, None if it has none
    retry_after: str | None


@st.composite
def event_specs(draw: st.DrawFn, *, with_retry: bool = True, with_id_nul: bool = True) -> Spec:
    lines: list[str] = []
    name = draw(st.none() | _values)
    ident = draw(st.none() | _values | (st.just("bad\x00id") if with_id_nul else st.nothing()))
    retry = draw(
        st.none()
        | (
            st.integers(0, 10**6).map(str) | st.sampled_from(["", "12a", "-5", " 7", "1.5", "٣"])
            if with_retry
            else st.nothing()
        )
    )
    data = draw(st.lists(_values, min_size=1, max_size=3))
    fields: list[tuple[str, str]] = []  # (data value or "", line)
    for value in data:
        if value.startswith(" ") or draw(st.booleans()):
            fields.append((value, "data: " + value))
        elif value == "" and draw(st.booleans()):
            fields.append((value, "data"))  # a bare field name: data is ""
        else:
            fields.append((value, "data:" + value))
    others = []
    if name is not None:
        others.append("event: " + name)
    if ident is not None:
        others.append("id: " + ident)
    if retry is not None:
        others.append("retry: " + retry)
    # data lines keep their order; the other fields go anywhere among them
    order = draw(st.permutations([*range(len(fields)), *(-1 - i for i in range(len(others)))]))
    data_positions = iter(sorted(i for i in order if i >= 0))
    for slot in order:
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from([": ping", ":", ": 心跳 ♥"])))
        if draw(st.integers(0, 6)) == 0:
            lines.append("unknown: ignored")
        lines.append(fields[next(data_positions)][1] if slot >= 0 else others[-1 - slot])
    lines.append("")
    return Spec(
        lines=lines,
        event=name or "message",
        data="\n".join(data),
        id_after=ident,
        retry_after=retry,
    )


def expected_events(specs: list[Spec]) -> list[ServerSentEvent]:
    """The WHATWG model: ``id`` and ``retry`` persist; a NUL id, a non-digit retry: ignored."""
    last_id = ""
    retry: int | None = None
    out = []
    for spec in specs:
        if spec.id_after is not None and "\x00" not in spec.id_after:
            last_id = spec.id_after
        if (
            spec.retry_after is not None
            and spec.retry_after.isascii()
            and spec.retry_after.isdigit()
        ):
            retry = int(spec.retry_after)
        out.append(ServerSentEvent(spec.event, spec.data, last_id, retry))
    return out


def encode(specs: list[Spec], newline: str) -> bytes:
    return "".join(line + newline for spec in specs for line in spec.lines).encode("utf-8")


def decode_chunks(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(raw), *cuts})
    return [raw[a:b] for a, b in itertools.pairwise(points)]


@st.composite
def split_points(draw: st.DrawFn, raw: bytes) -> list[int]:
    """Anywhere, plus the nastiest spots: inside multi-byte characters and between CR and LF."""
    cuts = draw(st.lists(st.integers(0, len(raw)), max_size=12))
    nasty = [
        i for i in range(1, len(raw)) if raw[i] & 0xC0 == 0x80 or raw[i - 1 : i + 1] == b"\r\n"
    ]
    if nasty:
        cuts += draw(st.lists(st.sampled_from(nasty), max_size=6))
    return cuts


@SETTINGS
@given(
    specs=st.lists(event_specs(), max_size=6),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    data=st.data(),
)
def test_any_chunking_yields_the_intended_events(
    specs: list[Spec], newline: str, data: st.DataObject
) -> None:
    raw = encode(specs, newline)
    whole = decode_chunks([raw])
    assert whole == expected_events(specs)
    cuts = data.draw(split_points(raw), label="cuts")
    assert decode_chunks(split(raw, cuts)) == whole
    # byte at a time, the worst case
    assert decode_chunks([raw[i : i + 1] for i in range(len(raw))]) == whole


@SETTINGS
@given(specs=st.lists(event_specs(), max_size=6), data=st.data())
def test_a_chunk_per_line_or_frame_yields_the_same_events(
    specs: list[Spec], data: st.DataObject
) -> None:
    """How a service writes: one frame (or one line) per chunk. A chunk that is exactly one
    ``data:`` frame takes the decoder's shortcut; the events are those of the whole stream."""
    raw = encode(specs, "\n")
    whole = decode_chunks([raw])
    ends = [i + 2 for i in range(len(raw) - 1) if raw[i : i + 2] == b"\n\n"]
    assert decode_chunks(split(raw, ends)) == whole
    lines = [i + 1 for i in range(len(raw)) if raw[i : i + 1] == b"\n"]
    assert decode_chunks(split(raw, lines)) == whole
    bad = data.draw(st.sampled_from([b"data: caf\xc3(\n\n", b"data: ok\r\n\r\n"]))
    for errors in ("replace", "strict"):
        outcomes = []
        for chunks in ([raw + bad], [*split(raw, ends), bad]):
            decoder = SSEDecoder(errors=errors)  # type: ignore[arg-type]
            got: list[ServerSentEvent] = []
            with contextlib.suppress(StreamError):
                for chunk in chunks:
                    got += decoder.feed(chunk)
            outcomes.append((got, decoder.error.code if decoder.error else None))
        assert outcomes[0] == outcomes[1]
        assert (outcomes[0][1] is not None) == (errors == "strict" and b"\xc3" in bad)


def _httpx_sse_events(chunks: list[bytes]) -> list[tuple[str, str, str]]:
    """httpx-sse's own pipeline: incremental UTF-8 text, its line decoder, its event decoder."""
    text_decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines_decoder = httpx_sse_decoders.SSELineDecoder()
    decoder = httpx_sse_decoders.SSEDecoder()
    out = []

    def take(lines: list[str]) -> None:
        for line in lines:
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                out.append((sse.event, sse.data, sse.id))

    for chunk in chunks:
        text = text_decoder.decode(chunk)
        if text:
            take(lines_decoder.decode(text))
    take(lines_decoder.flush())
    return out


@SETTINGS
@given(
    specs=st.lists(event_specs(with_retry=False), max_size=6),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    data=st.data(),
)
def test_agrees_with_httpx_sse(specs: list[Spec], newline: str, data: st.DataObject) -> None:
    """Where the two should agree (every event has data and ends with a blank line; no retry,
    which httpx-sse resets per event), they report the same events."""
    raw = encode(specs, newline)
    chunks = split(raw, data.draw(split_points(raw), label="cuts"))
    ours = [(e.event, e.data, e.id) for e in decode_chunks(chunks)]
    assert ours == _httpx_sse_events(chunks)


# -- one test per Tolerance rule -----------------------------------------------------------


def test_frames_with_and_without_event_lines() -> None:
    events = decode_chunks([b'data: {"a":1}\n\nevent: thread.run\ndata: {"b":2}\n\n'])
    assert [(e.event, e.data) for e in events] == [
        ("message", '{"a":1}'),
        ("thread.run", '{"b":2}'),
    ]


def test_event_name_does_not_leak_into_the_next_event() -> None:
    events = decode_chunks([b"event: error\ndata: x\n\ndata: y\n\n"])
    assert [e.event for e in events] == ["error", "message"]


def test_comment_lines_are_heartbeats_only() -> None:
    events = decode_chunks([b": ping\n\n: ping\ndata: a\n: ping\ndata: b\n\n:\n\n"])
    assert [e.data for e in events] == ["a\nb"]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode_chunks([b"\n\n\r\n\r\revent: x\n\nid: 5\n\n"]) == []


def test_id_field_persists_and_nul_id_is_ignored() -> None:
    events = decode_chunks([b"id: 1\ndata: a\n\ndata: b\n\nid: 2\x003\ndata: c\n\nid\ndata: d\n\n"])
    assert [(e.data, e.id) for e in events] == [("a", "1"), ("b", "1"), ("c", "1"), ("d", "")]


def test_retry_field_sets_retry_and_bad_values_are_ignored() -> None:
    events = decode_chunks(
        [
            b"retry: 3000\ndata: a\n\nretry: soon\ndata: b\n\n"
            b"retry: -1\ndata: c\n\nretry:15\ndata: d\n\n"
        ]
    )
    assert [(e.data, e.retry) for e in events] == [
        ("a", 3000),
        ("b", 3000),
        ("c", 3000),
        ("d", 15),
    ]


def test_multi_line_data_joins_with_newlines() -> None:
    events = decode_chunks([b'data: {"a":\ndata:  1}\ndata:\n\n'])
    assert events[0].data == '{"a":\n 1}\n'


def test_line_endings_lf_crlf_cr_are_equivalent() -> None:
    body = ["event: e", "id: 7", "data: 混元", "data: 😀", ""]
    results = [
        decode_chunks(["".join(line + nl for line in body).encode()]) for nl in ("\n", "\r\n", "\r")
    ]
    assert results[0] == results[1] == results[2] == [ServerSentEvent("e", "混元\n😀", "7", None)]


def test_cr_and_lf_split_across_chunks_is_one_line_break() -> None:
    # "\r" ends one chunk, "\n" starts the next: still one line break, so no extra blank line.
    events = decode_chunks([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"])
    assert [e.data for e in events] == ["a\nb"]


def test_bare_data_line_means_empty_data() -> None:
    events = decode_chunks([b"data\ndata\n\n"])
    assert [e.data for e in events] == ["\n"]
    assert decode_chunks([b"data\n\n"])[0].data == ""


def test_only_one_space_after_the_colon_is_stripped() -> None:
    events = decode_chunks([b"data:  two\ndata:none\n\n"])
    assert events[0].data == " two\nnone"


def test_final_event_without_trailing_blank_line_is_delivered() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"last":true}\n') == []
    assert [e.data for e in decoder.flush()] == ['{"last":true}']


def test_half_line_at_eof_is_dropped() -> None:
    decoder = SSEDecoder()
    assert [e.data for e in decoder.feed(b"data: whole\n\ndata: half")] == ["whole"]
    assert decoder.flush() == []
    # the decoder is reusable afterwards with no residue
    assert [e.data for e in decoder.feed(b"data: next\n\n")] == ["next"]


def test_multibyte_character_split_across_chunks() -> None:
    raw = "data: 混元😀\n\n".encode()
    for cut in range(len(raw) + 1):
        assert [e.data for e in decode_chunks([raw[:cut], raw[cut:]])] == ["混元😀"]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    events = decode_chunks([b"event: \xff\xfe\nid: \xc3\ndata: ok\xe6\x97\ndata: \x80\n\n"])
    assert len(events) == 1
    event = events[0]
    assert event.event == "\ufffd\ufffd"
    assert event.id == "\ufffd"
    assert event.data.startswith("ok\ufffd")
    assert event.data.endswith("\n\ufffd")


def test_empty_chunks_change_nothing() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"") == []
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []
    assert [e.data for e in decoder.feed(b"\n\n")] == ["a"]


@SETTINGS
@given(st.binary(max_size=300), st.data())
def test_random_bytes_never_raise(raw: bytes, data: st.DataObject) -> None:
    chunks = split(raw, data.draw(st.lists(st.integers(0, len(raw)), max_size=8)))
    events = decode_chunks(chunks)
    assert events == decode_chunks([raw])
    for event in events:
        assert isinstance(event.data, str)
        assert isinstance(event.event, str)
        assert event.event


def test_leading_bom_is_dropped_even_when_split() -> None:
    body = b"\xef\xbb\xbfdata: x\n\n"
    for split in range(len(body) + 1):
        decoder = SSEDecoder()
        events = decoder.feed(body[:split]) + decoder.feed(body[split:])
        assert [e.data for e in events] == ["x"], split


def test_only_the_first_bom_is_dropped() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: a\n\n\xef\xbb\xbfdata: b\n\n")
    # A BOM later in the stream is part of a (malformed) field name, so that line is ignored.
    assert [e.data for e in events] == ["a"]


# -- bounds (issue 13, item 9) ------------------------------------------------------------------


def _feed_all(decoder: SSEDecoder, chunks: Iterable[bytes]) -> int:
    """Bytes fed before the decoder raised (all of them if it never did)."""
    fed = 0
    for chunk in chunks:
        decoder.feed(chunk)
        fed += len(chunk)
    return fed


def test_a_line_longer_than_the_limit_raises_stream_error_and_frees_the_buffer() -> None:
    decoder = SSEDecoder(max_line=64 * 1024)
    body = itertools.chain([b"data: "], itertools.repeat(b"x" * 1000, 200))  # 200 kB, no break
    with pytest.raises(StreamError) as info:
        _feed_all(decoder, body)
    assert info.value.code == "StreamFrameTooLarge"
    assert "65536 bytes" in info.value.message
    # Nothing is kept after the error.
    assert decoder._buf == b""
    assert not decoder._parts


def test_the_default_limit_stops_a_100_mb_line_within_its_first_mebibytes() -> None:
    decoder = SSEDecoder()
    chunk = b"y" * 65536
    fed: list[int] = []

    def body() -> Iterator[bytes]:
        yield b"data: "
        for n in range(100 * 1024 * 1024 // len(chunk)):
            fed.append(n)
            yield chunk

    with pytest.raises(StreamError) as info:
        _feed_all(decoder, body())
    assert info.value.code == "StreamFrameTooLarge"
    assert len(fed) * len(chunk) <= MAX_FRAME_BYTES + len(chunk)  # stopped at the limit


def test_an_event_of_many_lines_is_bounded_too() -> None:
    decoder = SSEDecoder(max_event=10_000)
    lines = itertools.repeat(b"data: " + b"z" * 500 + b"\n", 100)  # each line fine, not the event
    with pytest.raises(StreamError) as info:
        _feed_all(decoder, lines)
    assert info.value.code == "StreamFrameTooLarge"


def test_a_long_line_below_the_limit_decodes_whole_however_it_is_split() -> None:
    payload = "长" * 300_000  # 900 kB of UTF-8, over the join threshold
    body = f"data: {payload}\n\n".encode()
    for size in (1, 7, 4096, 65536):
        if size == 1:
            body_chunks = [body[:5000], *(body[i : i + 1] for i in range(5000, 6000)), body[6000:]]
        else:
            body_chunks = [body[i : i + size] for i in range(0, len(body), size)]
        assert [e.data for e in decode_chunks(body_chunks)] == [payload], size


def test_strict_decoding_refuses_invalid_utf8_with_stream_error() -> None:
    decoder = SSEDecoder(errors="strict")
    assert [e.data for e in decoder.feed(b"data: ok\n\n")] == ["ok"]
    with pytest.raises(StreamError) as info:
        decoder.feed(b"data: caf\xc3(\n\n")
    assert info.value.code == "StreamMalformed"
    assert "UTF-8" in info.value.message
    # A multi-byte character split across chunks is not an error.
    decoder = SSEDecoder(errors="strict")
    raw = "data: 混元\n\n".encode()
    assert [e.data for e in decoder.feed(raw[:8]) + decoder.feed(raw[8:])] == ["混元"]


def test_events_before_a_fault_in_the_same_chunk_are_returned_first() -> None:
    decoder = SSEDecoder(errors="strict")
    events = decoder.feed(b"data: one\n\ndata: two\n\ndata: caf\xc3(\n\ndata: never\n\n")
    assert [e.data for e in events] == ["one", "two"]
    assert decoder.error is not None
    assert decoder.error.code == "StreamMalformed"
    with pytest.raises(StreamError):
        decoder.feed(b"data: later\n\n")
    with pytest.raises(StreamError):
        decoder.flush()
