"""County administrators manage stations here, scoped to their county; bulk import included."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget

from warmbee.accounts.models import Role, User
from warmbee.core.errors import DomainError
from warmbee.core.images import sanitize_image
from warmbee.regions.models import Region
from warmbee.stations.errors import NotStationStaffError
from warmbee.stations.models import (
    Amenity,
    AmenityFlag,
    Station,
    StationAmenity,
    StationPhoto,
)
from warmbee.stations.permissions import (
    can_manage_station,
    list_communities_for,
    list_manageable_stations,
)
from warmbee.stations.services import place_station, save_station


class CommunityCodeWidget(ForeignKeyWidget):  # type: ignore[misc]  # untyped library
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except Region.DoesNotExist as error:
            raise ValueError(
                _("Unknown community code %(code)s.") % {"code": value}
            ) from error


class StationResource(resources.ModelResource):  # type: ignore[misc]  # untyped library
    """The spreadsheet columns for bulk import and export (CSV or Excel)."""

    community = fields.Field(
        column_name="community_code",
        attribute="community",
        widget=CommunityCodeWidget(Region, field="code"),
    )

    class Meta:
        model = Station
        fields = (
            "id",
            "name",
            "name_en",
            "community",
            "address",
            "address_en",
            "lat_deg",
            "lon_deg",
            "position_is_approximate",
            "opening_hours",
            "phone",
            "capacity",
        )
        import_id_fields = ("id",)
        skip_unchanged = True
        clean_model_instances = True

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        # All or nothing: one invalid row leaves the whole sheet unimported, also on
        # the admin's confirm step and for callers outside the admin.
        kwargs.setdefault("rollback_on_validation_errors", True)
        # The importing user, for the audit entries of the stations saved.
        user = kwargs.get("user")
        self.importing_user = user if isinstance(user, User) else None
        return super().import_data(dataset, *args, **kwargs)

    def after_init_instance(
        self, instance: Station, new: bool, row: Any, **kwargs: Any
    ) -> None:
        # The admin passes the importing user: a county admin may not update another
        # county's station by giving its id.
        if new and row.get("id"):
            # Ids are the database's: a made-up one would also desynchronise its sequence.
            raise ValidationError(
                _(
                    "Leave the id empty for a new station; only existing ids can be updated."
                )
            )
        user = kwargs.get("user")
        if (
            isinstance(user, User)
            and not new
            and not can_manage_station(user, instance)
        ):
            raise ValidationError(NotStationStaffError().detail)

    def before_save_instance(self, instance: Station, row: Any, **kwargs: Any) -> None:
        user = kwargs.get("user")
        if (
            isinstance(user, User)
            and not list_communities_for(user).filter(pk=instance.community_id).exists()
        ):
            raise ValidationError({"community": NotStationStaffError().detail})
        try:
            place_station(instance)
        except DomainError as error:
            raise ValidationError(error.detail) from error

    def do_instance_save(self, instance: Station, is_create: bool) -> None:
        # Through the service, so an imported station gets its amenity rows like any other.
        save_station(instance, actor=getattr(self, "importing_user", None))


class StationAmenityInline(admin.TabularInline):  # type: ignore[type-arg]  # stubs generic
    model = StationAmenity
    extra = 0
    readonly_fields = ["verified_by", "verified_at"]


class StationPhotoForm(forms.ModelForm):  # type: ignore[type-arg]  # stubs generic
    class Meta:
        model = StationPhoto
        fields = ["image", "caption"]

    def clean_image(self) -> Any:
        image = self.cleaned_data["image"]
        if isinstance(image, UploadedFile):
            try:
                return sanitize_image(image)
            except DomainError as error:
                raise ValidationError(error.detail) from error
        return image


class StationPhotoInline(admin.TabularInline):  # type: ignore[type-arg]  # stubs generic
    model = StationPhoto
    form = StationPhotoForm
    extra = 0


@admin.register(Station)
class StationAdmin(ImportExportModelAdmin):  # type: ignore[misc]  # untyped library
    resource_classes = [StationResource]
    list_display = [
        "name",
        "community",
        "opening_hours",
        "capacity",
        "is_active",
        "is_demo",
    ]
    list_filter = ["is_active", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_en", "address"]
    filter_horizontal = ["staff"]
    inlines = [StationAmenityInline, StationPhotoInline]
    readonly_fields = ["checkin_code", "h3_cell", "h3_search_cell"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Station]:
        assert isinstance(request.user, User)  # noqa: S101  # admin requires a signed-in user
        return list_manageable_stations(request.user)

    def _is_admin(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            isinstance(user, User)
            and user.is_active
            and (
                user.is_superuser
                or user.role in {Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN}
            )
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # stations are taken out of service, never deleted (visits refer to them)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "staff":
            kwargs["queryset"] = User.objects.filter(
                role=Role.STATION_STAFF, is_active=True
            ).order_by("display_name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "community" and isinstance(request.user, User):
            kwargs["queryset"] = list_communities_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Station, form: Any, change: bool
    ) -> None:
        save_station(
            obj,
            actor=request.user if isinstance(request.user, User) else None,
            request=request,
        )


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin[Amenity]):
    list_display = ["code", "icon", "name", "name_en", "sort_order"]


@admin.register(AmenityFlag)
class AmenityFlagAdmin(admin.ModelAdmin[AmenityFlag]):
    list_display = ["station", "amenity", "suggested_status", "status", "created_at"]
    list_filter = ["status"]
