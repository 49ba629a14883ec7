"""What a vision model "sees" of an image: for an inline ``data:`` URI its format, pixel size,
byte length and a short digest, read from the bytes themselves; for an http(s) URL only the URL,
because the emulator never fetches anything. Replies quote these facts, so a test can tell an
image arrived intact (and a wrong encoding shows up as a wrong size or digest)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

__all__ = ["Image", "describe_images", "read_image"]

_DATA_URI = re.compile(r"data:(image/[A-Za-z0-9.+-]+);base64,(.*)", re.S)
# JPEG start-of-frame markers (the ones that carry the frame size): C0-CF except DHT (C4),
# JPG (C8) and DAC (CC).
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class Image:
    """An image as the model reads it; ``url`` is set for http(s) images, the rest for inline
    ones."""

    url: str = ""
    format: str = ""
    width: int = 0
    height: int = 0
    size: int = 0
    #: The first 12 hex digits of the bytes' SHA-256.
    digest: str = ""

    def describe(self, chinese: bool) -> str:
        if self.url:
            return f"{self.url}（链接，未下载）" if chinese else f"{self.url} (a link, not fetched)"
        if chinese:
            return (
                f"{self.format}，{self.width}×{self.height} 像素，{self.size} 字节，"
                f"sha256 {self.digest}"
            )
        return (
            f"{self.format}, {self.width}x{self.height} pixels, {self.size} bytes, "
            f"sha256 {self.digest}"
        )


def read_image(url: str) -> Image:
    """The image ``url`` names: an http(s) URL (kept as is) or a ``data:image/...;base64,`` URI
    (decoded). ValueError says why anything else is no image."""
    if url.startswith(("https://", "http://")):
        if len(url) <= url.index("//") + 2:
            raise ValueError("the URL has no host.")
        return Image(url=url)
    match = _DATA_URI.fullmatch(url)
    if match is None:
        raise ValueError(
            'it must start with http:// or https://, or be a "data:image/<type>;base64,<data>" URI.'
        )
    try:
        data = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the data URI's payload is not valid base64.") from None
    if not data:
        raise ValueError("the data URI holds no bytes.")
    kind, width, height = _dimensions(data)
    return Image(
        format=kind,
        width=width,
        height=height,
        size=len(data),
        digest=hashlib.sha256(data).hexdigest()[:12],
    )


def describe_images(images: tuple[Image, ...], chinese: bool) -> str:
    """One sentence per image, numbered from 1."""
    if chinese:
        return "".join(f"图片{i}：{image.describe(True)}。" for i, image in enumerate(images, 1))
    return " ".join(f"Image {i}: {image.describe(False)}." for i, image in enumerate(images, 1))


def _dimensions(data: bytes) -> tuple[str, int, int]:
    """The format and pixel size, from the image's own header."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if data[12:16] != b"IHDR" or len(data) < 24:
            raise ValueError("the PNG image is truncated (no IHDR chunk).")
        width, height = struct.unpack(">II", data[16:24])
        return "PNG", width, height
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) < 10:
            raise ValueError("the GIF image is truncated.")
        width, height = struct.unpack("<HH", data[6:10])
        return "GIF", width, height
    if data.startswith(b"\xff\xd8"):
        return ("JPEG", *_jpeg_size(data))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("WebP", *_webp_size(data))
    raise ValueError("the bytes are not a PNG, JPEG, GIF or WebP image.")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            break
        marker = data[at + 1]
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
    raise ValueError("the JPEG image has no frame header (SOF).")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise ValueError("the WebP image is truncated or of an unknown kind.")
