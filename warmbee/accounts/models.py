"""Users and their roles; staff are scoped to stations (in stations) or counties (here).

The mobile number is stored encrypted; ``phone_hash`` (a keyed hash of the normalised
number) is the unique key that log-in and duplicate checks look up.
"""

import re
import uuid
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

from warmbee.core.crypto import EncryptedTextField, keyed_hash

MAINLAND_MOBILE_REGEX = r"^1[3-9][0-9]{9}$"
NO_PHONE_PREFIX = "none:"
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


def normalise_phone(raw: str) -> str:
    """Return the 11 digits of a mainland mobile number typed with spaces, dashes or +86."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def mask_phone(phone: str) -> str:
    """Return the number as lists show it: 138****5678."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "****"


def phone_lookup_hash(raw: str) -> str:
    return keyed_hash(f"phone:{normalise_phone(raw)}")


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(phone_hash=phone_lookup_hash(username or ""))

    def find_by_phone(self, phone: str) -> "User | None":
        return self.filter(phone_hash=phone_lookup_hash(phone)).first()

    def create_user(
        self, phone: str, password: str | None = None, **extra: Any
    ) -> "User":
        user = self.model(phone=normalise_phone(phone), **extra)
        user.phone_hash = phone_lookup_hash(user.phone)  # so full_clean sees duplicates
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(
        self,
        phone: str | None = None,
        password: str | None = None,
        phone_hash: str | None = None,
        **extra: Any,
    ) -> "User":
        # createsuperuser passes the typed number under USERNAME_FIELD (phone_hash).
        phone = phone or phone_hash or ""
        extra.setdefault("role", Role.PROVINCE_ADMIN)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    phone = EncryptedTextField(_("mobile number"), validators=[phone_validator])
    phone_hash = models.CharField(
        _("mobile number"), max_length=64, unique=True, editable=False
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
    phone_confirmed_at = models.DateTimeField(
        _("number confirmed at"),
        null=True,
        blank=True,
        help_text=_(
            "When a code sent to the number was typed back. Empty for a worker "
            "registered at a station on a signature: such a number cannot log in "
            "until staff confirm it with a code."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined at"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "phone_hash"
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived lookup column must never drift from the number it is derived from.
        self.phone = normalise_phone(self.phone)
        if self.phone:
            self.phone_hash = phone_lookup_hash(self.phone)
        elif not self.phone_hash.startswith(NO_PHONE_PREFIX):
            # An anonymised account keeps no number; its key only has to stay unique.
            self.phone_hash = f"{NO_PHONE_PREFIX}{uuid.uuid4().hex}"
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_hash"}
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
