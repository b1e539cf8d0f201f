"""schemathesis against the app's own ``/openapi.json`` (issue 14, "What it must show").

Every ``/api/v1`` operation is called with generated inputs and an admin's bearer token:
no server error, no status the document does not list, every body as documented. Bounded
(a few examples per operation) so it runs in well under a minute on DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from padu.accounts import add_user, issue_token
from padu.web import create_app
from padu.web.config import WebSettings
from tests.conftest import Stores

PASSWORD = "sandi-uji-yang-panjang"  # noqa: S105 - a test account's password
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def served(stores: Stores, snapshot: int, tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    """The app with its stores open (lifespan run) and an admin's token."""
    add_user(stores.catalog, "admin1", PASSWORD, "admin", actor="penguji")
    token = issue_token(stores.catalog, "admin1", "penguji")
    app = create_app(
        WebSettings(
            home=tmp_path / "web-home",
            warehouse_url=stores.warehouse_url,
            catalog_url=stores.catalog_url,
            secret_key="k" * 40,
        )
    )
    with TestClient(app):
        yield app, token


@pytest.mark.slow
@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_api_conforms_to_its_openapi(served: tuple[FastAPI, str]) -> None:
    app, token = served
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [
        op.ok() for op in schema.get_all_operations() if op.ok().path.startswith("/api/v1")
    ]
    assert len(operations) == 4
    failures: list[str] = []
    calls: list[str] = []
    failures: list[str] = []
    for operation in operations:
        strategy = operation.as_strategy()

        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(case=strategy)
        def run(case: schemathesis.Case) -> None:
            calls.append(case.method)
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert len(calls) >= 4 * 5  # every operation really called, several times
