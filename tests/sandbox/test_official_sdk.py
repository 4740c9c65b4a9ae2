"""Zoho's official Python SDK (``zohocrmsdk8-0``) drives the sandbox as if it were Zoho.

The SDK gets a custom data centre whose API, accounts (token) and file-upload URLs all point at the
sandbox, an OAuthToken built from the sandbox's demo refresh token, and a file TokenStore in
tmp_path. It then uploads a zip, creates a job, polls it to COMPLETED and downloads the result,
and its parsed objects must carry Zoho-shaped values.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore
from zohocrmsdk.src.com.zoho.crm.api.bulk_write import (
    BulkWriteOperations,
    FieldMapping,
    FileBodyWrapper,
    RequestWrapper,
    Resource,
)
from zohocrmsdk.src.com.zoho.crm.api.bulk_write.bulk_write_operations import (
    UploadFileHeader,
)
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.header_map import HeaderMap
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.modules import MinifiedModule
from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zohocrmsdk.src.com.zoho.crm.api.util import Choice, StreamWrapper

from bulkwizard.sandbox.server import SandboxServer

NUMERIC_ID = re.compile(r"^\d{19}$")


class SandboxDataCenter(DataCenter):
    """A data centre whose every host is the sandbox (the SDK's documented extension point)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def get_iam_url(self) -> str:
        return f"{self.base_url}/oauth/v2/token"

    def get_file_upload_url(self) -> str:
        # The SDK rewrites https://content.zohoapis.com/crm/v8/upload onto this host.
        return self.base_url

    def environment(self) -> DataCenter.Environment:
        return DataCenter.Environment(self.base_url, self.get_iam_url(), self.get_file_upload_url())


@pytest.fixture
def sdk_sandbox(sandbox: SandboxServer, tmp_path: Path) -> Iterator[SandboxServer]:
    credentials = sandbox.credentials
    token = OAuthToken(
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        refresh_token=credentials["refresh_token"],
    )
    resources = tmp_path / "sdk-resources"
    resources.mkdir()
    Initializer.initialize(
        environment=SandboxDataCenter(sandbox.base_url).environment(),
        token=token,
        store=FileStore(str(tmp_path / "sdk_tokens.csv")),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=False),
        resource_path=str(resources),
    )
    yield sandbox
    Initializer.initializer = None


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "sdk_leads.csv",
            "Last_Name,Company,Email\nAda,Acme,ada@sdk.test\nBob,,bob@sdk.test\n",
        )
    return path


def test_sdk_upload_create_poll_download(sdk_sandbox: SandboxServer, tmp_path: Path) -> None:
    operations = BulkWriteOperations()

    # Upload the zip with the SDK's multipart body and its two upload headers.
    body = FileBodyWrapper()
    body.set_file(StreamWrapper(file_path=str(_zip(tmp_path / "sdk_leads.zip"))))
    headers = HeaderMap()
    headers.add(UploadFileHeader.feature, "bulk-write")
    headers.add(UploadFileHeader.x_crm_org, sdk_sandbox.credentials["zgid"])
    upload = operations.upload_file(body, headers)
    assert upload.get_status_code() == 200
    assert upload.get_headers()["Content-Type"].startswith("application/json")
    uploaded = upload.get_object()
    assert uploaded.get_status().get_value() == "success"
    assert uploaded.get_code().get_value() == "FILE_UPLOAD_SUCCESS"
    # The sandbox sends a numeric string; the SDK's model types file_id as int64 and converts it.
    file_id = str(uploaded.get_details()["file_id"])
    assert NUMERIC_ID.match(file_id)

    # Create the job from SDK model objects.
    mappings = []
    for index, api_name in enumerate(("Last_Name", "Company", "Email")):
        mapping = FieldMapping()
        mapping.set_api_name(api_name)
        mapping.set_index(index)
        mappings.append(mapping)
    module = MinifiedModule()
    module.set_api_name("Leads")
    resource = Resource()
    resource.set_type(Choice("data"))
    resource.set_module(module)
    resource.set_file_id(file_id)
    resource.set_ignore_empty(True)
    resource.set_field_mappings(mappings)
    request = RequestWrapper()
    request.set_character_encoding("UTF-8")
    request.set_operation(Choice("insert"))
    request.set_resource([resource])
    created = operations.create_bulk_write_job(request)
    assert created.get_status_code() == 201
    action = created.get_object()
    assert action.get_code().get_value() == "SUCCESS"
    job_id = action.get_details()["id"]
    assert isinstance(job_id, str) and NUMERIC_ID.match(job_id)
    creator = action.get_details()["created_by"]
    # User ids are int64 in the SDK's model: it parses the sandbox's numeric string into a number.
    assert (str(creator.get_id()), creator.get_name()) == ("4876876000000411001", "Patricia Boyle")

    # Poll to COMPLETED through the SDK's parsed BulkWriteResponse.
    deadline = time.monotonic() + 60
    while True:
        polled = operations.get_bulk_write_job_details(job_id)
        assert polled.get_status_code() == 200
        details: Any = polled.get_object()
        if details.get_status() in ("COMPLETED", "FAILED"):
            break
        assert time.monotonic() < deadline, "job did not finish"
        time.sleep(0.1)
    # The SDK models the job's status and operation as plain strings, the resource's as Choices.
    assert details.get_status() == "COMPLETED"
    assert details.get_id() == job_id
    assert details.get_operation() == "insert"
    assert details.get_character_encoding() == "UTF-8"
    assert isinstance(details.get_created_time(), datetime)
    assert details.get_created_time().utcoffset() is not None
    assert NUMERIC_ID.match(str(details.get_created_by().get_id()))
    [parsed] = details.get_resource()
    assert parsed.get_module().get_api_name() == "Leads"
    assert parsed.get_status().get_value() == "COMPLETED"
    file = parsed.get_file()
    assert (file.get_name(), file.get_total_count()) == ("sdk_leads.csv", 2)
    assert (file.get_added_count(), file.get_skipped_count(), file.get_updated_count()) == (1, 1, 0)
    assert [m.get_api_name() for m in parsed.get_field_mappings()] == [
        "Last_Name",
        "Company",
        "Email",
    ]
    download_url = details.get_result().get_download_url()
    assert download_url.startswith(sdk_sandbox.base_url)

    # Download the result: a file response the SDK wraps in a StreamWrapper.
    downloaded = operations.download_bulk_write_result(download_url)
    assert downloaded.get_status_code() == 200
    assert downloaded.get_headers()["Content-Type"] == "application/zip"
    assert "attachment" in downloaded.get_headers()["Content-Disposition"]
    stream = downloaded.get_object().get_file()
    assert stream.get_name() == f"{job_id}.zip"
    data = b"".join(stream.get_stream())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [name] = archive.namelist()
        lines = archive.read(name).decode("utf-8").splitlines()
    assert name == "Leads-sdk_leads.csv"
    assert lines[0] == "Last_Name,Company,Email,STATUS,RECORD_ID,ERRORS"
    assert lines[2] == "Bob,,bob@sdk.test,SKIPPED,,MANDATORY_NOT_FOUND-Company"


def test_sdk_reads_a_zoho_error(sdk_sandbox: SandboxServer) -> None:
    polled = BulkWriteOperations().get_bulk_write_job_details("4876876999999999999")
    assert polled.get_status_code() == 404
    error = polled.get_object()
    assert error.get_code().get_value() == "RESOURCE_NOT_FOUND"
    assert error.get_status().get_value() == "error"
