"""Image uploads: checked with Pillow before anything is stored, re-encoded, thumbnailed.

Re-encoding drops whatever rides along in the file (EXIF location, polyglot payloads) and normalises the
format, so a file that claims to be an image but is not never reaches storage.
"""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ValidationFailed

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_SIDE = 2000
THUMB_SIDE = 400


class CheckedImage:
    def __init__(self, full: ContentFile, thumb: ContentFile, width: int, height: int):
        self.full, self.thumb, self.width, self.height = full, thumb, width, height


def _encode(img: Image.Image, max_side: int) -> tuple[bytes, int, int]:
    img = img.copy()
    img.thumbnail((max_side, max_side))
    if img.mode not in ("RGB", "L"):
        background = Image.new("RGB", img.size, (255, 255, 255))
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        img = background
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), img.width, img.height


def check_image(upload, *, field: str = "image") -> CheckedImage:
    """Validate an uploaded file (Django UploadedFile or bytes-like) and return re-encoded image + thumbnail."""
    size = getattr(upload, "size", None)
    if size is None:
        data = bytes(upload)
        size = len(data)
    else:
        upload.seek(0)
        if size > settings.TRIBE_MAX_IMAGE_BYTES:
            raise ValidationFailed(
                f"{field}: file is {size} bytes, the limit is {settings.TRIBE_MAX_IMAGE_BYTES}",
                code="image_too_large", fields={field: "too large"}, status=413,
            )
        data = upload.read()
    if size > settings.TRIBE_MAX_IMAGE_BYTES:
        raise ValidationFailed(f"{field}: file too large", code="image_too_large", fields={field: "too large"},
                               status=413)
    if not data:
        raise ValidationFailed(f"{field}: empty file", code="invalid_image", fields={field: "empty file"})
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in ALLOWED_FORMATS:
            raise ValidationFailed(f"{field}: {probe.format} is not accepted (JPEG, PNG, WebP, GIF)",
                                   code="invalid_image", fields={field: "unsupported format"})
        if probe.width * probe.height > settings.TRIBE_MAX_IMAGE_PIXELS:
            raise ValidationFailed(f"{field}: image has too many pixels", code="image_too_large",
                                   fields={field: "too many pixels"}, status=413)
        probe.verify()  # structural check; the image must be reopened after verify()
        img = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        img.load()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(f"{field}: not a valid image", code="invalid_image", fields={field: "not an image"})
    full, width, height = _encode(img, MAX_SIDE)
    thumb, _, _ = _encode(img, THUMB_SIDE)
    stem = uuid.uuid4().hex
    return CheckedImage(ContentFile(full, name=f"{stem}.jpg"), ContentFile(thumb, name=f"{stem}_t.jpg"), width, height)
