"""Write to the audit log: every read of sensitive data and every change goes through here."""

from typing import TYPE_CHECKING

from django.db.models import Model
from django.http import HttpRequest

from warmbee.core.clients import client_address
from warmbee.core.models import AuditAction, AuditEntry

if TYPE_CHECKING:  # the user model, for typing only: core imports no app at run time
    from warmbee.accounts.models import User


def record_audit(
    *,
    actor: "User | None",
    action: AuditAction,
    target: Model,
    fields: list[str] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry; ``actor`` None means the system (a command or a task)."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        fields=sorted(fields or []),
        reason=reason.strip(),
        ip_address=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:200],
    )
