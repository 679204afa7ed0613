import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from warmbee.accounts.models import Role
from warmbee.core.audit import (
    actor_county,
    list_readable_audit_entries,
    record_audit,
)
from warmbee.core.models import AppendOnlyError, AuditAction, AuditEntry
from warmbee.factories import SHANXI_CODE, YANGQU_CODE, community, make_user
from warmbee.regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db


def test_records_who_what_when_why_and_from_where():
    admin = make_user(Role.COUNTY_ADMIN, display_name="县管理员")
    worker = make_user(Role.WORKER)
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Phone")

    entry = record_audit(
        actor=admin,
        action=AuditAction.READ_SENSITIVE,
        target=worker,
        fields=["phone", "id_number"],
        reason=" 核实身份 ",
        request=request,
    )

    assert (entry.actor, entry.actor_label, entry.action) == (
        admin,
        "县管理员",
        "read_sensitive",
    )
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(worker.pk))
    assert entry.fields == ["id_number", "phone"]
    assert (entry.reason, entry.ip_address, entry.user_agent) == (
        "核实身份",
        "10.1.2.3",
        "Phone",
    )


def test_entries_cannot_be_changed_or_deleted_through_the_application():
    worker = make_user(Role.WORKER)
    entry = record_audit(actor=None, action=AuditAction.UPDATE, target=worker)

    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == ""
    assert entry.actor_label == "system"


def test_a_new_entry_given_an_existing_id_cannot_overwrite_it():
    worker = make_user(Role.WORKER)
    entry = record_audit(actor=None, action=AuditAction.UPDATE, target=worker)
    forged = AuditEntry(
        pk=entry.pk,
        at=entry.at,  # else the UPDATE a plain save tries would fail on its own
        action=AuditAction.DELETE,
        target_type="accounts.user",
        target_id=str(worker.pk),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()

    assert AuditEntry.objects.get().action == AuditAction.UPDATE


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COUNTY_ADMIN, 200),
        (Role.PROVINCE_ADMIN, 200),
        (Role.STATION_STAFF, 403),
        (Role.DOCTOR, 403),
        (Role.DEPARTMENT_HANDLER, 403),
        (Role.WORKER, 403),
    ],
)
def test_only_administrators_can_search_the_audit_log(client, role, status):
    user = make_user(role, is_staff=True)
    record_audit(actor=user, action=AuditAction.LOGIN, target=user)
    client.force_login(user)
    response = client.get("/admin/core/auditentry/?q=login")
    assert response.status_code == status


def test_anonymous_is_sent_to_log_in_for_the_audit_log(client):
    response = client.get("/admin/core/auditentry/")
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/admin/core/auditentry/add/"])
def test_nobody_can_add_audit_entries_in_the_admin(client, url):
    client.force_login(make_user(Role.PROVINCE_ADMIN, is_staff=True))
    assert client.get(url).status_code == 403


def _yangqu():
    return Region.objects.get(code=YANGQU_CODE)


def _qingxu():
    return Region.objects.create(
        code="140121000000",
        name="清徐县",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code="140100000000"),
    )


def test_records_the_county_in_which_it_happened():
    worker = make_user(Role.WORKER)

    entry = record_audit(
        actor=worker, action=AuditAction.UPDATE, target=worker, county=_yangqu()
    )

    assert AuditEntry.objects.get(pk=entry.pk).county == _yangqu()


@pytest.mark.parametrize(
    "code", [SHANXI_CODE, "140122400001"], ids=["province", "community"]
)
def test_refuses_a_county_that_is_not_a_county(code):
    worker = make_user(Role.WORKER)

    with pytest.raises(ValueError, match="must be a county"):
        record_audit(
            actor=worker,
            action=AuditAction.UPDATE,
            target=worker,
            county=Region.objects.get(code=code),
        )

    assert AuditEntry.objects.count() == 0


def test_a_worker_is_recorded_by_account_number_never_by_name():
    worker = make_user(Role.WORKER, display_name="王小明")

    entry = record_audit(actor=worker, action=AuditAction.CONSENT, target=worker)

    assert (entry.actor, entry.actor_label) == (worker, f"worker #{worker.pk}")


