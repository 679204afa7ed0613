from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from warmbee.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]  # django-stubs' UserAdmin generic
    ordering = ["phone"]
    list_display = ["masked_phone", "display_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["phone", "display_name"]
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
                "fields": ("phone", "role", "region", "password1", "password2"),
            },
        ),
    )
