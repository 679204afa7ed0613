"""Printable A4 QR posters that lead to a station's check-in page.

The Chinese text is set in Noto Sans SC from the ``pylopdf-fonts-zh-cn`` package and
embedded (subset) in the PDF, so it prints correctly on machines without Chinese fonts.
"""

import io
from pathlib import Path

import pylopdf_fonts_zh_cn
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from fpdf import FPDF

from warmbee.stations.models import Station

FONT_PATH = Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"
PAGE_WIDTH_MM = 210


def checkin_url(station: Station) -> str:
    """Return the absolute check-in URL (Chinese pages, the default language)."""
    with translation.override("zh-hans"):
        path = reverse("visits:checkin", args=[station.checkin_code])
    return f"{settings.SITE_URL}{path}"


def _centred(pdf: FPDF, text: str, size_pt: float, height_mm: float) -> None:
    pdf.set_font("NotoSansSC", size=size_pt)
    pdf.set_x(15)
    pdf.multi_cell(
        PAGE_WIDTH_MM - 30, height_mm, text, align="C", new_x="LMARGIN", new_y="NEXT"
    )


def render_poster(station: Station) -> bytes:
    """Return the poster as PDF bytes."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"{station.name} · 暖蜂驿站")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.add_font("NotoSansSC", fname=str(FONT_PATH))
    pdf.set_y(22)
    _centred(pdf, "暖蜂驿站", 22, 11)
    _centred(pdf, station.name, 30, 15)
    if station.name_en:
        _centred(pdf, station.name_en, 14, 8)
    qr_png = io.BytesIO()
    segno.make(checkin_url(station), error="m").save(
        qr_png, kind="png", scale=12, border=2
    )
    qr_png.seek(0)
    qr_size_mm = 120
    pdf.image(
        qr_png, x=(PAGE_WIDTH_MM - qr_size_mm) / 2, y=pdf.get_y() + 6, w=qr_size_mm
    )
    pdf.set_y(pdf.get_y() + qr_size_mm + 12)
    _centred(pdf, "微信扫一扫，签到休息", 24, 12)
    _centred(pdf, "Scan to check in", 14, 8)
    _centred(pdf, f"{station.address}", 12, 7)
    _centred(pdf, f"开放时间 Hours: {station.opening_hours}", 12, 7)
    if station.phone:
        _centred(pdf, f"电话 Tel: {station.phone}", 12, 7)
    return bytes(pdf.output())
