from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from warmbee.accounts.models import User, phone_lookup_hash


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("phone", "display_name", "role", "region")
        field_classes: dict[str, type[forms.Field]] = {}


class UserEditForm(UserChangeForm):  # type: ignore[type-arg]  # stubs generic
    class Meta:
        model = User
        fields = ("phone", "display_name", "role", "region", "is_active")
        field_classes: dict[str, type[forms.Field]] = {}


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]  # django-stubs' UserAdmin generic
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ["display_name", "id"]
    list_display = ["masked_phone", "display_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    # Numbers are encrypted: a search for a number matches its keyed hash exactly.
    search_fields = ["display_name"]
    raw_id_fields = ["region"]
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Profile"), {"fields": ("display_name", "role", "region")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "phone",
                    "display_name",
                    "role",
                    "region",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if search_term.strip():
            results |= queryset.filter(phone_hash=phone_lookup_hash(search_term))
        return results, may_have_duplicates
