from django.urls import path

from warmbee.reports import views

app_name = "reports"
urlpatterns = [
    path("hazards/", views.public_hazards, name="hazards"),
    path("new/", views.new_report, name="new"),
    path("mine/", views.my_reports, name="mine"),
    path("mine/<int:report_id>/", views.my_report, name="my_report"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:report_id>/", views.handle, name="handle"),
]
