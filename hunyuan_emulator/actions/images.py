"""Images in a chat message, on either stateless endpoint: only in user messages, only to a
vision model, and only as an http(s) URL (never fetched) or a ``data:image/...;base64,`` URI
whose bytes are a PNG, JPEG, GIF or WebP image."""

from __future__ import annotations

from ..catalog import Catalog, Family
from ..model import Image, read_image
from ..schema import invalid

__all__ = ["image_part"]


def image_part(url: str, path: str, role: str, family: Family, catalog: Catalog) -> Image:
    """The image at ``path`` as the model reads it; refused where the service takes none."""
    if role != "user":
        raise invalid(path, f"images go in user messages only, not in a {role} message.")
    if not family.vision:
        vision = ", ".join(f.pattern for f in catalog.families if f.vision)
        raise invalid(
            path, f"the model {family.stem!r} does not take images; the vision models: {vision}."
        )
    try:
        return read_image(url)
    except ValueError as exc:
        raise invalid(path, str(exc)) from None
