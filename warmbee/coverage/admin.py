"""Road networks, their imports and coverage runs in the admin: read-only, county-scoped.

Networks come in through ``manage.py import_roads`` (or the planner), runs through the
planner; the admin shows them and never edits or deletes them.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from warmbee.accounts.models import User
from warmbee.coverage.models import CoverageRun, RoadNetwork, RoadNetworkImport
from warmbee.coverage.permissions import list_plannable_counties


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class _CountyScopedAdmin:
    """View-only for county and province administrators, limited to their counties."""

    def _may_view(self, request: HttpRequest) -> bool:
        user = _user(request)
        return user is not None and list_plannable_counties(user).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # runs refer to networks; both are history


@admin.register(RoadNetwork)
class RoadNetworkAdmin(_CountyScopedAdmin, admin.ModelAdmin[RoadNetwork]):
    list_display = [
        "name",
        "county",
        "is_active",
        "is_generated",
        "node_count",
        "edge_count",
        "road_length_km",
        "imported_at",
        "imported_by",
    ]
    list_filter = [
        "is_active",
        "is_generated",
        ("county", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoadNetwork]:
        user = _user(request)
        networks = RoadNetwork.objects.select_related("county", "imported_by")
        if user is None:
            return networks.none()
        return networks.filter(county__in=list_plannable_counties(user))


@admin.register(CoverageRun)
class CoverageRunAdmin(_CountyScopedAdmin, admin.ModelAdmin[CoverageRun]):
    list_display = [
        "id",
        "county",
        "network",
        "status",
        "progress_percent",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", ("county", admin.RelatedOnlyFieldListFilter)]
    exclude = ["result"]  # large; the planner shows it

    def get_queryset(self, request: HttpRequest) -> QuerySet[CoverageRun]:
        user = _user(request)
        runs = CoverageRun.objects.select_related("county", "network", "created_by")
        if user is None:
            return runs.none()
        return runs.filter(county__in=list_plannable_counties(user))


@admin.register(RoadNetworkImport)
class RoadNetworkImportAdmin(_CountyScopedAdmin, admin.ModelAdmin[RoadNetworkImport]):
    list_display = [
        "id",
        "county",
        "original_file_name",
        "size_bytes",
        "status",
        "progress_stage",
        "error_code",
        "uploaded_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", ("county", admin.RelatedOnlyFieldListFilter)]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoadNetworkImport]:
        user = _user(request)
        imports = RoadNetworkImport.objects.select_related(
            "county", "network", "uploaded_by"
        )
        if user is None:
            return imports.none()
        return imports.filter(county__in=list_plannable_counties(user))
