"""Chat messages as our own small types, converted to each backend's format at the edge."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ImagePart:
    """An image content block: base64 data with its MIME type."""

    data: str  # base64
    mime: str = "image/png"

    @property
    def data_url(self) -> str:
        return f"data:{self.mime};base64,{self.data}"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ToolCall:
    """One function call a model asked for; ``arguments`` is the JSON text as the model sent it."""

    id: str
    name: str
    arguments: str

    def key(self) -> dict:
        return {"id": self.id, "name": self.name, "arguments": self.arguments}


@dataclass(frozen=True)
class Message:
    """A chat message. An assistant message may carry ``tool_calls``; a ``tool`` message answers
    the call whose id is ``tool_call_id``."""

    role: Role
    text: str
    images: tuple[ImagePart, ...] = field(default=())
    tool_calls: tuple[ToolCall, ...] = field(default=())
    tool_call_id: str | None = None

    def key(self) -> dict:
        """A stable, compact form for cache keys (images by digest, not by content)."""
        key: dict = {"role": self.role, "text": self.text, "images": [image.digest for image in self.images]}
        # Only present when used, so the keys of plain conversations (and caches) stay as they were.
        if self.tool_calls:
            key["tool_calls"] = [call.key() for call in self.tool_calls]
        if self.tool_call_id is not None:
            key["tool_call_id"] = self.tool_call_id
        return key


def encode_image(path: Path, max_side: int = 1568) -> ImagePart:
    """A PNG content block for a local image, downscaled so no side exceeds ``max_side``."""
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        if max(image.size) > max_side:
            image.thumbnail((max_side, max_side))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return ImagePart(base64.b64encode(buffer.getvalue()).decode("ascii"), "image/png")
