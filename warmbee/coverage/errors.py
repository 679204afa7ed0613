"""Coverage domain errors, and the engine's errors in the user's language."""

from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
)
from warmbee.coverage.engine import errors as engine_errors


class CoverageError(DomainError):
    code = "coverage_error"
    message = _("The coverage analysis failed.")


class ExtractNotFoundError(CoverageError):
    code = "extract_not_found"
    message = _("There is no file at %(path)s.")


class EmptyExtractError(CoverageError):
    code = "extract_empty"
    message = _("The file %(path)s contains no OpenStreetMap data.")


class CorruptExtractError(CoverageError):
    code = "extract_corrupt"
    message = _(
        "The file %(path)s is not a readable OpenStreetMap extract (.osm.pbf): %(reason)s."
    )


class NoRoutableWaysError(CoverageError):
    code = "extract_no_routable_ways"
    message = _(
        "The extract %(path)s has no roads or paths usable on foot, by e-bike or by car."
    )


class NetworkFileError(CoverageError):
    code = "network_file_invalid"
    message = _(
        "The saved road network %(path)s cannot be used (%(reason)s); import it again."
    )


class NetworkFileMissingError(CoverageError):
    """The network's file was removed (``housekeeping.remove_unused_network_files``)."""

    code = "network_file_missing"
    message = _(
        "The road network %(name)s is no longer stored on the server. Start the plan "
        "again; if it is still the county's road network, import it again first."
    )


class InvalidCoverageInputError(CoverageError):
    code = "invalid_input"
    message = _("The coverage engine refused its input: %(reason)s.")


class NotACountyError(CoverageError):
    code = "not_a_county"
    message = _("%(region)s is not a county.")


class UnknownCountyError(NotFoundError):
    code = "unknown_county"
    message = _("There is no county with the code %(code)s.")


class InvalidCoverageParametersError(CoverageError):
    code = "invalid_coverage_parameters"
    message = _("Invalid plan settings: %(reason)s")


class InvalidScenarioError(CoverageError):
    code = "invalid_scenario"
    message = _("Invalid what-if: %(reason)s")


class ScenarioBaseNotFinishedError(ConflictError):
    code = "scenario_base_not_finished"
    message = _("Only a finished plan can be compared with a what-if.")


class TooManySitesError(CoverageError):
    code = "too_many_sites"
    message = _(
        "%(k)s new sites were asked for, but there are only %(candidates)s "
        "candidate places."
    )


class TooManyCandidatesError(CoverageError):
    code = "too_many_candidates"
    message = _(
        "Every demand point as a candidate place would be %(count)s places; at most "
        "%(limit)s can be compared. Choose one place per area instead."
    )


class TooManyPendingRunsError(ConflictError):
    code = "too_many_pending_runs"
    message = _(
        "You already have %(count)s plans waiting or running; start another when one "
        "of them has finished."
    )


class NoDemandError(CoverageError):
    code = "no_demand"
    message = _(
        "There is no demand to cover: the county has no active station to plan "
        "around and no road network."
    )


class NetworkChangedError(ConflictError):
    code = "network_changed"
    message = _(
        "Another road network was imported for this county at the same time; try again."
    )


class NotCountyPlannerError(PermissionDeniedError):
    code = "not_county_planner"
    message = _("Only the county's administrators can do this.")


class CoverageRunNotFoundError(NotFoundError):
    code = "coverage_run_not_found"
    message = _("There is no such coverage run.")


class DemandLayerNotFoundError(NotFoundError):
    code = "demand_layer_not_found"
    message = _("The county has no demand layer number %(layer_id)s.")


class NoDemandLayerChosenError(CoverageError):
    code = "demand_layer_not_chosen"
    message = _("Choose which imported places to use as demand.")


class NoPlacedWorkersError(CoverageError):
    code = "no_placed_workers"
    message = _(
        "No registered worker who consents names a usual work area with a station in "
        "service, so there is no worker demand to place (%(not_placed)s workers in "
        "communities without a station)."
    )


class NoCheckInOriginsError(CoverageError):
    code = "no_checkin_origins"
    message = _(
        "No check-in origins have been noted in the county in the last %(months)s "
        "months: they are noted only for workers who consent to it and who searched "
        "with the finder before checking in."
    )


class NoHazardReportsError(CoverageError):
    code = "no_hazard_reports"
    message = _(
        "No safety hazards have been reported in the county in the last %(months)s "
        "months."
    )


