"""Visits (check-ins): one row per arrival, keyed by the id the client generated."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitChannel(models.TextChoices):
    QR = "qr", _("QR check-in")
    STAFF = "staff", _("recorded by staff")
    CARD = "card", _("personal card scanned by staff")


class Visit(models.Model):
    client_id = models.UUIDField(
        _("client id"),
        unique=True,
        default=uuid.uuid4,
        help_text=_(
            "Generated on the phone; a repeated submission never counts twice."
        ),
    )
    station = models.ForeignKey(
        "stations.Station", on_delete=models.PROTECT, related_name="visits"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    channel = models.CharField(_("channel"), max_length=8, choices=VisitChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    services = models.ManyToManyField(
        "stations.Amenity",
        verbose_name=_("services used"),
        blank=True,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["station", "visited_at"], name="visit_station_time")
        ]

    def __str__(self) -> str:
        return f"{self.station_id} @ {self.visited_at:%Y-%m-%d %H:%M}"
