"""Report pages: a worker sends and follows their reports; handlers and administrators
work the inbox. Views parse, call one service or selector, and render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from warmbee.accounts.models import User
from warmbee.core.errors import DomainError
from warmbee.reports import selectors, services
from warmbee.reports.errors import ReportConsentNeededError
from warmbee.reports.forms import AssignForm, FeedbackForm, NoteForm, ReportForm
from warmbee.reports.models import ReportPhoto
from warmbee.reports.permissions import (
    can_assign,
    can_see_reports_inbox,
    handles,
    list_assignable_departments,
)
from warmbee.stations.navigation import navigation_links_to
from warmbee.workers.choices import NoticeKind
from warmbee.workers.selectors import has_consent
from warmbee.workers.views import form_error, require_worker, worker_login_required


@never_cache
@worker_login_required
def new_report(request: HttpRequest) -> HttpResponse:
    worker = require_worker(request)
    if not has_consent(worker, NoticeKind.GENERAL):
        message = ReportConsentNeededError().detail
        context = {"message": message}
        return render(request, "reports/consent_needed.html", context, status=403)
    form = ReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                report = services.submit_report(
                    reporter=worker,
                    new=form.new_report(),
                    photos=form.cleaned_data["photos"],
                )
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Report %(reference)s is sent; you can follow it here."
                    )
                    % {"reference": report.reference},
                )
                return redirect("reports:my_report", report.pk)
    return render(request, "reports/new.html", {"form": form}, status=status)


@require_GET
def public_hazards(request: HttpRequest) -> HttpResponse:
    """Open hazards for anyone: what and roughly where, never who or the words sent."""
    hazards = selectors.list_public_hazards()
    points = [
        {"lat": h.lat_deg, "lon": h.lon_deg, "label": h.category_label} for h in hazards
    ]
    context = {
        "hazards": hazards,
        "points": points,
        "shown": selectors.PUBLIC_HAZARDS_SHOWN,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "reports/hazards.html", context)


@worker_login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    worker = require_worker(request)
    reports = selectors.list_my_reports(worker)
    return render(request, "reports/mine.html", {"reports": reports})


@never_cache
@worker_login_required
def my_report(request: HttpRequest, report_id: int) -> HttpResponse:
    worker = require_worker(request)
    try:
        report = selectors.get_my_report(worker, report_id)
    except DomainError as error:
        raise Http404(error.detail) from error
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.give_feedback(
                    report=report,
                    reporter=worker,
                    feedback=form.cleaned_data["feedback"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect("reports:my_report", report.pk)
    context = {
        "report": report,
        "history": selectors.list_history(report),
        "photos": selectors.list_photos(report),
        "feedback_form": form if services.feedback_is_open(report) else None,
    }
    return render(request, "reports/my_report.html", context, status=status)


@require_GET
def photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A report's photo, for its reporter and for those who handle or oversee the report."""
    user = request.user
    item = ReportPhoto.objects.select_related("report").filter(pk=photo_id).first()
    if item is None or not isinstance(user, User):
        raise Http404
    report = item.report
    if report.reporter_id != user.pk:
        try:
            selectors.get_report_in_scope(user, report.pk)
        except DomainError as error:
            raise Http404(error.detail) from error
    response = FileResponse(item.image.open("rb"))
    response["Cache-Control"] = "no-store"  # not left in a shared phone's cache
    return response


def _require_inbox_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_see_reports_inbox(user):
        raise PermissionDenied
    return user


INBOX_ROWS = 200


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _require_inbox_user(request)
    view = request.GET.get("view", selectors.InboxView.OPEN)
    if view not in selectors.InboxView.ALL:
        view = selectors.InboxView.OPEN
    context = {
        "reports": selectors.list_inbox(user, view)[:INBOX_ROWS],
        "rows": INBOX_ROWS,
        "counts": selectors.count_inbox(user),
        "view": view,
        "now": timezone.now(),
    }
    return render(request, "reports/inbox.html", context)


HANDLER_ACTIONS = {
    "accept": services.accept_report,
    "note": services.add_progress_note,
    "resolve": services.resolve_report,
    "return": services.return_report,
}


@never_cache
@login_required
def handle(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _require_inbox_user(request)
    try:
        report = selectors.get_report_in_scope(user, report_id)
    except DomainError as error:
        raise Http404(error.detail) from error
    departments = list_assignable_departments(report)
    action = request.POST.get("action", "")
    note_form = NoteForm(request.POST if action in HANDLER_ACTIONS else None)
    assign_form = AssignForm(
        request.POST if action == "assign" else None, departments=departments
    )
    status = 200
    if request.method == "POST":
        status = 400
        bound = assign_form if action == "assign" else note_form
        if action in HANDLER_ACTIONS and note_form.is_valid():
            try:
                HANDLER_ACTIONS[action](
                    report=report,
                    handler=user,
                    note=note_form.cleaned_data["note"],
                    request=request,
                )
            except DomainError as error:
                status = form_error(note_form, error)
            else:
                messages.success(request, _("Saved. The reporter can see it."))
                return redirect("reports:handle", report.pk)
        elif action == "assign" and assign_form.is_valid():
            try:
                services.assign_report(
                    report=report,
                    admin=user,
                    department=assign_form.cleaned_data["department"],
                    request=request,
                )
            except DomainError as error:
                status = form_error(assign_form, error)
            else:
                messages.success(request, _("Sent to the department."))
                return redirect("reports:handle", report.pk)
        elif not bound.is_bound:
            messages.error(request, _("Choose what to do with the report."))
    context = {
        "report": report,
        "history": selectors.list_history(report),
        "photos": selectors.list_photos(report),
        "note_form": note_form,
        "assign_form": assign_form if can_assign(user, report) else None,
        "is_handler": handles(user, report),
        "navigation": navigation_links_to(
            report.lat_deg, report.lon_deg, report.get_category_display()
        ),
    }
    return render(request, "reports/handle.html", context, status=status)
