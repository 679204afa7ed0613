"""Planner pages for county administrators: road networks, runs, progress and exports.

Thin: parse, call one service or selector, render. Domain errors that escape become 403
or 404 through ``core.middleware.DomainErrorMiddleware``.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from warmbee.accounts.models import User
from warmbee.core.errors import DomainError, NotFoundError, PermissionDeniedError
from warmbee.coverage.demand_layers import (
    count_recent_checkin_origins,
    count_recent_hazard_reports,
)
from warmbee.coverage.errors import InvalidPlacesFileError
from warmbee.coverage.exports import (
    PlanFigures,
    generated_network_label,
    plan_geojson,
    plan_workbook,
    summarise_plan,
)
from warmbee.coverage.forms import (
    CoverageRunForm,
    NetworkUploadForm,
    PlacesUploadForm,
    ScenarioForm,
)
from warmbee.coverage.models import CoverageRun
from warmbee.coverage.network_imports import (
    access_network_import,
    describe_network_import,
    start_network_import,
    summarise_network_page,
)
from warmbee.coverage.permissions import list_plannable_counties
from warmbee.coverage.places_csv import MAX_FILE_BYTES
from warmbee.coverage.selectors import (
    access_coverage_run,
    describe_coverage_run,
    get_plannable_county,
    list_county_stations,
    list_demand_layers,
    summarise_planner,
)
from warmbee.coverage.services import (
    create_demand_layer,
    start_coverage_run,
    start_scenario_run,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def planner(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    code = request.POST.get("county") or request.GET.get("county")
    county = get_plannable_county(user, code)
    form = CoverageRunForm(
        request.POST or None,
        layers=list_demand_layers(county),
        checkin_origins=count_recent_checkin_origins(county),
        hazard_reports=count_recent_hazard_reports(county),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = start_coverage_run(
                    user=user, county=county, parameters=form.parameters()
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                return redirect("coverage:run", run_id=run.pk)
        status = 400
    context = {
        "planner": summarise_planner(county),
        "counties": list_plannable_counties(user).order_by("code"),
        "form": form,
        "detour_factor": settings.FINDER_DETOUR_FACTOR,
        "generated_label": generated_network_label(),
        "upload_limit_mb": settings.NETWORK_UPLOAD_MAX_MB,
    }
    return render(request, "coverage/planner.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def network(request: HttpRequest) -> HttpResponse:
    """The county's road network: the one in use, an upload form and recent imports."""
    user = _user(request)
    code = request.POST.get("county") or request.GET.get("county")
    county = get_plannable_county(user, code)
    form = NetworkUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = start_network_import(
                    user=user, county=county, upload=form.cleaned_data["file"]
                )
            except (NotFoundError, PermissionDeniedError):
                raise  # 404 / 403 through the middleware
            except DomainError as error:
                form.add_error("file", error.detail)
            else:
                return redirect("coverage:network_import", import_id=item.pk)
        status = 400
    context = {
        "page": summarise_network_page(county),
        "form": form,
        "detour_factor": settings.FINDER_DETOUR_FACTOR,
        "generated_label": generated_network_label(),
    }
    return render(request, "coverage/network.html", context, status=status)


@login_required
@require_GET
def network_import(request: HttpRequest, import_id: int) -> HttpResponse:
    item = access_network_import(_user(request), import_id)
    context = {
        "item": item,
        "view": describe_network_import(item),
        "generated_label": generated_network_label(),
    }
    return render(request, "coverage/network_import.html", context)


@login_required
@require_GET
def network_import_status(request: HttpRequest, import_id: int) -> JsonResponse:
    item = access_network_import(_user(request), import_id)
    return JsonResponse(describe_network_import(item).as_json())


@login_required
@require_http_methods(["GET", "POST"])
def demand_layers(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    county = get_plannable_county(
        user, request.POST.get("county") or request.GET.get("county")
    )
    form = PlacesUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                layer = create_demand_layer(
                    user=user,
                    county=county,
                    name=form.cleaned_data["name"],
                    file_name=str(upload.name),
                    data=upload.read(MAX_FILE_BYTES + 1),
                )
            except InvalidPlacesFileError as error:
                problems = error.problems
            else:
                messages.success(
                    request,
                    _("Imported %(count)s places as “%(name)s”.")
                    % {"count": layer.point_count, "name": layer.name},
                )
                url = reverse("coverage:layers")
                return redirect(f"{url}?county={county.code}")
        status = 400
    context = {
        "county": county,
        "layers": list_demand_layers(county),
        "form": form,
        "problems": problems,
    }
    return render(request, "coverage/layers.html", context, status=status)


def _run_page(
    request: HttpRequest,
    run: CoverageRun,
    scenario_form: ScenarioForm | None = None,
    status: int = 200,
) -> HttpResponse:
    figures = summarise_plan(run)
    if figures is not None and scenario_form is None:
        scenario_form = ScenarioForm(stations=list_county_stations(run.county))
    context = {
        "run": run,
        "view": describe_coverage_run(run),
        "figures": figures,
        "map_data": plan_geojson(figures) if figures is not None else None,
        "scenario_form": scenario_form,
        "generated_label": generated_network_label(),
        "detour_factor": settings.FINDER_DETOUR_FACTOR,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "coverage/run.html", context, status=status)


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_page(request, access_coverage_run(_user(request), run_id))


@login_required
@require_http_methods(["POST"])
def run_scenario(request: HttpRequest, run_id: int) -> HttpResponse:
    """Start a what-if of a finished plan; on bad input show the plan and the errors."""
    user = _user(request)
    run = access_coverage_run(user, run_id)
    form = ScenarioForm(request.POST, stations=list_county_stations(run.county))
    if form.is_valid():
        try:
            scenario = start_scenario_run(user=user, run_id=run.pk, **form.scenario())
        except (NotFoundError, PermissionDeniedError):
            raise  # 404 / 403 through the middleware
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            return redirect("coverage:run", run_id=scenario.pk)
    return _run_page(request, run, form, status=400)


@login_required
@require_GET
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    run = access_coverage_run(_user(request), run_id)
    return JsonResponse(describe_coverage_run(run).as_json())


def _finished_figures(request: HttpRequest, run_id: int) -> PlanFigures:
    figures = summarise_plan(access_coverage_run(_user(request), run_id))
    if figures is None:
        raise Http404(_("This run has no result to export yet."))
    return figures


@login_required
@require_GET
def export_geojson(request: HttpRequest, run_id: int) -> HttpResponseBase:
    figures = _finished_figures(request, run_id)
    body = json.dumps(plan_geojson(figures), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{figures.file_stem}.geojson"'
    )
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest, run_id: int) -> HttpResponseBase:
    figures = _finished_figures(request, run_id)
    response = HttpResponse(plan_workbook(figures), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{figures.file_stem}.xlsx"'
    return response
