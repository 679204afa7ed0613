"""URL map: the API outside the language prefix, pages under it (zh-Hans at /, English at /en/)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from config.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

urlpatterns += i18n_patterns(
    path("", include("warmbee.stations.urls")),
    path("", include("warmbee.visits.urls")),
    path("accounts/", include("warmbee.accounts.urls")),
    path("workers/", include("warmbee.workers.urls")),
    path("staff/", include("warmbee.stations.staff_urls")),
    path("coverage/", include("warmbee.coverage.urls")),
    path("reports/", include("warmbee.reports.urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
