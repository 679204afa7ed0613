from django.urls import path

from warmbee.stations import staff_views

app_name = "staff"
urlpatterns = [
    path("", staff_views.dashboard, name="dashboard"),
    path("stations/<int:station_id>/", staff_views.manage_station, name="station"),
    path(
        "stations/<int:station_id>/amenities/<slug:amenity_code>/",
        staff_views.set_amenity_status,
        name="amenity_status",
    ),
    path("stations/<int:station_id>/closure/", staff_views.set_closure, name="closure"),
    path("stations/<int:station_id>/poster.pdf", staff_views.poster, name="poster"),
    path("flags/<int:flag_id>/review/", staff_views.review_flag, name="review_flag"),
]
