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


class CheckInOriginCount(models.Model):
    """How many check-ins came from one H3 cell of a county in one month, for planning.

    Noted only under the separate location consent, as little as serves planning: a
    count per cell, month and county, never a row per check-in, so nothing in it points
    at a worker, a visit or a station (see the location notice). Counted after the
    check-in commits (``origins.record_origin``); deleted
    ``CHECKIN_ORIGIN_RETENTION_MONTHS`` after its month.
    """

    county = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    h3_cell = models.CharField(_("H3 cell"), max_length=16)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    check_ins = models.PositiveIntegerField(_("check-ins"), default=1)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("check-in origin count")
        verbose_name_plural = _("check-in origin counts")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month", "h3_cell", "is_demo"],
                name="checkin_origin_count_unique_cell_month",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="checkin_origin_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.h3_cell} {self.month:%Y-%m}: {self.check_ins}"
