"""Fault injection: spec parsing, HTTP faults over loopback, determinism, job-fault draws."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from bulkwizard.sandbox.faults import Faults, FaultSpec, FaultSpecError
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import access_token


def org(sandbox: SandboxServer, token: str) -> requests.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    return requests.get(f"{sandbox.base_url}/crm/v8/org", headers=headers, timeout=10)


def test_parse_full_spec() -> None:
    spec = FaultSpec.parse(
        "500=0.1, 429=0.05,retry_after=3,slow=0.2:1500,expire_tokens=0.5,token_uses=2,"
        "fail_job=1,truncate_result=0,paths=/crm/bulk/,seed=7"
    )
    assert spec.probabilities == {
        "500": 0.1,
        "429": 0.05,
        "slow": 0.2,
        "expire_tokens": 0.5,
        "fail_job": 1.0,
        "truncate_result": 0.0,
    }
    assert (spec.slow_ms, spec.retry_after, spec.token_uses) == (1500, 3, 2)
    assert (spec.paths, spec.seed) == ("/crm/bulk/", 7)
    assert FaultSpec.parse(None) == FaultSpec()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("500=2", "between 0 and 1"),
        ("boom=1", "unknown fault 'boom'"),
        ("429", "needs a value"),
        ("slow=0.5:fast", "slow=0.5:fast"),
        ("token_uses=0", "at least 1"),
        ("paths=(", "paths=("),
    ],
)
def test_parse_errors_name_the_item(text: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message.replace("(", r"\(")):
        FaultSpec.parse(text)


def test_429_carries_retry_after(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(faults="429=1,retry_after=4")
    response = org(sandbox, access_token(sandbox))  # the token endpoint is never faulted
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "4"
    assert response.json()["code"] == "TOO_MANY_REQUESTS"


def test_500_always(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(faults="500=1")
    response = org(sandbox, access_token(sandbox))
    assert response.status_code == 500
    assert response.json() == {
        "code": "INTERNAL_ERROR",
        "details": {},
        "message": "Internal Server Error",
        "status": "error",
    }


def test_same_seed_same_faults(make_sandbox: Callable[..., SandboxServer], tmp_path) -> None:  # type: ignore[no-untyped-def]
    patterns = []
    for run in range(2):
        sandbox = make_sandbox(faults="500=0.5,seed=11", data_dir=tmp_path / f"run{run}")
        token = access_token(sandbox)
        patterns.append([org(sandbox, token).status_code for _ in range(20)])
        sandbox.stop()
    assert patterns[0] == patterns[1]
    assert set(patterns[0]) == {200, 500}


def test_paths_filter(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(faults="500=1,paths=/settings/")
    token = access_token(sandbox)
    assert org(sandbox, token).status_code == 200
    fields = requests.get(
        f"{sandbox.base_url}/crm/v8/settings/fields?module=Leads",
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
        timeout=10,
    )
    assert fields.status_code == 500


def test_token_uses_expires_tokens_deterministically(
    make_sandbox: Callable[..., SandboxServer],
) -> None:
    sandbox = make_sandbox(faults="token_uses=2")
    token = access_token(sandbox)
    assert [org(sandbox, token).status_code for _ in range(3)] == [200, 200, 401]
    assert org(sandbox, token).json()["code"] == "INVALID_TOKEN"
    assert org(sandbox, access_token(sandbox)).status_code == 200  # refreshing recovers


def test_expire_tokens(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(faults="expire_tokens=1")
    response = org(sandbox, access_token(sandbox))
    assert response.status_code == 401 and response.json()["code"] == "INVALID_TOKEN"


def test_job_fault_draws_are_deterministic() -> None:
    first = Faults("fail_job=0.5,seed=3")
    second = Faults("fail_job=0.5,seed=3")
    draws = [first.should("fail_job") for _ in range(30)]
    assert draws == [second.should("fail_job") for _ in range(30)]
    assert True in draws and False in draws
    assert Faults("fail_job=1").should("fail_job") is True
    assert Faults(None).should("truncate_result") is False
    assert Faults(None).active is False


def test_faults_reach_the_state(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(faults="fail_job=1,truncate_result=1")
    assert sandbox.state is not None
    assert sandbox.state.faults.should("fail_job")
    assert sandbox.state.faults.should("truncate_result")
