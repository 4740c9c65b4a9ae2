"""Zoho data centres: which accounts, API, upload and download hosts serve an org.

The table follows ``zoho-api.md`` §1.1. A profile stores the URLs it resolved to, so a custom
endpoint (the bundled sandbox, a proxy) is simply a :class:`DataCentre` with code ``CUSTOM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

CUSTOM = "CUSTOM"


@dataclass(frozen=True)
class DataCentre:
    """The base URLs of one data centre (no trailing slash).

    Attributes:
        code: ``US``, ``EU`` ... or ``CUSTOM``.
        accounts_url: OAuth server (``/oauth/v2/token`` lives here).
        api_url: CRM API domain (``/crm/v8/...``).
        upload_url: host of ``/crm/v8/upload`` (the SDK's per-DC content host).
        download_url: host a relative bulk-write ``download_url`` is resolved against.
    """

    code: str
    accounts_url: str
    api_url: str
    upload_url: str
    download_url: str

    @property
    def hosts(self) -> frozenset[str]:
        """Host names this data centre's URLs point at (for deciding where a token may go)."""
        return frozenset(
            urlsplit(url).netloc.lower()
            for url in (self.accounts_url, self.api_url, self.upload_url, self.download_url)
        )


def _zoho(
    code: str, tld: str, accounts: str | None = None, upload: str | None = None
) -> DataCentre:
    return DataCentre(
        code=code,
        accounts_url=accounts or f"https://accounts.zoho.{tld}",
        api_url=f"https://www.zohoapis.{tld}",
        upload_url=upload or f"https://content.zohoapis.{tld}",
        download_url=f"https://download-accl.zoho.{tld}",
    )


DATACENTRES: dict[str, DataCentre] = {
    "US": _zoho("US", "com"),
    "EU": _zoho("EU", "eu"),
    "IN": _zoho("IN", "in"),
    "AU": _zoho("AU", "com.au"),
    "JP": _zoho("JP", "jp"),
    "CN": _zoho("CN", "com.cn"),
    # Canada's accounts server lives under zohocloud.ca while its API lives under zohoapis.ca.
    "CA": DataCentre(
        code="CA",
        accounts_url="https://accounts.zohocloud.ca",
        api_url="https://www.zohoapis.ca",
        upload_url="https://upload.zohocloud.ca",
        download_url="https://download-accl.zohocloud.ca",
    ),
    "SA": _zoho("SA", "sa", upload="https://files.zoho.sa"),
    # UK's upload host is not documented (UNVERIFIED); the common upload endpoint serves all DCs.
    "UK": _zoho("UK", "uk", upload="https://upload.zoho.com"),
}

# ".zoho.com", ".zohoapis.eu", ".zohocloud.ca" ...: the domains of every data centre's hosts.
ZOHO_DOMAIN_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "." + urlsplit(url).netloc.split(".", 1)[1]
            for centre in DATACENTRES.values()
            for url in (centre.accounts_url, centre.api_url, centre.upload_url, centre.download_url)
        }
    )
)

# The ``location`` query parameter of an authorization redirect -> data centre code.
_LOCATIONS = {code.lower(): code for code in DATACENTRES}


class UnknownDataCentreError(ValueError):
    """A data-centre code or location that is not in the table."""


def get(code: str) -> DataCentre:
    """Return the data centre for ``code`` (case-insensitive).

    Raises:
        UnknownDataCentreError: names the valid codes.
    """
    try:
        return DATACENTRES[code.upper()]
    except KeyError:
        valid = ", ".join(DATACENTRES)
        raise UnknownDataCentreError(
            f"unknown data centre {code!r}; use one of {valid}, or give custom URLs"
        ) from None


def custom(
    base_url: str,
    *,
    accounts_url: str | None = None,
    upload_url: str | None = None,
    download_url: str | None = None,
) -> DataCentre:
    """A data centre whose services all live under ``base_url`` unless given separately.

    The sandbox serves OAuth, API, upload and downloads from one loopback address.
    """
    base = normalise_url(base_url)
    return DataCentre(
        code=CUSTOM,
        accounts_url=normalise_url(accounts_url) if accounts_url else base,
        api_url=base,
        upload_url=normalise_url(upload_url) if upload_url else base,
        download_url=normalise_url(download_url) if download_url else base,
    )


def from_location(location: str | None, accounts_server: str | None) -> DataCentre | None:
    """The data centre an authorization redirect points at (``location`` / ``accounts-server``)."""
    if accounts_server:
        host = urlsplit(accounts_server).netloc.lower()
        for centre in DATACENTRES.values():
            if urlsplit(centre.accounts_url).netloc.lower() == host:
                return centre
    if location and location.lower() in _LOCATIONS:
        return DATACENTRES[_LOCATIONS[location.lower()]]
    return None


def for_api_domain(api_domain: str) -> DataCentre | None:
    """The data centre whose API domain is ``api_domain`` (from a token response), if known."""
    host = urlsplit(api_domain).netloc.lower()
    for centre in DATACENTRES.values():
        if urlsplit(centre.api_url).netloc.lower() == host:
            return centre
    return None


def normalise_url(url: str) -> str:
    """``url`` without a trailing slash; raises ``ValueError`` unless it is http(s) with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not a web address (expected http://host[:port] or https://…)")
    return url.strip().rstrip("/")
