"""The audit log in the admin: searchable by county and province administrators, read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warmbee.core.models import AuditEntry

# Entries carry no county yet, so county administrators would see other counties' entries.
AUDIT_READER_ROLES = {"province_admin"}


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = [
        "at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "reason",
        "ip_address",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_id", "reason"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def _may_read(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and (user.is_superuser or getattr(user, "role", "") in AUDIT_READER_ROLES)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_read(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_read(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
