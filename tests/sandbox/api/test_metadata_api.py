"""Metadata endpoints: org, users, modules, fields, layouts, with Zoho's errors."""

from __future__ import annotations

import pytest
import requests

from bulkwizard.sandbox.demo import metadata as demo_metadata
from bulkwizard.sandbox.demo.org import layout_id


def get(session: requests.Session, path: str) -> requests.Response:
    return session.get(f"{session.base_url}{path}", timeout=10)  # type: ignore[attr-defined]


def test_org_has_numeric_zgid(sandbox_session: requests.Session) -> None:
    response = get(sandbox_session, "/crm/v8/org")
    assert response.status_code == 200
    org = response.json()["org"][0]
    assert org["zgid"] == "700812345" and org["zgid"].isdigit()
    assert org["id"].isdigit() and len(org["id"]) == 19
    assert org["type"] == "production"
    assert org["license_details"]["paid_type"] == "enterprise"


def test_current_user_and_user_types(sandbox_session: requests.Session) -> None:
    current = get(sandbox_session, "/crm/v8/users?type=CurrentUser").json()
    assert [u["full_name"] for u in current["users"]] == ["Patricia Boyle"]
    assert current["users"][0]["profile"]["name"] == "Administrator"
    assert current["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}
    everyone = get(sandbox_session, "/crm/v8/users?type=AllUsers").json()["users"]
    assert len(everyone) == 6
    admins = get(sandbox_session, "/crm/v8/users?type=AdminUsers").json()["users"]
    assert {u["full_name"] for u in admins} == {"Patricia Boyle", "Marcus Chen"}
    inactive = get(sandbox_session, "/crm/v8/users?type=DeactiveUsers").json()["users"]
    assert [u["full_name"] for u in inactive] == ["Tom Okafor"]
    assert get(sandbox_session, "/crm/v8/users?type=DeletedUsers").status_code == 204
    paged = get(sandbox_session, "/crm/v8/users?type=AllUsers&per_page=4&page=2").json()
    assert paged["info"] == {"per_page": 4, "count": 2, "page": 2, "more_records": False}
    bad = get(sandbox_session, "/crm/v8/users?type=Everyone")
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_DATA"
    one = get(sandbox_session, f"/crm/v8/users/{current['users'][0]['id']}").json()
    assert one["users"][0]["email"] == "patricia.boyle@zylker-demo.com"


def test_modules_are_the_demo_metadata(sandbox_session: requests.Session) -> None:
    response = get(sandbox_session, "/crm/v8/settings/modules")
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert response.json() == demo_metadata.modules_body()
    visible = get(sandbox_session, "/crm/v8/settings/modules?status=visible").json()["modules"]
    assert "Secondary" not in {m["api_name"] for m in visible}
    assert "Leads" in {m["api_name"] for m in visible}


def test_single_module(sandbox_session: requests.Session) -> None:
    body = get(sandbox_session, "/crm/v8/settings/modules/Deals").json()
    module = body["modules"][0]
    assert module["api_name"] == "Deals"
    assert module["id"] == demo_metadata.MODULE_IDS["Deals"]
    assert [layout["name"] for layout in module["layouts"]] == ["Standard", "Renewals"]
    bad = get(sandbox_session, "/crm/v8/settings/modules/Nope")
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_MODULE"


@pytest.mark.parametrize("module", sorted(demo_metadata.fields_bodies()))
def test_fields_of_every_module(sandbox_session: requests.Session, module: str) -> None:
    response = get(sandbox_session, f"/crm/v8/settings/fields?module={module}")
    assert response.status_code == 200
    assert response.json() == demo_metadata.fields_bodies()[module]


def test_fields_options_and_errors(sandbox_session: requests.Session) -> None:
    expected = demo_metadata.fields_bodies()["Leads"]
    assert get(sandbox_session, "/crm/v2.1/settings/fields?module=leads").json() == expected
    assert get(sandbox_session, "/crm/v8/settings/fields?module=Leads&type=all").json() == expected
    assert (
        get(sandbox_session, "/crm/v8/settings/fields?module=Leads&type=unused").status_code == 204
    )
    missing = get(sandbox_session, "/crm/v8/settings/fields")
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param": "module"},
        "message": "One of the expected parameter is missing",
        "status": "error",
    }
    unknown = get(sandbox_session, "/crm/v8/settings/fields?module=Nope")
    assert unknown.status_code == 400 and unknown.json()["code"] == "INVALID_MODULE"
    email = next(f for f in expected["fields"] if f["api_name"] == "Email")
    one = get(sandbox_session, f"/crm/v8/settings/fields/{email['id']}?module=Leads").json()
    assert one == {"fields": [email]}


def test_layouts(sandbox_session: requests.Session) -> None:
    body = get(sandbox_session, "/crm/v8/settings/layouts?module=Leads").json()
    standard, partner = body["layouts"]
    assert standard["id"] == layout_id("Leads", 0) and standard["id"].isdigit()
    assert partner["name"] == "Partner Leads"

    def required(layout: dict[str, object]) -> set[str]:
        return {
            field["api_name"]
            for section in layout["sections"]  # type: ignore[attr-defined]
            for field in section["fields"]
            if field["required"]
        }

    assert required(standard) == {"Last_Name", "Company"}
    assert required(partner) == {"Last_Name", "Company", "Email", "Lead_Source"}
    subform_sections = [s for s in standard["sections"] if s["isSubformSection"]]
    assert [s["api_name"] for s in subform_sections] == ["Secondary_Contacts"]
    one = get(sandbox_session, f"/crm/v8/settings/layouts/{partner['id']}?module=Leads").json()
    assert one["layouts"][0]["name"] == "Partner Leads"
    assert get(sandbox_session, "/crm/v8/settings/layouts").json()["code"] == (
        "REQUIRED_PARAM_MISSING"
    )
    assert get(sandbox_session, "/crm/v8/settings/layouts?module=Secondary").json()["code"] == (
        "INVALID_MODULE"
    )


def test_unknown_path_and_method(sandbox_session: requests.Session) -> None:
    unknown = get(sandbox_session, "/crm/v8/settings/nothing/here")
    assert unknown.status_code == 404 and unknown.json()["code"] == "INVALID_URL_PATTERN"
    wrong_method = sandbox_session.post(
        f"{sandbox_session.base_url}/crm/v8/org",  # type: ignore[attr-defined]
        timeout=10,
    )
    assert wrong_method.status_code == 400
    assert wrong_method.json()["code"] == "INVALID_REQUEST_METHOD"
    not_a_version = get(sandbox_session, "/crm/version8/org")
    assert not_a_version.status_code == 404
