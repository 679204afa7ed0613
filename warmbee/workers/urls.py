from django.urls import path

from warmbee.workers import file_views, number_views, staff_views, views

app_name = "workers"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/details/", views.register_details, name="register_details"),
    path("login/", views.log_in, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("privacy/", views.privacy, name="privacy"),
    path("me/card/", views.card, name="card"),
    path("me/consents/", views.my_consents, name="consents"),
    path(
        "me/consents/grant/",
        views.change_consent,
        {"action": "grant"},
        name="grant_consent",
    ),
    path(
        "me/consents/withdraw/",
        views.change_consent,
        {"action": "withdraw"},
        name="withdraw_consent",
    ),
    path("me/", file_views.my_file, name="my_file"),
    path("me/correct/", file_views.correct_details, name="correct"),
    path("me/number/", number_views.change_my_number, name="change_number"),
    path("me/export/", file_views.export_page, name="export"),
    path("me/export.json", file_views.export_json, name="export_json"),
    path("me/delete/", file_views.delete_account, name="delete"),
    path("staff/card/<str:card_code>/", views.staff_card, name="staff_card"),
    path("staff/files/", staff_views.file_list, name="file_list"),
    path("staff/files/<int:profile_id>/", staff_views.file_detail, name="file_detail"),
    path(
        "staff/files/<int:profile_id>/confirm-number/",
        staff_views.confirm_phone,
        name="confirm_phone",
    ),
    path("staff/duplicates/", staff_views.duplicates, name="duplicates"),
    path("staff/walk-in/", staff_views.walk_in, name="walk_in"),
    path(
        "staff/walk-in/details/",
        staff_views.walk_in_details,
        name="walk_in_details",
    ),
]
