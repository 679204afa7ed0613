from django.urls import path

from warmbee.visits import views

app_name = "visits"
urlpatterns = [
    path("s/<str:code>/", views.checkin, name="checkin"),
    path("staff/stations/<int:station_id>/walk-in/", views.walk_in, name="walk_in"),
]
