"""Client parts that need no server: data centres, redaction, tokens, jobs, upload bodies."""

from __future__ import annotations

import email.parser
import email.policy
import logging
from pathlib import Path

import pytest

from bulkwizard.zoho import datacenters
from bulkwizard.zoho.jobs import IN_PROGRESS, normalise_status, parse_created, parse_job
from bulkwizard.zoho.redact import MASK, get_logger, redact, redact_value
from bulkwizard.zoho.tokens import RefreshingTokenProvider, TokenResponse, lifetime_seconds
from bulkwizard.zoho.upload import MultipartFileBody

TOKEN = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"


def test_every_documented_datacentre_is_known() -> None:
    assert set(datacenters.DATACENTRES) == {"US", "EU", "IN", "AU", "JP", "CN", "CA", "SA", "UK"}
    ca = datacenters.get("ca")
    assert ca.accounts_url == "https://accounts.zohocloud.ca"
    assert ca.api_url == "https://www.zohoapis.ca"
    assert datacenters.get("AU").api_url == "https://www.zohoapis.com.au"
    with pytest.raises(datacenters.UnknownDataCentreError, match="US, EU"):
        datacenters.get("XX")


def test_redirect_location_and_api_domain_resolve_to_a_datacentre() -> None:
    assert datacenters.from_location("eu", None) == datacenters.get("EU")
    by_server = datacenters.from_location("us", "https://accounts.zoho.in")
    assert by_server is not None and by_server.code == "IN"
    assert datacenters.from_location(None, "https://evil.example") is None
    assert datacenters.for_api_domain("https://www.zohoapis.jp") == datacenters.get("JP")


def test_custom_datacentre_uses_one_base_url() -> None:
    centre = datacenters.custom("http://127.0.0.1:8123/")
    assert centre.code == datacenters.CUSTOM
    assert centre.accounts_url == centre.api_url == centre.upload_url == "http://127.0.0.1:8123"
    assert centre.hosts == frozenset({"127.0.0.1:8123"})
    with pytest.raises(ValueError, match="not a web address"):
        datacenters.custom("ftp:/nowhere")


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Zoho-oauthtoken {TOKEN}",
        f"{{'Authorization': 'Zoho-oauthtoken {TOKEN}'}}",
        f"grant_type=refresh_token&refresh_token={TOKEN}&client_secret=s3cr3t",
        f'{{"access_token": "{TOKEN}", "expires_in": 3600}}',
        f"GET /callback?code={TOKEN}&state=abc",
        f"token {TOKEN} leaked",
    ],
)
def test_redact_masks_secrets(text: str) -> None:
    cleaned = redact(text)
    assert TOKEN not in cleaned
    assert "s3cr3t" not in cleaned
    assert MASK in cleaned


def test_redact_keeps_zoho_error_codes() -> None:
    text = '{"code": "INVALID_TOKEN", "message": "invalid oauth token"}'
    assert redact(text) == text
    assert redact_value({"code": "X", "refresh_token": "abc", "nested": [f"t {TOKEN}"]}) == {
        "code": "X",
        "refresh_token": MASK,
        "nested": [f"t {MASK}"],
    }


def test_logger_filter_redacts_authorization(caplog: pytest.LogCaptureFixture) -> None:
    log = get_logger("bulkwizard.zoho.test_units")
    with caplog.at_level(logging.DEBUG, logger="bulkwizard"):
        log.debug("headers %s", {"Authorization": f"Zoho-oauthtoken {TOKEN}"})
        try:
            raise RuntimeError(f"boom refresh_token={TOKEN}")
        except RuntimeError:
            log.exception("failed")
    assert TOKEN not in caplog.text
    assert "Authorization" in caplog.text and MASK in caplog.text


def test_lifetime_handles_seconds_and_the_legacy_millisecond_shape() -> None:
    assert lifetime_seconds({"expires_in": 3600}) == 3600
    assert lifetime_seconds({"expires_in": 3600000, "expires_in_sec": 3600}) == 3600
    assert lifetime_seconds({"expires_in": 3600000, "expires_in_sec": "x"}) == 3600
    assert lifetime_seconds({}) == 3600


