"""The audit log in the admin: searchable, read-only, scoped to the reader's county.

Who reads what is decided in ``core.audit`` (province administrators and superusers every
entry, county administrators their county's); nothing here can add, change or delete.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from warmbee.core.audit import (
    LOG_WIDE_ROLES,
    list_readable_audit_entries,
    may_read_audit_log,
)
from warmbee.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = [
        "at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "county",
        "reason",
        "ip_address",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_id", "reason"]
    date_hierarchy = "at"
    # The account itself is left off: its name would tell an administrator who sent a
    # report; ``actor_label`` keeps workers as "worker #<id>".
    exclude = ["actor"]
    readonly_fields = [
        field.name for field in AuditEntry._meta.fields if field.name != "actor"
    ]
    # No bulk actions at all, not even Django's "delete selected".
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        # Also the detail page's lookup: another county's entry is "not found".
        return list_readable_audit_entries(request.user)

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        user = request.user
        if user.is_superuser or getattr(user, "role", "") in LOG_WIDE_ROLES:
            return [
                *self.list_filter,
                ("county", admin.RelatedOnlyFieldListFilter),
            ]
        return list(self.list_filter)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_read_audit_log(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_read_audit_log(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
