"""The worker file: profile, privacy notices, consents, and one-time log-in codes.

Phone numbers, ID numbers and emergency contacts' numbers are stored encrypted; lookups
use keyed hashes. One-time codes are stored only as keyed hashes.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from warmbee.core.crypto import EncryptedTextField
from warmbee.workers.choices import (
    CodePurpose,
    ConsentChannel,
    NoticeKind,
    Occupation,
    Platform,
    Vehicle,
)

MAX_CODE_ATTEMPTS = 5


class PrivacyNotice(models.Model):
    """One published version of a notice; consent is given to a version."""

    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    version = models.PositiveIntegerField(_("version"))
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="privacy_notice_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def text(self) -> str:
        """Return the text in the active language (Chinese unless English is active)."""
        language = get_language() or ""
        return self.text_en if language.startswith("en") else self.text_zh


class Consent(models.Model):
    """A worker's consent to one notice version; withdrawing sets ``withdrawn_at`` once.

    A consent given again after a withdrawal is a new row, so the history stays whole.
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    notice = models.ForeignKey(
        PrivacyNotice,
        verbose_name=_("notice"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    granted_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    channel = models.CharField(
        _("how it was given"), max_length=40, choices=ConsentChannel.choices
    )
    signature_png = EncryptedTextField(
        _("signature (PNG, base64)"),
        blank=True,
        help_text=_(
            "The worker's signature when staff took consent on paper's behalf."
        ),
    )
    closed_by_merge = models.BooleanField(
        _("closed when two files were merged"),
        default=False,
        help_text=_("Set instead of a withdrawal when the kept file already had it."),
    )

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "notice"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_notice",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("granted_at")),
                name="consent_withdrawn_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.notice}"


class WorkerProfile(models.Model):
    """The registration part of one person's file (一人一档)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="worker_profile",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    occupation = models.CharField(
        _("occupation"), max_length=32, choices=Occupation.choices
    )
    platform = models.CharField(
        _("platform or employer"), max_length=32, choices=Platform.choices
    )
    vehicle = models.CharField(_("vehicle"), max_length=16, choices=Vehicle.choices)
    work_communities = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("usual work area"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": "community"},
    )
    emergency_contact_name = models.CharField(
        _("emergency contact"), max_length=60, blank=True
    )
    emergency_contact_phone = EncryptedTextField(
        _("emergency contact's number"), blank=True
    )
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = models.CharField(
        _("ID number (lookup hash)"), max_length=64, blank=True, db_index=True
    )
    card_code = models.CharField(_("card code"), max_length=32, unique=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The staff member who registered a walk-in worker."),
    )

    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_files",
    )

    class Meta:
        verbose_name = _("worker file")
        verbose_name_plural = _("worker files")

    def __str__(self) -> str:
        return self.name


class OneTimeCode(models.Model):
    """A code sent by text message; only keyed hashes of the number and code are kept."""

    phone_hash = models.CharField(_("mobile number (lookup hash)"), max_length=64)
    code_hash = models.CharField(_("code (hash)"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    requested_from_ip = models.GenericIPAddressField(
        _("requested from address"), null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["phone_hash", "created_at"], name="otp_phone_time"),
            models.Index(
                fields=["requested_from_ip", "created_at"], name="otp_address_time"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attempts__lte=MAX_CODE_ATTEMPTS),
                name="otp_attempts_at_most_max",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="otp_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
