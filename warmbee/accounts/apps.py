from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "warmbee.accounts"
    label = "accounts"
