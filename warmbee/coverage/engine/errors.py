"""Errors raised by the coverage engine: English messages, a stable code, no Django.

The Django layer maps each ``code`` to a translated message; ``params`` holds the named
values the message refers to.
"""

from typing import Any


class CoverageEngineError(Exception):
    """The base of every engine error."""

    code = "coverage_engine_error"
    message_template = "The coverage engine failed."

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(
            self.message_template % params if params else self.message_template
        )


class ExtractError(CoverageEngineError):
    """An OpenStreetMap extract could not be turned into a road network."""

    code = "extract_error"
    message_template = "The extract %(path)s could not be read."


class ExtractNotFoundError(ExtractError):
    code = "extract_not_found"
    message_template = "There is no file at %(path)s."


class EmptyExtractError(ExtractError):
    code = "extract_empty"
    message_template = "The extract %(path)s contains no OpenStreetMap data."


class CorruptExtractError(ExtractError):
    code = "extract_corrupt"
    message_template = (
        "The extract %(path)s is not a readable .osm.pbf file (%(reason)s)."
    )


class NoRoutableWaysError(ExtractError):
    code = "extract_no_routable_ways"
    message_template = "The extract %(path)s has no roads or paths usable on foot, by e-bike or by car."


class NetworkFileError(CoverageEngineError):
    """A saved road network is missing, unreadable or of another format version."""

    code = "network_file_invalid"
    message_template = "The road network file %(path)s cannot be used (%(reason)s)."


class InvalidInputError(CoverageEngineError):
    """Arrays of the wrong shape or values out of range were passed to the engine."""

    code = "invalid_input"
    message_template = "Invalid input: %(reason)s."
