"""Uploaded images: check type and size, and re-encode them without metadata (EXIF, GPS)."""

import io
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from warmbee.core.errors import DomainError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class InvalidImageError(DomainError):
    code = "invalid_image"
    message = _("Upload a JPEG, PNG or WebP photo of at most 5 MB.")


def sanitize_image(upload: UploadedFile) -> ContentFile[bytes]:
    """Return the image re-encoded without metadata, or raise InvalidImageError."""
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise InvalidImageError()
    try:
        with Image.open(upload) as original:
            image_format = original.format or ""
            if image_format not in ALLOWED_FORMATS:
                raise InvalidImageError()
            upright = ImageOps.exif_transpose(original)
            mode = (
                "RGB"
                if image_format == "JPEG" or upright.mode not in {"RGBA", "L"}
                else upright.mode
            )
            pixels = upright.convert(mode)
            # A new image from raw pixels carries no EXIF, GPS or other metadata.
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except (UnidentifiedImageError, OSError) as error:
        raise InvalidImageError() from error
    buffer = io.BytesIO()
    clean.save(buffer, format=image_format)
    stem = PurePath(upload.name or "photo").stem[:40] or "photo"
    return ContentFile(
        buffer.getvalue(), name=f"{stem}.{ALLOWED_FORMATS[image_format]}"
    )
