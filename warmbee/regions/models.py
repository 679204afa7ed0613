"""Administrative regions: province → city → county → township → community."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    COMMUNITY = "community", _("community")


class Region(models.Model):
    """A division with its statistical division code (统计用区划代码, 12 digits)."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"),
                name="region_code_12_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(level="province") | models.Q(parent__isnull=False),
                name="region_has_parent_below_province",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """Return the name in the active language."""
        return self.name_en if get_language() == "en" and self.name_en else self.name

    def county(self) -> "Region | None":
        """Return the county this region is in (itself if a county)."""
        region: Region | None = self
        while region is not None and region.level != RegionLevel.COUNTY:
            region = region.parent
        return region
