from django.urls import path

from warmbee.stations import views

app_name = "stations"
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find, name="find"),
    path("stations/<int:station_id>/", views.station_detail, name="detail"),
    path("stations/<int:station_id>/flag/", views.flag_amenity, name="flag"),
]
