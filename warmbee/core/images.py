"""Uploaded images: check type and size, and re-encode them without metadata (EXIF, GPS)."""

import io
import warnings
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from warmbee.core.errors import DomainError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# A few kilobytes of PNG can claim billions of pixels: refuse before decoding. 64 MP
# takes any phone camera's normal photo; what is kept is at most 2,560 px on its long
# side, plenty for a station or a pothole.
MAX_IMAGE_PIXELS = 64_000_000
MAX_SIDE_PX = 2560
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class InvalidImageError(DomainError):
    code = "invalid_image"
    message = _("Upload a JPEG, PNG or WebP photo of at most 5 MB.")


def sanitize_image(upload: UploadedFile) -> ContentFile[bytes]:
    """Return the image re-encoded without metadata, at most ``MAX_SIDE_PX`` on its long
    side, or raise InvalidImageError."""
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise InvalidImageError()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            clean, image_format = _decode_clean(upload)
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise InvalidImageError() from error
    buffer = io.BytesIO()
    clean.save(buffer, format=image_format)
    stem = PurePath(upload.name or "photo").stem[:40] or "photo"
    return ContentFile(
        buffer.getvalue(), name=f"{stem}.{ALLOWED_FORMATS[image_format]}"
    )


def _decode_clean(upload: UploadedFile) -> tuple[Image.Image, str]:
    with Image.open(upload) as original:
        image_format = original.format or ""
        width, height = original.size
        if image_format not in ALLOWED_FORMATS or width * height > MAX_IMAGE_PIXELS:
            raise InvalidImageError()
        original.draft("RGB", (MAX_SIDE_PX, MAX_SIDE_PX))  # JPEG: decode smaller
        upright = ImageOps.exif_transpose(original)
        upright.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
        mode = (
            "RGB"
            if image_format == "JPEG" or upright.mode not in {"RGBA", "L"}
            else upright.mode
        )
        pixels = upright.convert(mode)
    # A new image from raw pixels carries no EXIF, GPS or other metadata.
    return Image.frombytes(mode, pixels.size, pixels.tobytes()), image_format
