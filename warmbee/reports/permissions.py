"""Who sees which reports: handlers their departments', administrators their region's.

Reporters see their own reports through ``selectors.get_my_report``; nobody else is
shown who sent a report.
"""

from django.db.models import QuerySet

from warmbee.accounts.models import Role, User
from warmbee.reports.models import Department, Report


def admin_code_prefix(user: User) -> str | None:
    """The region-code prefix an administrator oversees; '' for a superuser."""
    if user.is_superuser:
        return ""
    if user.region is None:
        return None
    if user.role == Role.PROVINCE_ADMIN:
        return user.region.code[:2]
    if user.role == Role.COUNTY_ADMIN:
        return user.region.code[:6]
    return None


def list_reports_in_scope(user: User) -> QuerySet[Report]:
    """Reports ``user`` may read and act on (none for workers, staff and doctors)."""
    reports = Report.objects.select_related("department", "community", "county")
    if not user.is_authenticated or not user.is_active:
        return reports.none()
    prefix = admin_code_prefix(user)
    if prefix is not None:
        return reports.filter(county__code__startswith=prefix)
    if user.role == Role.DEPARTMENT_HANDLER:
        return reports.filter(department__handlers=user)
    return reports.none()


def can_see_reports_inbox(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return admin_code_prefix(user) is not None or user.role == Role.DEPARTMENT_HANDLER


def can_assign(user: User, report: Report) -> bool:
    """County and province administrators choose departments for their region's reports."""
    prefix = admin_code_prefix(user) if user.is_active else None
    return prefix is not None and report.county.code.startswith(prefix)


def handles(user: User, report: Report) -> bool:
    department = report.department
    return (
        department is not None
        and user.is_active
        and user.role == Role.DEPARTMENT_HANDLER
        and department.handlers.filter(pk=user.pk).exists()
    )


def list_assignable_departments(report: Report) -> QuerySet[Department]:
    return Department.objects.filter(county=report.county, is_active=True)
