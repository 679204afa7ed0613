import pytest
from django.test import RequestFactory

from warmbee.accounts.models import Role
from warmbee.core.audit import record_audit
from warmbee.core.models import AppendOnlyError, AuditAction, AuditEntry
from warmbee.factories import make_user

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


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COUNTY_ADMIN, 403),
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
