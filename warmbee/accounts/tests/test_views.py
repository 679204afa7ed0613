import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from config import settings as project_settings
from warmbee.accounts.models import Role
from warmbee.accounts.selectors import login_attempt_key
from warmbee.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _login(client, phone, password, language_prefix=""):
    return client.post(
        f"{language_prefix}{reverse('accounts:login')}",
        {"username": phone, "password": password},
    )


def test_logs_in_with_phone_number_and_password(client):
    user = make_user(Role.STATION_STAFF)
    response = _login(client, user.phone, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # as configured
    user = make_user(Role.WORKER)
    assert user.password.startswith("argon2$")


def test_wrong_password_gets_a_chinese_error_and_no_session(client):
    user = make_user(Role.WORKER)
    response = _login(client, user.phone, "wrong-password")
    assert response.status_code == 200
    assert "手机号或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_error_in_english_under_en(client):
    user = make_user(Role.WORKER)
    response = client.post(
        "/en/accounts/login/", {"username": user.phone, "password": "wrong-password"}
    )
    assert "The mobile number or password is wrong." in response.content.decode()


def test_five_failures_lock_the_phone_number_out_even_with_the_right_password(
    client, settings
):
    user = make_user(Role.WORKER)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.phone, "wrong-password")
    response = _login(client, user.phone, TEST_PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Five failures, then the refused sixth attempt is counted too.
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 6
    assert attempt.username == login_attempt_key(None, {"username": user.phone})
    assert user.phone not in attempt.username


def test_masked_phone_hides_the_middle_digits():
    user = make_user(Role.WORKER, phone="13812345678")
    assert user.masked_phone == "138****5678"