def test_provider_reuses_the_token_until_shortly_before_expiry() -> None:
    now = [0.0]
    minted: list[str] = []

    def refresh() -> TokenResponse:
        minted.append(f"t{len(minted)}")
        return TokenResponse(access_token=minted[-1], expires_in=3600)

    provider = RefreshingTokenProvider(refresh, clock=lambda: now[0])
    assert [provider.access_token() for _ in range(5)] == ["t0"] * 5
    now[0] = 3600 - 61
    assert provider.access_token() == "t0"
    now[0] = 3600 - 59  # inside the 60 s margin
    assert provider.access_token() == "t1"
    provider.invalidate("stale")  # not the current token: ignored
    assert provider.access_token() == "t1"
    provider.invalidate("t1")
    assert provider.access_token() == "t2"
    assert provider.minted == 3
    assert "t2" not in repr(TokenResponse(access_token="t2", expires_in=1))


def test_job_details_accept_both_progress_spellings_and_numeric_ids() -> None:
    assert normalise_status("INPROGRESS") == IN_PROGRESS
    assert normalise_status("In Progress") == IN_PROGRESS
    job = parse_job(
        {
            "id": 111000541958,
            "status": "COMPLETED",
            "operation": "insert",
            "result": {"download_url": "/v8/crm/org1/bulk-write/1/1.zip"},
            "resource": [
                {
                    "status": "COMPLETED",
                    "code": "INPROGRESS",
                    "module": {"api_name": "Leads"},
                    "file": {
                        "name": "a.csv",
                        "added_count": 9,
                        "skipped_count": "2",
                        "updated_count": 0,
                        "total_count": 11,
                    },
                }
            ],
        }
    )
    assert job.id == "111000541958"
    assert job.finished and job.resources[0].code == IN_PROGRESS
    assert job.summary() == {
        "id": "111000541958",
        "status": "COMPLETED",
        "added_count": 9,
        "updated_count": 0,
        "skipped_count": 2,
        "total_count": 11,
    }
    wrapped = parse_job({"data": [{"id": "5", "status": "INPROGRESS"}]})
    assert wrapped.status == IN_PROGRESS and not wrapped.finished
    assert parse_created({"details": {"id": 42}}) == "42"


def test_multipart_body_streams_the_file_and_reports_progress(tmp_path: Path) -> None:
    payload = bytes(range(256)) * 1000
    path = tmp_path / "Leads.zip"
    path.write_bytes(payload)
    seen: list[tuple[int, int]] = []
    body = MultipartFileBody(path, progress=lambda sent, total: seen.append((sent, total)))
    chunks = []
    while chunk := body.read(8192):
        chunks.append(chunk)
    raw = b"".join(chunks)
    assert len(raw) == len(body)
    assert seen[-1] == (len(body), len(body))
    assert len(seen) > 3
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + raw
    )
    part = next(message.iter_parts())
    assert part.get_filename() == "Leads.zip"
    assert part.get_payload(decode=True) == payload


def test_token_goes_only_to_profile_or_zoho_hosts() -> None:
    from bulkwizard.zoho.http import Transport
    from bulkwizard.zoho.tokens import StaticTokenProvider

    assert ".zoho.com" in datacenters.ZOHO_DOMAIN_SUFFIXES
    assert ".zohocloud.ca" in datacenters.ZOHO_DOMAIN_SUFFIXES
    transport = Transport(
        StaticTokenProvider("t"),
        trusted_hosts=["www.zohoapis.eu"],
        trusted_suffixes=datacenters.ZOHO_DOMAIN_SUFFIXES,
    )
    assert transport.trusts("https://www.zohoapis.eu/crm/v8/org")
    assert transport.trusts("https://download-accl.zoho.eu/v2/crm/1/bulk-write/2/2.zip")
    assert not transport.trusts("http://download-accl.zoho.eu/x.zip")  # never over plain http
    assert not transport.trusts("https://zoho.com.evil.example/x.zip")
    assert not transport.trusts("https://evilzoho.com/x.zip")
