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
    DemandLayerNotFoundError,
    NoDemandLayerChosenError,
    NoPlacedWorkersError,
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


def error_from_code(code: str, params: dict[str, Any]) -> DomainError:
    """Rebuild a stored error (code and named values) to show it in the active language."""
    error_class = ERRORS_BY_CODE.get(code, CoverageRunFailedUnexpectedlyError)
    try:
        error = error_class(**params)
        _ = error.detail  # a missing named value would fail here
    except (KeyError, TypeError):
        return CoverageRunFailedUnexpectedlyError()
    return error
