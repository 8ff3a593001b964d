"""Previews of bucket objects: images through Qt, or Pillow for formats Qt cannot read."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QImage, QImageReader

MAX_PREVIEW_BYTES = 64 * 1024 * 1024  # larger files are listed, not decoded
MAX_SIDE = 2048  # Pillow decodes big images down to this before handing them to Qt
TEXT_PREVIEW_BYTES = 1200


@dataclass(frozen=True)
class Preview:
    """What the bucket view shows for one object: an image, or text, and a caption."""

    caption: str
    image: QImage | None = None
    text: str | None = None


def _qt_image(path: Path) -> QImage | None:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # honour EXIF orientation, as viewers do
    image = reader.read()
    return None if image.isNull() else image


def _pillow_image(path: Path) -> tuple[QImage, str] | None:
    try:
        from PIL import Image  # only when Qt could not read the file

        with Image.open(path) as picture:
            fmt = picture.format or "image"
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            buffer = io.BytesIO()
            picture.convert("RGBA").save(buffer, "PNG")
    except Exception:  # not an image Pillow knows, or a broken one
        return None
    image = QImage.fromData(buffer.getvalue(), "PNG")
    return None if image.isNull() else (image, fmt)


def _text(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(TEXT_PREVIEW_BYTES)
    except OSError:
        return None
    if b"\0" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text + ("…" if len(head) == TEXT_PREVIEW_BYTES else "")


def load_preview(path: Path) -> Preview:
    """Decode an object for the preview; never raises (a caption says what went wrong)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Preview(f"cannot read {path.name}: {exc.strerror or exc}")
    if size > MAX_PREVIEW_BYTES:
        return Preview(f"{path.name}: {size:,} bytes, too large to preview")
    image = _qt_image(path)
    fmt = bytes(QImageReader.imageFormat(str(path)).data()).decode().upper() or "image"
    if image is None:
        decoded = _pillow_image(path)
        if decoded is not None:
            image, fmt = decoded[0], f"{decoded[1]} (decoded with Pillow)"
    if image is not None:
        return Preview(f"{image.width()} × {image.height()} px · {fmt}", image=image)
    text = _text(path)
    if text is not None:
        return Preview("text", text=text)
    return Preview("binary object: no preview")
