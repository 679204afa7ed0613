"""The personal QR card: the address staff scan, drawn as an SVG data URI."""

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from warmbee.workers.models import WorkerProfile


def card_url(profile: WorkerProfile) -> str:
    """Return the absolute staff-scan address of a card (Chinese pages, the default)."""
    with translation.override("zh-hans"):
        path = reverse("workers:staff_card", args=[profile.card_code])
    return f"{settings.SITE_URL}{path}"


def card_qr_data_uri(profile: WorkerProfile) -> str:
    """Return the card's QR code as a ``data:image/svg+xml`` URI (allowed by the CSP)."""
    qr = segno.make(card_url(profile), error="m")
    return str(qr.svg_data_uri(scale=8, border=2, dark="#111", light="#fff"))
