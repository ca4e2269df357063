"""The API against its own OpenAPI spec (schemathesis): no 5xx answer, and every 4xx says
what is wrong."""

import schemathesis
from hypothesis import HealthCheck, settings

from evlaunch.web.app import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schemathesis.check
def client_errors_explain_themselves(ctx, response, case):
    if 400 <= response.status_code < 500:
        body = response.json()
        assert body.get("detail"), f"{response.status_code} without a detail: {body}"


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_contract(case):
    case.call_and_validate(checks=[client_errors_explain_themselves])
