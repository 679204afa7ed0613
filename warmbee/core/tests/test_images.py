import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from warmbee.core.images import MAX_IMAGE_BYTES, InvalidImageError, sanitize_image


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (38.0, 3.0, 36.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_strips_exif_and_gps_from_a_jpeg():
    upload = SimpleUploadedFile(
        "station.jpg", _jpeg_with_gps(), content_type="image/jpeg"
    )
    assert Image.open(io.BytesIO(upload.read())).getexif()
    upload.seek(0)

    clean = sanitize_image(upload)

    with Image.open(clean) as result:
        assert result.format == "JPEG"
        assert result.size == (40, 30)
        assert dict(result.getexif()) == {}
    assert clean.name == "station.jpg"


def test_refuses_a_file_that_is_not_an_image():
    upload = SimpleUploadedFile(
        "photo.jpg", b"not an image at all", content_type="image/jpeg"
    )
    with pytest.raises(InvalidImageError):
        sanitize_image(upload)


def test_refuses_an_image_over_the_size_limit():
    upload = SimpleUploadedFile(
        "big.jpg", b"0" * (MAX_IMAGE_BYTES + 1), content_type="image/jpeg"
    )
    with pytest.raises(InvalidImageError):
        sanitize_image(upload)


def test_refuses_a_gif():
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, format="GIF")
    upload = SimpleUploadedFile("anim.gif", buffer.getvalue(), content_type="image/gif")
    with pytest.raises(InvalidImageError):
        sanitize_image(upload)
