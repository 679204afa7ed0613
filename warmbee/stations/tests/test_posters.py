"""QR posters: a PDF with the station's name in an embedded font and a working QR code."""

import io
from urllib.parse import urlsplit

import pypdf
import pytest
import zxingcpp
from django.urls import resolve, reverse
from django.utils import translation
from PIL import Image

from warmbee.accounts.models import Role
from warmbee.factories import StationFactory, make_user
from warmbee.stations.models import Station
from warmbee.stations.posters import checkin_url, render_poster

pytestmark = pytest.mark.django_db


def _poster_station() -> Station:
    return StationFactory(
        name="新阳社区暖蜂驿站",
        name_en="Xinyang Community Warm Bee Station",
        address="阳曲县新阳社区党群服务中心",
        opening_hours="Mo-Su 08:00-20:00",
        phone="0351-1234567",
    )


def _page(pdf: bytes) -> pypdf.PageObject:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0]


def _compact(text: str) -> str:
    # pypdf reads fpdf2's two-byte glyph codes with a NUL before each character and
    # may put spaces between CJK glyphs; neither is in the PDF's text.
    return "".join(text.replace("\x00", "").split())


def test_poster_is_a_pdf_with_the_station_name_and_address():
    station = _poster_station()

    pdf = render_poster(station)

    assert pdf.startswith(b"%PDF-")
    text = _compact(_page(pdf).extract_text())
    assert "新阳社区暖蜂驿站" in text
    assert "阳曲县新阳社区党群服务中心" in text
    assert "微信扫一扫，签到休息" in text
    assert "XinyangCommunityWarmBeeStation" in text
    assert "Mo-Su08:00-20:00" in text
    assert "0351-1234567" in text


def test_poster_embeds_its_chinese_font():
    pdf = render_poster(_poster_station())

    fonts = _page(pdf)["/Resources"]["/Font"]
    descriptors = [
        descendant.get_object()["/FontDescriptor"].get_object()
        for font in fonts.values()
        for descendant in font.get_object().get("/DescendantFonts", [])
    ]
    assert [str(d["/FontName"]).split("+")[-1] for d in descriptors] == ["NotoSansSC"]
    [descriptor] = descriptors
    embedded = {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
    assert embedded == {"/FontFile3"}
    font_program = descriptor["/FontFile3"].get_object().get_data()
    assert len(font_program) > 1000


def test_poster_qr_code_opens_the_stations_checkin_page():
    station = _poster_station()

    [image] = _page(render_poster(station)).images
    picture = Image.open(io.BytesIO(image.data)).convert("L")
    [barcode] = zxingcpp.read_barcodes(picture)

    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == checkin_url(station)
    match = resolve(urlsplit(barcode.text).path)
    assert match.view_name == "visits:checkin"
    assert match.kwargs == {"code": station.checkin_code}


def test_checkin_url_is_absolute_and_chinese_even_from_an_english_request(settings):
    settings.SITE_URL = "https://warmbee.example.cn"
    station = _poster_station()

    with translation.override("en"):
        url = checkin_url(station)

    assert url == f"https://warmbee.example.cn/s/{station.checkin_code}/"


def test_staff_download_the_poster_of_their_station(client):
    staff = make_user(Role.STATION_STAFF)
    station = _poster_station()
    station.staff.add(staff)
    client.force_login(staff)

    response = client.get(reverse("staff:poster", args=[station.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="warmbee-poster-{station.pk}.pdf"'
    )
    assert "新阳社区暖蜂驿站" in _compact(_page(response.content).extract_text())


def test_no_poster_for_a_station_out_of_service(client):
    staff = make_user(Role.STATION_STAFF)
    station = _poster_station()
    station.staff.add(staff)
    Station.objects.filter(pk=station.pk).update(is_active=False)
    client.force_login(staff)

    response = client.get(reverse("staff:poster", args=[station.pk]))

    assert response.status_code == 404
