"""The JSON API (django-ninja): routers from the apps and one RFC 7807 error handler."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from warmbee.core.errors import DomainError
from warmbee.stations.api import router as stations_router
from warmbee.visits.api import router as visits_router

api = NinjaAPI(
    title="Warm Bee API",
    version="1",
    description="Stations, the nearest-open-station finder and check-ins. Codes are language-neutral; "
    "messages follow Accept-Language (zh-Hans by default).",
    urls_namespace="api",
)
api.add_router("/stations/", stations_router)
api.add_router("/visits/", visits_router)

PROBLEM_JSON = "application/problem+json"


def problem(
    request: HttpRequest, status: int, code: str, detail: str, **extra: object
) -> HttpResponse:
    body = {
        "type": f"urn:warmbee:error:{code}",
        "code": code,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_JSON
    return response


@api.exception_handler(DomainError)
def handle_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return problem(request, error.status_code, error.code, error.detail)


def _field_name(location: list[object]) -> str:
    """Return the public name of a field: ("body", "payload", "x") and ("query", "x") -> "x"."""
    parts = [str(part) for part in location]
    skip = 2 if parts[:1] == ["body"] else 1
    return ".".join(parts[skip:])


@api.exception_handler(NinjaValidationError)
def handle_validation_error(
    request: HttpRequest, error: NinjaValidationError
) -> HttpResponse:
    fields = [
        {
            "field": _field_name(list(item.get("loc", []))),
            "problem": item.get("msg", ""),
        }
        for item in error.errors
    ]
    return problem(
        request,
        422,
        "invalid_input",
        _("Some of the input is not valid."),
        errors=fields,
    )
