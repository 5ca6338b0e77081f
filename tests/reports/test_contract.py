"""The API against its own OpenAPI document: generated requests (fixed seed, capped examples)
never get a server error or a response the document does not describe."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from reports import services

# The same document /api/schema/ serves (tests/reports/test_api.py checks that it is served).
DOCUMENT = json.loads(json.dumps(SchemaGenerator().get_schema(public=True), cls=DjangoJSONEncoder))
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture
def keep_the_test_connection():
    """The app is called in-process, inside the test's transaction: like Django's test client,
    keep the request signals from closing the connection that holds it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case, world, funder_lpei, keep_the_test_connection):
    key = services.api_key_issue(funder=funder_lpei, name="contract")[1]
    case.call_and_validate(
        app=application,
        headers={"Authorization": f"Api-Key {key}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