def test_no_actor_with_a_request_is_an_anonymous_visitor_at_an_address():
    worker = make_user(Role.WORKER)
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")

    entry = record_audit(
        actor=None, action=AuditAction.CREATE, target=worker, request=request
    )

    assert (entry.actor, entry.actor_label, entry.ip_address) == (
        None,
        "anonymous",
        "198.51.100.7",
    )


def _entries_in_three_places():
    """Return entries in Yangqu, in Qingxu and without a county, by name."""
    worker = make_user(Role.WORKER)
    return {
        "yangqu": record_audit(
            actor=None, action=AuditAction.UPDATE, target=worker, county=_yangqu()
        ),
        "qingxu": record_audit(
            actor=None, action=AuditAction.UPDATE, target=worker, county=_qingxu()
        ),
        "none": record_audit(actor=None, action=AuditAction.UPDATE, target=worker),
    }


def _readable(user, entries):
    readable = set(list_readable_audit_entries(user))
    return sorted(name for name, entry in entries.items() if entry in readable)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PROVINCE_ADMIN, ["none", "qingxu", "yangqu"]),
        (Role.COUNTY_ADMIN, ["yangqu"]),
        (Role.STATION_STAFF, []),
        (Role.DOCTOR, []),
        (Role.DEPARTMENT_HANDLER, []),
        (Role.WORKER, []),
    ],
)
def test_readers_see_the_entries_of_their_scope(role, expected):
    entries = _entries_in_three_places()

    assert _readable(make_user(role), entries) == expected


def test_superusers_see_every_entry_and_inactive_administrators_none():
    entries = _entries_in_three_places()
    superuser = make_user(Role.COUNTY_ADMIN, is_superuser=True)
    inactive = make_user(Role.PROVINCE_ADMIN, is_active=False)

    assert _readable(superuser, entries) == ["none", "qingxu", "yangqu"]
    assert _readable(inactive, entries) == []


def test_a_county_administrator_placed_below_the_county_reads_that_county():
    entries = _entries_in_three_places()
    admin = make_user(Role.COUNTY_ADMIN, region=community())

    assert _readable(admin, entries) == ["yangqu"]


def _search(client, query):
    response = client.get("/admin/core/auditentry/", {"q": query})
    assert response.status_code == 200
    return sorted(entry.reason for entry in response.context["cl"].result_list)


def test_the_log_is_searched_by_who_record_id_and_reason(client):
    alice = make_user(Role.COUNTY_ADMIN, display_name="王科长")
    bob = make_user(Role.COUNTY_ADMIN, display_name="李主任")
    target = make_user(Role.WORKER)
    for actor, reason in [(alice, "核实身份"), (bob, "回访电话"), (alice, "回访记录")]:
        record_audit(
            actor=actor,
            action=AuditAction.READ_SENSITIVE,
            target=target,
            reason=reason,
            county=_yangqu(),
        )
    other = make_user(Role.WORKER)
    record_audit(
        actor=bob,
        action=AuditAction.UPDATE,
        target=other,
        reason="更正",
        county=_yangqu(),
    )
    client.force_login(make_user(Role.COUNTY_ADMIN, is_staff=True))

    assert _search(client, "王科长") == ["回访记录", "核实身份"]
    assert _search(client, "回访") == ["回访电话", "回访记录"]
    assert _search(client, str(other.pk)) == ["更正"]
    assert _search(client, "没有这个人") == []


def test_the_county_filter_is_offered_to_province_administrators_only(client):
    worker = make_user(Role.WORKER)
    record_audit(
        actor=worker, action=AuditAction.UPDATE, target=worker, county=_yangqu()
    )

    def filters(role):
        client.force_login(make_user(role, is_staff=True))
        response = client.get("/admin/core/auditentry/")
        return [spec.field_path for spec in response.context["cl"].filter_specs]

    assert filters(Role.COUNTY_ADMIN) == ["action", "target_type"]
    assert filters(Role.PROVINCE_ADMIN) == ["action", "target_type", "county"]


def test_the_actors_county_is_the_county_of_their_region():
    assert actor_county(make_user(Role.COUNTY_ADMIN)) == _yangqu()
    assert actor_county(make_user(Role.COUNTY_ADMIN, region=community())) == _yangqu()
    assert actor_county(make_user(Role.PROVINCE_ADMIN)) is None
    assert actor_county(make_user(Role.STATION_STAFF)) is None
    assert actor_county(None) is None
