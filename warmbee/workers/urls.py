from django.urls import path

from warmbee.workers import views

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
    path("staff/card/<str:card_code>/", views.staff_card, name="staff_card"),
]
