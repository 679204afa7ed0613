"""The API's OpenAPI document matches the committed snapshot.

After an intended change to the API, rewrite the snapshot and review its diff:
UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py
"""

import json
import os
from pathlib import Path

from config.api import api

SNAPSHOT = Path(__file__).parent / "openapi_snapshot.json"


def _schema() -> dict:
    # A JSON round trip turns tuples and lazy strings into what the file holds.
    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


def test_openapi_schema_matches_the_snapshot():
    schema = _schema()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == schema
