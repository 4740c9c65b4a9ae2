"""Upload, create, poll, download against the sandbox; splitting; parent-child in one zip."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bulkwizard.core.job import BulkWriteJob, FieldMapping, ModuleRef, Resource
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.errors import ZohoApiError
from bulkwizard.zoho.packaging import build_packages, match_csvs
from bulkwizard.zoho.submit import Events, submit

Connect = Callable[..., ZohoClient]


def leads_job(file_name: str = "leads.csv") -> BulkWriteJob:
    return BulkWriteJob(
        operation="insert",
        resources=[
            Resource(
                module=ModuleRef("Leads"),
                file_names=[file_name],
                field_mappings=[
                    FieldMapping("Last_Name", index=0),
                    FieldMapping("Company", index=1),
                    FieldMapping("Email", index=2),
                ],
            )
        ],
    )


def write_leads(path: Path, count: int) -> Path:
    lines = ["Last_Name,Company,Email"]
    lines += [f"Person{i},Company {i},p{i}@example.com" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_upload_reports_progress_and_returns_a_file_id(
    sandbox: SandboxServer, connect_client: Connect, tmp_path: Path
) -> None:
    client = connect_client(sandbox)
    csv_path = write_leads(tmp_path / "leads.csv", 500)
    (package,) = build_packages(leads_job(), {0: csv_path}, tmp_path / "zips")
    seen: list[tuple[int, int]] = []
    file_id = client.upload(package.zip_path, progress=lambda s, t: seen.append((s, t)))
    assert file_id.isdigit()
    total = seen[-1][1]
    assert seen[-1] == (total, total) and total > package.zip_path.stat().st_size
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)


def test_upload_with_a_wrong_org_gets_the_file_server_error(
    sandbox: SandboxServer, connect_client: Connect, tmp_path: Path
) -> None:
    client = connect_client(sandbox)
    client.profile.org_zgid = "1"
    (package,) = build_packages(leads_job(), {0: write_leads(tmp_path / "l.csv", 2)}, tmp_path)
    with pytest.raises(ZohoApiError) as caught:
        client.upload(package.zip_path)
    assert caught.value.http_status == 400
    assert "X-CRM-ORG" in caught.value.message
    assert caught.value.request == "POST /crm/v8/upload"


def test_create_job_errors_are_typed(sandbox: SandboxServer, connect_client: Connect) -> None:
    client = connect_client(sandbox)
    job = leads_job()
    job.resources[0].file_id = "123456789"
    with pytest.raises(ZohoApiError) as caught:
        client.create_job(job)
    assert caught.value.code == "INVALID_FILE_ID" and caught.value.http_status == 400
    assert caught.value.request == "POST /crm/bulk/v8/write"
    assert not caught.value.ambiguous
    with pytest.raises(ZohoApiError) as caught:
        client.job("999")
    assert caught.value.code == "RESOURCE_NOT_FOUND" and caught.value.http_status == 404


def test_big_csv_becomes_several_jobs_with_all_results(
    sandbox: SandboxServer, connect_client: Connect, tmp_path: Path
) -> None:
    client = connect_client(sandbox)
    csv_path = write_leads(tmp_path / "leads.csv", 25)
    packages = build_packages(leads_job(), {0: csv_path}, tmp_path / "zips", max_rows=10)
    assert [p.rows for p in packages] == [10, 10, 5]
    updates: list[str] = []
    done = submit(
        client,
        packages,
        wait=True,
        out_dir=tmp_path / "results",
        events=Events(job=lambda d: updates.append(d.status)),
    )
    assert len({d.job_id for d in done}) == 3
    for item in done:
        assert item.details is not None and item.details.status == "COMPLETED"
        counts = item.details.counts
        assert counts.added_count == counts.total_count == item.package.rows
        assert item.result_rows == {"ADDED": item.package.rows}
        assert all(p.parent == tmp_path / "results" / item.job_id for p in item.result_files)
    assert "COMPLETED" in updates


def test_parent_and_child_travel_in_one_zip(
    sandbox: SandboxServer, connect_client: Connect, tmp_path: Path
) -> None:
    client = connect_client(sandbox)
    leads = tmp_path / "leads.csv"
    leads.write_text("Last_Name,Company\nAlpha,A Inc\nBeta,B Inc\n", encoding="utf-8")
    children = tmp_path / "secondary.csv"
    children.write_text(
        "Secondary_Email,Lead\nalpha2@example.com,Alpha\nalpha3@example.com,Alpha\n"
        "beta2@example.com,Beta\n",
        encoding="utf-8",
    )
    job = BulkWriteJob(
        operation="insert",
        resources=[
            Resource(
                module=ModuleRef("Leads"),
                file_names=["leads.csv"],
                field_mappings=[
                    FieldMapping("Last_Name", index=0),
                    FieldMapping("Company", index=1),
                ],
            ),
            Resource(
                module=ModuleRef("Secondary"),
                file_names=["secondary.csv"],
                field_mappings=[
                    FieldMapping("Secondary_Email", index=0),
                    FieldMapping("Parent_Id", index=1, parent_column_index=0),
                ],
            ),
        ],
    )
    csvs = match_csvs(job, [str(leads), f"secondary.csv={children}"])
    (package,) = build_packages(job, csvs, tmp_path / "zips")
    with zipfile.ZipFile(package.zip_path) as archive:
        assert sorted(archive.namelist()) == ["leads.csv", "secondary.csv"]
    (item,) = submit(client, [package], wait=True, out_dir=tmp_path / "out")
    assert item.details is not None and item.details.status == "COMPLETED"
    parent, child = item.details.resources
    assert (parent.module, parent.file.added_count) == ("Leads", 2)
    assert (child.module, child.file.added_count) == ("Secondary", 3)
    assert item.result_rows == {"ADDED": 2}
    assert len(item.result_files) == 2


def test_result_download_is_streamed_and_relative_urls_resolve(
    sandbox: SandboxServer, connect_client: Connect, tmp_path: Path
) -> None:
    client = connect_client(sandbox)
    (package,) = build_packages(leads_job(), {0: write_leads(tmp_path / "l.csv", 3)}, tmp_path)
    (item,) = submit(client, [package], wait=True, out_dir=None)
    assert item.details is not None and item.details.download_url
    url = item.details.download_url
    assert url.startswith(sandbox.base_url)
    relative = url[len(sandbox.base_url) :]
    assert client.result_url(relative) == url
    target = tmp_path / "dl" / "result.zip"
    client.download_result(relative, target)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in target.parent.iterdir()] == ["result.zip"]  # no temp file left


def test_create_job_429_is_a_refusal_and_waits_before_retrying(
    make_sandbox: Callable[..., SandboxServer], connect_client: Connect, tmp_path: Path
) -> None:
    sandbox = make_sandbox(faults="429=1,retry_after=3,paths=^/crm/bulk/v8/write$")
    client = connect_client(sandbox)
    (package,) = build_packages(leads_job(), {0: write_leads(tmp_path / "l.csv", 2)}, tmp_path)
    job = package.job.copy()
    job.resources[0].file_id = client.upload(package.zip_path)
    with pytest.raises(ZohoApiError) as caught:
        client.create_job(job)
    assert caught.value.http_status == 429
    assert client.transport.sleep == [3.0, 3.0]  # the server's Retry-After, between 3 tries


def test_a_failing_later_part_names_the_jobs_already_created(
    sandbox: SandboxServer, connect_client: Connect, tmp_path: Path
) -> None:
    from bulkwizard.zoho.errors import ZohoNetworkError
    from bulkwizard.zoho.http import RetryPolicy
    from bulkwizard.zoho.submit import PartialSubmitError

    client = connect_client(sandbox, retry=RetryPolicy(attempts=1))
    csv_path = write_leads(tmp_path / "leads.csv", 5)
    packages = build_packages(leads_job(), {0: csv_path}, tmp_path / "zips", max_rows=2)
    assert [p.rows for p in packages] == [2, 2, 1]

    def stage(text: str) -> None:
        if "part-002" in text:
            sandbox.stop()  # the network goes away between the first and the second part

    with pytest.raises(PartialSubmitError) as caught:
        submit(client, packages, wait=False, out_dir=None, events=Events(stage=stage))
    error = caught.value
    assert isinstance(error.cause, ZohoNetworkError)
    [created] = error.created
    assert created.job_id.isdigit() and created.package is packages[0]
    assert error.rows_not_submitted == 3
    assert f"job(s) {created.job_id} (2 rows) were created" in str(error)
    assert "Do not submit the whole file again" in str(error)


def test_a_job_id_is_one_path_segment(sandbox: SandboxServer, connect_client: Connect) -> None:
    # "../../v8/org" must not turn GET /crm/bulk/v8/write/{id} into another endpoint.
    client = connect_client(sandbox)
    with pytest.raises(ZohoApiError) as caught:
        client.job("../../../v8/org")
    assert (caught.value.code, caught.value.http_status) == ("RESOURCE_NOT_FOUND", 404)
    assert caught.value.request == "GET /crm/bulk/v8/write/..%2F..%2F..%2Fv8%2Forg"
