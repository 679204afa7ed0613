"""Departments and routing rules are set up by county administrators in the admin site.

Reports themselves are worked on the reports pages, not here: the admin would show who
sent them.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from warmbee.accounts.models import Role, User
from warmbee.regions.models import Region, RegionLevel
from warmbee.reports.models import Department, RoutingRule
from warmbee.reports.permissions import admin_code_prefix


def _admin_prefix(request: HttpRequest) -> str | None:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    return admin_code_prefix(user)


class _CountyScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # stubs generic
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        prefix = _admin_prefix(request)
        queryset = super().get_queryset(request)
        if prefix is None:
            return queryset.none()
        return queryset.filter(county__code__startswith=prefix)

    def _may(self, request: HttpRequest) -> bool:
        return _admin_prefix(request) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # reports refer to them; stop one receiving reports instead

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        prefix = _admin_prefix(request) or ""
        if db_field.name == "county":
            kwargs["queryset"] = Region.objects.filter(
                level=RegionLevel.COUNTY, code__startswith=prefix
            )
        elif db_field.name == "community":
            kwargs["queryset"] = Region.objects.filter(
                level=RegionLevel.COMMUNITY, code__startswith=prefix
            )
        elif db_field.name == "department":
            kwargs["queryset"] = Department.objects.filter(
                county__code__startswith=prefix, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(_CountyScopedAdmin):
    list_display = ["name", "name_en", "county", "is_active", "is_demo"]
    list_filter = ["is_active"]
    filter_horizontal = ["handlers"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Its reports and rules belong to its county: a department never moves.
        return ["county"] if obj is not None else []

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "handlers":
            kwargs["queryset"] = User.objects.filter(
                role=Role.DEPARTMENT_HANDLER, is_active=True
            ).order_by("display_name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(RoutingRule)
class RoutingRuleAdmin(_CountyScopedAdmin):
    list_display = ["category", "community", "department", "county"]
    list_filter = ["category"]
