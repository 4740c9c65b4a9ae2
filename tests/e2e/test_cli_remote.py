"""``modules``, ``fields``, ``metadata pull``, ``submit``, ``status``, ``results``: sandbox."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bulkwizard.cli import build_parser
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.storage import paths

Cli = Callable[..., tuple[int, str, str]]


def result_rows(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                counts[row["STATUS"]] = counts.get(row["STATUS"], 0) + 1
    return counts


def test_help_on_every_command(cli: Cli) -> None:
    for command in ("login", "logout", "modules", "fields", "submit", "status", "results"):
        code, out, _ = cli(command, "--help")
        assert code == 0 and "--profile" in out, command
    code, out, _ = cli("profiles", "--help")
    assert code == 0 and "--json" in out
    code, out, _ = cli("metadata", "pull", "--help")
    assert code == 0 and "--out" in out and "--profile" in out
    assert build_parser().parse_args(["status", "1", "--profile", "x"]).profile == "x"


def test_modules_fields_and_metadata_pull(
    signed_in: SandboxServer, cli: Cli, tmp_path: Path
) -> None:
    code, out, _ = cli("modules", "--json")
    names = [m["api_name"] for m in json.loads(out)["modules"]]
    assert code == 0 and "Leads" in names and "Secondary" not in names
    code, out, _ = cli("fields", "Leads", "--json")
    fields = {f["api_name"]: f for f in json.loads(out)["fields"]}
    assert code == 0 and fields["Last_Name"]["mandatory"] is True
    code, _, err = cli("fields", "Nope")
    assert code == 1 and "INVALID_MODULE" in err
    code, out, _ = cli("metadata", "pull", "--out", tmp_path / "snap")
    assert code == 0 and (tmp_path / "snap" / "fields" / "Leads.json").is_file()
    code, out, _ = cli("metadata", "pull")
    assert code == 0 and (paths.cache_dir() / "metadata" / "sandbox" / "modules.json").is_file()


def test_submit_wait_writes_results_matching_the_counters(
    signed_in: SandboxServer, cli: Cli, leads_job: tuple[Path, Path], tmp_path: Path
) -> None:
    job_path, csv_path = leads_job
    out_dir = tmp_path / "results"
    code, out, err = cli(
        "submit", job_path, "--csv", csv_path, "--wait", "--out", out_dir, "--json"
    )
    assert code == 1, err  # one row was skipped: "failed rows" exit code
    summary = json.loads(out)["jobs"]
    assert len(summary) == 1
    job = summary[0]
    assert {
        k: job[k]
        for k in ("status", "added_count", "updated_count", "skipped_count", "total_count")
    } == {
        "status": "COMPLETED",
        "added_count": 3,
        "updated_count": 0,
        "skipped_count": 1,
        "total_count": 4,
    }
    rows = result_rows(out_dir)
    assert rows == {"ADDED": 3, "SKIPPED": 1}
    assert sum(rows.values()) == job["total_count"]
    assert "uploaded 100%" in err and "COMPLETED" in err

    code, out, _ = cli("status", job["id"], "--json")
    assert code == 1 and json.loads(out)["added_count"] == 3
    again = tmp_path / "again"
    code, out, _ = cli("results", job["id"], "--out", again)
    assert code == 1 and "Leads" in out
    assert "1  MANDATORY_NOT_FOUND-Last_Name" in out
    assert result_rows(again) == rows


def test_submit_refuses_a_job_the_validator_rejects(
    signed_in: SandboxServer, cli: Cli, leads_job: tuple[Path, Path]
) -> None:
    job_path, csv_path = leads_job
    job = json.loads(job_path.read_text())
    job["resource"][0]["field_mappings"][1]["api_name"] = "No_Such_Field"
    job_path.write_text(json.dumps(job))
    code, out, err = cli("submit", job_path, "--csv", csv_path)
    assert code == 1
    assert "INVALID_FIELD" in err and "Not submitted" in err
    assert "Uploading" not in err


def test_submit_usage_errors(
    signed_in: SandboxServer, cli: Cli, leads_job: tuple[Path, Path]
) -> None:
    job_path, csv_path = leads_job
    code, _, err = cli("submit", job_path, "--csv", csv_path.with_name("missing.csv"))
    assert code == 2 and "not found" in err
    job_path.write_text('{"operation": "insert", "resource": [')
    code, _, err = cli("submit", job_path, "--csv", csv_path)
    assert code == 2 and "line" in err


def test_submit_survives_429_and_5xx(
    make_sandbox: Callable[..., SandboxServer],
    cli: Cli,
    leads_job: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    # Upload and result download (idempotent) meet injected 429s and 500s; the fault draws
    # depend only on those requests, so a fixed seed gives the same run every time.
    sandbox = make_sandbox(faults="500=0.3,429=0.3,retry_after=0,seed=4,paths=/upload|/bulk-write/")
    code, _, err = cli("login", "--sandbox", "--sandbox-data", sandbox.config.data_dir)
    assert code == 0, err
    job_path, csv_path = leads_job
    code, out, err = cli(
        "submit", job_path, "--csv", csv_path, "--wait", "--out", tmp_path / "r", "--json"
    )
    assert code == 1, err
    assert json.loads(out)["jobs"][0]["total_count"] == 4
    assert "HTTP 429 TOO_MANY_REQUESTS; retry" in err
    assert "HTTP 500 INTERNAL_ERROR; retry" in err


def test_job_creation_is_never_retried_blindly(
    make_sandbox: Callable[..., SandboxServer],
    cli: Cli,
    leads_job: tuple[Path, Path],
) -> None:
    # Every create answers 500: an ambiguous failure, and the server cannot list jobs to check.
    sandbox = make_sandbox(faults="500=1,paths=^/crm/bulk/v8/write$")
    code, _, err = cli("login", "--sandbox", "--sandbox-data", sandbox.config.data_dir)
    assert code == 0, err
    job_path, csv_path = leads_job
    code, out, err = cli("submit", job_path, "--csv", csv_path)
    assert code == 3
    assert "may or may not have been created" in err and "Uploaded as file" in err
    assert err.count("creating the job") == 1
    # Submitting the same job and data again is refused until the user confirms.
    code, _, err = cli("submit", job_path, "--csv", csv_path)
    assert code == 1 and "may already exist" in err and "Uploading" not in err
    code, _, err = cli("submit", job_path, "--csv", csv_path, "--force")
    assert code == 3 and "Uploading" in err


def test_network_failure_exit_code(signed_in: SandboxServer, cli: Cli) -> None:
    signed_in.stop()
    code, _, err = cli("modules")
    assert code == 3 and "NETWORK_ERROR" in err


@pytest.mark.parametrize("command", [["status", "999"], ["results", "999", "--out", "x"]])
def test_unknown_job(signed_in: SandboxServer, cli: Cli, command: list[str]) -> None:
    code, _, err = cli(*command)
    assert code == 2 and "RESOURCE_NOT_FOUND" in err and "Check the id" in err


def test_profile_metadata_for_validate(signed_in: SandboxServer) -> None:
    from bulkwizard.commands.session import snapshot_for_profile

    pulled = snapshot_for_profile("sandbox")
    assert pulled.field("Leads", "Last_Name") is not None
    cached_file = paths.cache_dir() / "metadata" / "sandbox" / "modules.json"
    assert cached_file.is_file()
    signed_in.stop()  # the cached copy serves without a network
    assert set(snapshot_for_profile("sandbox").modules) == set(pulled.modules)


def test_validate_with_a_profile_uses_the_live_metadata(
    signed_in: SandboxServer, cli: Cli, leads_job: tuple[Path, Path]
) -> None:
    job_path, csv_path = leads_job
    code, out, err = cli(
        "validate", str(job_path), "--profile", "sandbox", "--csv", str(csv_path), "--before-upload"
    )
    assert (code, err) == (0, ""), out
    # A field the org does not have is caught from the live metadata, too.
    broken = json.loads(job_path.read_text(encoding="utf-8"))
    broken["resource"][0]["field_mappings"][1]["api_name"] = "Company_Name"
    job_path.write_text(json.dumps(broken), encoding="utf-8")
    code, out, _ = cli(
        "validate", str(job_path), "--profile", "sandbox", "--json", "--before-upload"
    )
    assert code == 1
    codes = {problem["code"] for problem in json.loads(out)["problems"]}
    assert "INVALID_FIELD" in codes


def test_validate_with_an_unknown_profile_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    job = tmp_path / "job.json"
    job.write_text('{"operation": "insert"}', encoding="utf-8")
    code, _, err = cli("validate", str(job), "--profile", "nobody")
    assert code == 2 and "bulkwizard-cli login" in err


def test_commands_reuse_the_access_token_across_runs(signed_in: SandboxServer, cli: Cli) -> None:
    # Each command is a new run; minting a token per run would meet Zoho's throttle (10 new
    # access tokens per refresh token per 10 minutes, which the sandbox enforces) by the 11th.
    for attempt in range(15):
        code, _, err = cli("modules", "--json")
        assert code == 0, f"run {attempt + 1}: {err}"


def test_a_stale_cached_access_token_is_replaced(signed_in: SandboxServer, cli: Cli) -> None:
    from bulkwizard.storage import secrets

    store = secrets.default_store()
    store.set(
        "sandbox",
        secrets.ACCESS_TOKEN,
        json.dumps({"access_token": "1000.dead.beef", "expires_at": 4102444800}),
    )
    code, _, err = cli("modules", "--json")  # 401 INVALID_TOKEN once, then a fresh token
    assert code == 0, err
    kept = json.loads(store.get("sandbox", secrets.ACCESS_TOKEN) or "{}")
    assert kept["access_token"] != "1000.dead.beef"


def test_token_throttle_says_wait_not_sign_in_again(
    make_sandbox: Callable[..., SandboxServer], cli: Cli
) -> None:
    sandbox = make_sandbox(token_mint_limit=1)  # the sign-in itself uses the one allowed mint
    code, _, err = cli("login", "--sandbox", "--sandbox-data", sandbox.config.data_dir)
    assert code == 0, err
    from bulkwizard.storage import secrets

    secrets.default_store().delete("sandbox", secrets.ACCESS_TOKEN)  # force a new mint
    code, _, err = cli("modules")
    assert code == 3
    assert "wait a few minutes" in err and "Sign in again" not in err


@pytest.mark.parametrize("job_id", ["../../users", "abc", "12 34"])
def test_a_job_id_that_cannot_be_one_is_refused_before_any_call(
    signed_in: SandboxServer, cli: Cli, job_id: str
) -> None:
    signed_in.stop()  # no request may be needed to say so
    for command in (["status", job_id], ["results", job_id, "--out", "x"]):
        code, _, err = cli(*command)
        assert code == 2 and "is not a job id" in err, err


def test_submit_of_a_csv_without_data_rows_says_so(
    signed_in: SandboxServer, cli: Cli, leads_job: tuple[Path, Path]
) -> None:
    job_path, csv_path = leads_job
    csv_path.write_text("Last_Name,Company,Email,Lead_Source\n", encoding="utf-8")
    code, out, err = cli("submit", job_path, "--csv", csv_path, "--wait", "--json")
    assert (code, out) == (2, "")
    assert "no data rows below the header" in err and "Uploading" not in err
    code, _, err = cli("submit", job_path, "--csv", csv_path.parent)
    assert code == 2 and "this is a folder" in err


def test_results_folder_problems_are_reported_not_raised(
    signed_in: SandboxServer, cli: Cli, leads_job: tuple[Path, Path], tmp_path: Path
) -> None:
    job_path, csv_path = leads_job
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")
    code, _, err = cli("submit", job_path, "--csv", csv_path, "--wait", "--out", a_file)
    assert code == 2 and "this is a file" in err and "Uploading" not in err
    code, out, err = cli(
        "submit", job_path, "--csv", csv_path, "--wait", "--json", "--out", tmp_path / "first"
    )
    job_id = json.loads(out)["jobs"][0]["id"]
    # A folder where the result zip should go: the write fails after the job has run.
    blocked = tmp_path / "blocked"
    (blocked / f"{job_id}.zip").mkdir(parents=True)
    code, _, err = cli("results", job_id, "--out", blocked)
    assert code == 2 and "Traceback" not in err
    assert f"cannot write the results of job {job_id}" in err
    assert f"bulkwizard-cli results {job_id} --out DIR" in err
    code, _, err = cli("results", job_id, "--out", a_file)
    assert code == 2 and "this is a file" in err


def test_submit_of_a_headerless_csv_imports_every_row(
    signed_in: SandboxServer, cli: Cli, leads_job: tuple[Path, Path], tmp_path: Path
) -> None:
    job_path, csv_path = leads_job
    csv_path.write_text(
        "Ann,Acme,ann@example.com,Web Download\nBob,Bco,bob@example.com,Cold Call\n",
        encoding="utf-8",
    )
    code, out, err = cli(
        "validate", job_path, "--profile", "sandbox", "--csv", csv_path, "--before-upload"
    )
    assert code == 0 and "HEADER_LOOKS_LIKE_DATA" in out  # as uploaded by hand, row 1 is lost
    code, out, err = cli(
        "submit", job_path, "--csv", csv_path, "--wait", "--json", "--out", tmp_path / "r"
    )
    assert code == 0, err
    assert "HEADER_LOOKS_LIKE_DATA" not in err  # submit writes column names of its own
    assert json.loads(out)["jobs"][0]["added_count"] == 2
    assert result_rows(tmp_path / "r") == {"ADDED": 2}
