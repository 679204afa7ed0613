from django.urls import path

from warmbee.coverage import views

app_name = "coverage"
urlpatterns = [
    path("", views.planner, name="planner"),
    path("layers/", views.demand_layers, name="layers"),
    path("network/", views.network, name="network"),
    path(
        "network/imports/<int:import_id>/",
        views.network_import,
        name="network_import",
    ),
    path(
        "network/imports/<int:import_id>/status.json",
        views.network_import_status,
        name="network_import_status",
    ),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/scenario/", views.run_scenario, name="run_scenario"),
    path("runs/<int:run_id>/status.json", views.run_status, name="run_status"),
    path(
        "runs/<int:run_id>/export.geojson", views.export_geojson, name="export_geojson"
    ),
    path("runs/<int:run_id>/export.xlsx", views.export_xlsx, name="export_xlsx"),
]
