import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from warmbee.accounts.models import Role, User
from warmbee.core.crypto import encrypt
from warmbee.core.models import AuditEntry
from warmbee.factories import community, make_station_staff, make_user
from warmbee.workers.choices import NoticeKind
from warmbee.workers.models import Consent, OneTimeCode, WorkerProfile
from warmbee.workers.selectors import has_consent
from warmbee.workers.tests.factories import last_code, make_worker, wrong

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _counts():
    return (
        User.objects.count(),
        WorkerProfile.objects.count(),
        Consent.objects.count(),
        AuditEntry.objects.count(),
    )


def _details(code, **overrides):
    data = {
        "code": code,
        "name": "王师傅",
        "occupation": "delivery_rider",
        "platform": "meituan",
        "vehicle": "ebike",
        "work_communities": [community().pk],
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "general_notice_version": "1",
        "general_consent": "on",
        "health_notice_version": "1",
        "location_notice_version": "1",
    }
    return data | overrides


def _ask_for_code(client, url_name="workers:register", phone=PHONE, prefix=""):
    return client.post(f"{prefix}{reverse(url_name)}", {"phone": phone})


def test_registers_a_worker_in_two_steps_and_logs_them_in(client, outbox):
    assert client.get(reverse("workers:register")).status_code == 200
    response = _ask_for_code(client, phone="138 1234 5678")
    assert response.status_code == 302
    assert response["Location"] == reverse("workers:register_details")
    assert [message.phone for message in outbox] == [PHONE]
    page = client.get(reverse("workers:register_details"))
    assert page.status_code == 200
    assert f'href="{reverse("workers:privacy")}#general"' in page.content.decode()
    response = client.post(
        reverse("workers:register_details"),
        _details(last_code(PHONE), health_consent="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workers:card")
    profile = WorkerProfile.objects.get()
    assert client.session["_auth_user_id"] == str(profile.user.pk)
    assert "workers_pending_phone" not in client.session
    assert has_consent(profile.user, NoticeKind.HEALTH)
    assert not has_consent(profile.user, NoticeKind.LOCATION)
    card = client.get(reverse("workers:card"))
    assert card.status_code == 200
    assert 'src="data:image/svg+xml;charset=utf-8,' in card.content.decode()
    assert "王师傅" in card.content.decode()


def test_the_location_consent_can_be_given_at_registration(client, outbox):
    _ask_for_code(client)
    page = client.get(reverse("workers:register_details")).content.decode()
    assert f'href="{reverse("workers:privacy")}#location"' in page

    client.post(
        reverse("workers:register_details"),
        _details(last_code(PHONE), location_consent="on"),
    )

    profile = WorkerProfile.objects.get()
    assert has_consent(profile.user, NoticeKind.LOCATION)
    assert not has_consent(profile.user, NoticeKind.HEALTH)


def test_refuses_a_malformed_number_in_the_worker_language(client, outbox):
    response = _ask_for_code(client, phone="12345", prefix="/en")
    assert response.status_code == 400
    assert (
        "Enter an 11-digit mainland China mobile number, for example 13812345678."
        in response.content.decode()
    )
    assert OneTimeCode.objects.count() == 0
    assert outbox == []


def test_refuses_to_register_a_number_twice(client, outbox):
    make_worker(user__phone=PHONE)
    before = _counts()
    response = _ask_for_code(client, prefix="/en")
    assert response.status_code == 409
    assert "This number is already registered." in response.content.decode()
    assert _counts() == before
    assert OneTimeCode.objects.count() == 0


def test_a_wrong_code_keeps_the_form_and_creates_nothing(client):
    _ask_for_code(client)
    before = _counts()
    response = client.post(
        "/en" + reverse("workers:register_details"),
        _details(wrong(last_code(PHONE))),
    )
    assert response.status_code == 400
    assert (
        "The code is wrong. Tries left for this code: 4." in response.content.decode()
    )
    assert 'value="王师傅"' in response.content.decode()
    assert _counts() == before
    assert "_auth_user_id" not in client.session


def test_a_sixth_try_is_refused_even_with_the_right_code(client):
    _ask_for_code(client)
    code = last_code(PHONE)
    for _try in range(5):
        client.post(reverse("workers:register_details"), _details(wrong(code)))
    response = client.post("/en" + reverse("workers:register_details"), _details(code))
    assert response.status_code == 429
    assert "entered wrongly too many times" in response.content.decode()
    assert User.objects.count() == 0


def test_registration_needs_the_consent_box_ticked(client):
    _ask_for_code(client)
    before = _counts()
    data = _details(last_code(PHONE))
    del data["general_consent"]
    response = client.post("/en" + reverse("workers:register_details"), data)
    assert response.status_code == 400
    assert (
        "To register, read the privacy notice and tick that you agree."
        in response.content.decode()
    )
    assert _counts() == before
    assert OneTimeCode.objects.get().used_at is None


def test_a_second_code_within_a_minute_is_refused(client, outbox):
    _ask_for_code(client)
    response = _ask_for_code(client, prefix="/en")
    assert response.status_code == 429
    assert "less than a minute ago" in response.content.decode()
    assert OneTimeCode.objects.count() == 1
    assert len(outbox) == 1


def test_details_step_without_a_code_goes_back_to_the_first_step(client):
    response = client.get(reverse("workers:register_details"))
    assert response.status_code == 302
    assert response["Location"] == reverse("workers:register")


def test_logs_a_worker_in_with_a_code(client):
    profile = make_worker(user__phone=PHONE)
    response = _ask_for_code(client, url_name="workers:login")
    assert response["Location"] == reverse("workers:login_code")
    response = client.post(reverse("workers:login_code"), {"code": last_code(PHONE)})
    assert response.status_code == 302
    assert response["Location"] == reverse("workers:card")
    assert client.session["_auth_user_id"] == str(profile.user.pk)


def test_a_used_log_in_code_does_not_work_again(client):
    make_worker(user__phone=PHONE)
    _ask_for_code(client, url_name="workers:login")
    code = last_code(PHONE)
    client.post(reverse("workers:login_code"), {"code": code})
    other_phone = Client()
    session = other_phone.session
    session["workers_pending_phone"] = {"phone": encrypt(PHONE), "purpose": "login"}
    session.save()
    response = other_phone.post("/en" + reverse("workers:login_code"), {"code": code})
    assert response.status_code == 400
    assert "This code was already used." in response.content.decode()
    assert "_auth_user_id" not in other_phone.session


def test_log_in_code_for_an_unknown_number_is_refused(client, outbox):
    response = _ask_for_code(client, url_name="workers:login", prefix="/en")
    assert response.status_code == 400
    assert "No worker is registered with this number." in response.content.decode()
    assert outbox == []


def test_privacy_page_shows_both_notices_in_each_language(client):
    chinese = client.get(reverse("workers:privacy")).content.decode()
    assert "暖蜂驿站个人信息说明（第1版）" in chinese
    assert "暖蜂驿站健康信息单独同意（第1版）" in chinese
    english = client.get("/en" + reverse("workers:privacy")).content.decode()
    assert "how we use your personal information (version 1)" in english
    assert "separate consent for health information (version 1)" in english


def test_withdrawing_general_consent_stops_the_card_at_once(client):
    profile = make_worker()
    staff = make_station_staff()
    client.force_login(profile.user)
    response = client.post(reverse("workers:withdraw_consent"), {"kind": "general"})
    assert response["Location"] == reverse("workers:consents")
    assert not has_consent(profile.user, NoticeKind.GENERAL)
    response = client.get(reverse("workers:card"))
    assert response.status_code == 403
    assert 'data-testid="card-blocked"' in response.content.decode()
    client.force_login(staff)
    scan = client.get(reverse("workers:staff_card", args=[profile.card_code]))
    assert scan.status_code == 404


def test_giving_consent_again_restores_the_card(client):
    profile = make_worker()
    profile.user.consents.update(withdrawn_at=timezone.now())
    client.force_login(profile.user)
    client.post(
        reverse("workers:grant_consent"), {"kind": "general", "notice_version": "1"}
    )
    assert Consent.objects.count() == 2
    assert client.get(reverse("workers:card")).status_code == 200


def test_withdrawing_a_consent_not_given_changes_nothing(client):
    profile = make_worker()
    client.force_login(profile.user)
    response = client.post(
        "/en" + reverse("workers:withdraw_consent"), {"kind": "health"}, follow=True
    )
    assert "You have no consent of this kind to withdraw." in response.content.decode()
    assert Consent.objects.filter(withdrawn_at__isnull=False).count() == 0
    assert AuditEntry.objects.count() == 0


def test_staff_scanning_a_card_see_the_basic_file_only(client):
    profile = make_worker(
        name="赵师傅", emergency_contact_phone="13912345678", user__phone=PHONE
    )
    client.force_login(make_station_staff())
    page = client.get(reverse("workers:staff_card", args=[profile.card_code]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "赵师傅" in content
    assert PHONE not in content
    assert "13912345678" not in content


WORKER_PAGES = ["workers:card", "workers:consents"]
PUBLIC_PAGES = ["workers:privacy"]


def _user_for(role):
    if role == "anonymous":
        return None
    if role == "worker":
        return make_worker().user
    if role == "station_staff":
        return make_station_staff()
    if role == "station_staff_without_station":
        return make_user(Role.STATION_STAFF)
    return make_user(Role(role))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "worker login"),
        ("worker", 200),
        ("station_staff", 403),
        ("doctor", 403),
        ("county_admin", 403),
    ],
)
@pytest.mark.parametrize("url_name", WORKER_PAGES)
def test_worker_pages_are_for_workers_only(client, role, expected, url_name):
    user = _user_for(role)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(url_name))
    if expected == "worker login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("workers:login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("worker", 403),
        ("station_staff", 200),
        ("station_staff_without_station", 403),
        ("county_admin", 200),
        ("doctor", 403),
        ("department_handler", 403),
    ],
)
def test_card_scan_page_is_for_station_staff(client, role, expected):
    profile = make_worker()
    user = _user_for(role)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("workers:staff_card", args=[profile.card_code]))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", "login"), ("worker", 302), ("station_staff", 403)],
)
@pytest.mark.parametrize(
    "action", ["workers:grant_consent", "workers:withdraw_consent"]
)
def test_consent_changes_are_for_workers_only(client, role, expected, action):
    user = _user_for(role)
    if user is not None:
        client.force_login(user)
    before = (Consent.objects.filter(withdrawn_at__isnull=True).count(), _counts())
    response = client.post(reverse(action), {"kind": "health", "notice_version": "1"})
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("workers:login"))
    else:
        assert response.status_code == expected
    if role != "worker":
        assert (
            Consent.objects.filter(withdrawn_at__isnull=True).count(),
            _counts(),
        ) == before


@pytest.mark.parametrize(
    ("role", "location"),
    [
        ("anonymous", None),
        ("worker", "workers:card"),
        ("station_staff", "staff:dashboard"),
    ],
)
@pytest.mark.parametrize("url_name", ["workers:register", "workers:login"])
def test_sign_up_pages_send_logged_in_users_home(client, role, location, url_name):
    user = _user_for(role)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(url_name))
    if location is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse(location)


@pytest.mark.parametrize("role", ["anonymous", "worker", "station_staff"])
def test_privacy_page_is_public(client, role):
    user = _user_for(role)
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("workers:privacy")).status_code == 200