class InvalidPlacesFileError(CoverageError):
    """A places CSV that cannot be imported; ``problems`` lists each, translated."""

    code = "invalid_places_file"
    message = _("The file was not imported, and nothing was saved:")

    def __init__(self, problems: list[str]) -> None:
        super().__init__()
        self.problems = problems


class CoverageRunFailedUnexpectedlyError(CoverageError):
    code = "coverage_run_crashed"
    message = _(
        "The run stopped because of an unexpected error; the details are in the "
        "server log."
    )


class CoverageRunStalledError(CoverageError):
    """Its worker was killed mid-run (``housekeeping.fail_stalled_runs``)."""

    code = "coverage_run_stalled"
    message = _(
        "The plan stopped: the background worker ended before it finished. Start it "
        "again."
    )


class NetworkUploadTooLargeError(CoverageError):
    code = "network_upload_too_large"
    message = _(
        "The file is %(size_mb)s MB; at most %(limit_mb)s MB can be uploaded here. Cut "
        "a smaller area from the extract, or ask the server administrator to import it "
        "with manage.py import_roads."
    )


class NotAnExtractError(CoverageError):
    code = "network_upload_not_pbf"
    message = _(
        "The file %(name)s is not an OpenStreetMap extract in the .osm.pbf format "
        "(not .osm, .osm.bz2, .shp or .zip); nothing was imported."
    )


class NetworkImportInProgressError(ConflictError):
    code = "network_import_in_progress"
    message = _(
        "A road network is already being imported for this county; upload another "
        "file when it has finished."
    )


class NetworkImportNotFoundError(NotFoundError):
    code = "network_import_not_found"
    message = _("There is no such road network import.")


class NetworkImportFailedUnexpectedlyError(CoverageError):
    code = "network_import_crashed"
    message = _(
        "The import stopped because of an unexpected error; the details are in the "
        "server log."
    )


_ENGINE_ERRORS: dict[type[engine_errors.CoverageEngineError], type[CoverageError]] = {
    engine_errors.ExtractNotFoundError: ExtractNotFoundError,
    engine_errors.EmptyExtractError: EmptyExtractError,
    engine_errors.CorruptExtractError: CorruptExtractError,
    engine_errors.NoRoutableWaysError: NoRoutableWaysError,
    engine_errors.NetworkFileError: NetworkFileError,
    engine_errors.InvalidInputError: InvalidCoverageInputError,
}

_STORED_ERRORS: tuple[type[DomainError], ...] = (
    CoverageError,
    *_ENGINE_ERRORS.values(),
    NotACountyError,
    UnknownCountyError,
    InvalidCoverageParametersError,
    InvalidScenarioError,
    ScenarioBaseNotFinishedError,
    TooManySitesError,
    TooManyCandidatesError,
    TooManyPendingRunsError,
    NoDemandError,
    NetworkChangedError,
    NotCountyPlannerError,
    CoverageRunNotFoundError,
    CoverageRunFailedUnexpectedlyError,
    CoverageRunStalledError,
    NetworkFileMissingError,
    DemandLayerNotFoundError,
    NoDemandLayerChosenError,
    NoPlacedWorkersError,
    NoCheckInOriginsError,
    NoHazardReportsError,
    NetworkUploadTooLargeError,
    NotAnExtractError,
    NetworkImportInProgressError,
    NetworkImportNotFoundError,
    NetworkImportFailedUnexpectedlyError,
)
ERRORS_BY_CODE: dict[str, type[DomainError]] = {
    error.code: error for error in _STORED_ERRORS
}


def from_engine_error(error: engine_errors.CoverageEngineError) -> DomainError:
    """Return the domain error, with a translated message, for an engine error."""
    for engine_class in type(error).__mro__:
        domain_class = _ENGINE_ERRORS.get(engine_class)
        if domain_class is not None:
            params = dict(error.params)
            if "path" in params:
                # Users see the file's name, never the server's folders.
                params["path"] = PurePath(str(params["path"])).name
            return domain_class(**params)
    return CoverageError()


def error_from_code(
    code: str,
    params: dict[str, Any],
    unknown: type[DomainError] = CoverageRunFailedUnexpectedlyError,
) -> DomainError:
    """Rebuild a stored error (code and named values) to show it in the active language.

    An unknown code, or values that do not fit its message, give ``unknown()``.
    """
    error_class = ERRORS_BY_CODE.get(code, unknown)
    try:
        error = error_class(**params)
        _ = error.detail  # a missing named value would fail here
    except (KeyError, TypeError):
        return unknown()
    return error
