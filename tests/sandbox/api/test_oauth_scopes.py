"""Scope matching: ALL, WRITE and parent paths imply narrower scopes, case-insensitively."""

from __future__ import annotations

import pytest

from bulkwizard.sandbox.http import grants_any, is_valid_scope, parse_scope_list
from bulkwizard.sandbox.http.scopes import grants


@pytest.mark.parametrize(
    ("granted", "required", "expected"),
    [
        ("ZohoCRM.modules.ALL", "ZohoCRM.modules.leads.CREATE", True),
        ("ZohoCRM.modules.leads.ALL", "ZohoCRM.modules.leads.READ", True),
        ("ZohoCRM.modules.leads.ALL", "ZohoCRM.modules.contacts.READ", False),
        ("ZohoCRM.modules.leads.READ", "ZohoCRM.modules.leads.CREATE", False),
        ("ZohoCRM.modules.leads.WRITE", "ZohoCRM.modules.leads.DELETE", True),
        ("ZohoCRM.modules.leads.WRITE", "ZohoCRM.modules.leads.READ", False),
        ("ZohoCRM.settings.ALL", "ZohoCRM.settings.fields.READ", True),
        ("ZohoCRM.settings.READ", "ZohoCRM.settings.layouts.READ", True),
        ("ZohoCRM.settings.fields.ALL", "ZohoCRM.settings.modules.READ", False),
        ("zohocrm.bulk.all", "ZohoCRM.bulk.CREATE", True),
        ("ZohoCRM.bulk.read", "ZohoCRM.bulk.READ", True),
        ("ZohoFiles.files.ALL", "ZohoCRM.files.ALL", False),
        ("ZohoCRM.modules", "ZohoCRM.modules.leads.READ", False),
    ],
)
def test_grants(granted: str, required: str, expected: bool) -> None:
    assert grants(granted, required) is expected


def test_alternatives() -> None:
    assert grants_any(["ZohoCRM.bulk.READ"], ["ZohoCRM.bulk.CREATE|ZohoCRM.bulk.READ"])
    assert grants_any(["ZohoCRM.bulk.READ"], ["ZohoCRM.bulk.CREATE", "ZohoCRM.bulk.READ"])
    assert not grants_any(["ZohoCRM.org.READ"], ["ZohoCRM.bulk.CREATE|ZohoCRM.bulk.READ"])


def test_scope_syntax() -> None:
    assert is_valid_scope("aaaserver.profile.READ")
    assert not is_valid_scope("ZohoCRM.modules")
    assert not is_valid_scope("ZohoCRM..ALL")
    assert parse_scope_list("ZohoCRM.org.READ, ZohoCRM.users.READ") == [
        "ZohoCRM.org.READ",
        "ZohoCRM.users.READ",
    ]
