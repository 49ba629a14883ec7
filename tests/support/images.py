"""Real images for tests, made with Pillow (which llama-index-core depends on), and what the
emulator's vision models say of them: format, pixel size, byte length, digest."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

#: Pillow's format name, the emulator's, and the MIME type.
FORMATS = {
    "PNG": ("PNG", "image/png"),
    "JPEG": ("JPEG", "image/jpeg"),
    "GIF": ("GIF", "image/gif"),
    "WEBP": ("WebP", "image/webp"),
}


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (3, 2), color: str = "red", **save: Any
) -> bytes:
    """An image of ``size`` pixels in ``fmt`` (Pillow's name), filled with ``color``."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def seen(data: bytes, fmt: str = "PNG", size: tuple[int, int] = (3, 2)) -> str:
    """How the emulator's vision models describe ``data`` (English)."""
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{FORMATS[fmt][0]}, {size[0]}x{size[1]} pixels, {len(data)} bytes, sha256 {digest}"
