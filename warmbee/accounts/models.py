"""Users and their roles; staff are scoped to stations (in stations) or counties (here)."""

from typing import Any, ClassVar

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAINLAND_MOBILE_REGEX = r"^1[3-9][0-9]{9}$"
phone_validator = RegexValidator(
    MAINLAND_MOBILE_REGEX, _("Enter an 11-digit mainland China mobile number.")
)


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("province administrator")
    COUNTY_ADMIN = "county_admin", _("county administrator")
    STATION_STAFF = "station_staff", _("station staff")
    DOCTOR = "doctor", _("doctor")
    DEPARTMENT_HANDLER = "department_handler", _("department handler")
    WORKER = "worker", _("outdoor worker")


class UserManager(BaseUserManager["User"]):
    def create_user(
        self, phone: str, password: str | None = None, **extra: Any
    ) -> "User":
        user = self.model(phone=phone, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(
        self, phone: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("role", Role.PROVINCE_ADMIN)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    phone = models.CharField(
        _("mobile number"), max_length=11, unique=True, validators=[phone_validator]
    )
    display_name = models.CharField(_("name"), max_length=60, blank=True)
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.WORKER
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The province or county an administrator is responsible for."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined at"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["county_admin", "province_admin"])
                | models.Q(region__isnull=False)
                | models.Q(is_superuser=True),
                name="user_admin_has_region",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.masked_phone

    @property
    def masked_phone(self) -> str:
        return (
            f"{self.phone[:3]}****{self.phone[-4:]}"
            if len(self.phone) == 11
            else "****"
        )
