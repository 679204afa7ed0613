"""Stations, the amenity catalogue, each station's amenities and workers' corrections."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from warmbee.core import geo
from warmbee.core import opening_hours as hours
from warmbee.core.models import TimeStampedModel
from warmbee.stations.choices import AmenityStatus, FlagStatus


def new_checkin_code() -> str:
    return secrets.token_urlsafe(9)


class Amenity(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60)
    icon = models.CharField(
        _("icon"), max_length=8, help_text=_("An emoji shown beside the name.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """Return the name in the active language."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class Station(TimeStampedModel):
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    community = models.ForeignKey(
        "regions.Region",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    address = models.CharField(_("address"), max_length=200)
    address_en = models.CharField(_("English address"), max_length=200, blank=True)
    lat_deg = models.FloatField(
        _("latitude (WGS-84)"),
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lon_deg = models.FloatField(
        _("longitude (WGS-84)"),
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    position_is_approximate = models.BooleanField(
        _("position is approximate"), default=False
    )
    h3_cell = models.CharField(
        _("H3 cell (resolution 9)"), max_length=16, editable=False
    )
    h3_search_cell = models.CharField(
        _("H3 cell (resolution 7)"), max_length=16, editable=False, db_index=True
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        help_text=_(
            "OpenStreetMap opening_hours syntax, e.g. Mo-Su 08:00-20:00; PH off"
        ),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    capacity = models.PositiveSmallIntegerField(_("seats"), default=10)
    closed_until = models.DateTimeField(
        _("temporarily closed until"), null=True, blank=True
    )
    closure_reason = models.CharField(
        _("reason for closure"), max_length=200, blank=True
    )
    checkin_code = models.CharField(
        _("check-in code"),
        max_length=16,
        unique=True,
        default=new_checkin_code,
        editable=False,
    )
    is_active = models.BooleanField(_("in service"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        related_name="staffed_stations",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    lat_deg__gte=-90,
                    lat_deg__lte=90,
                    lon_deg__gte=-180,
                    lon_deg__lte=180,
                ),
                name="station_position_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_until__isnull=True)
                | ~models.Q(closure_reason=""),
                name="station_closure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """Return the name in the active language."""
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def address_label(self) -> str:
        return (
            self.address_en
            if get_language() == "en" and self.address_en
            else self.address
        )

    def clean(self) -> None:
        problems = {}
        if self.opening_hours:
            try:
                self.opening_hours = hours.check_expression(self.opening_hours)
            except hours.InvalidOpeningHoursError:
                problems["opening_hours"] = _(
                    "These opening hours are not in OpenStreetMap opening_hours syntax, "
                    "for example “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”."
                )
        if (
            self.lat_deg is not None
            and self.lon_deg is not None
            and not geo.is_in_china(self.lat_deg, self.lon_deg)
        ):
            problems["lat_deg"] = _("The position must be inside China.")
        if problems:
            raise ValidationError(problems)


class StationAmenity(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="amenities"
    )
    amenity = models.ForeignKey(Amenity, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AmenityStatus.choices,
        default=AmenityStatus.UNKNOWN,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["amenity__sort_order"]
        verbose_name = _("station amenity")
        verbose_name_plural = _("station amenities")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "amenity"], name="station_amenity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} / {self.amenity}"


class StationPhoto(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="stations/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("station photo")
        verbose_name_plural = _("station photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class AmenityFlag(TimeStampedModel):
    """A visitor's "this is wrong" about one amenity, waiting for staff to review."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="amenity_flags"
    )
    amenity = models.ForeignKey(Amenity, on_delete=models.PROTECT, related_name="+")
    suggested_status = models.CharField(
        _("what the visitor saw"), max_length=16, choices=AmenityStatus.choices
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("review"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("amenity correction")
        verbose_name_plural = _("amenity corrections")
