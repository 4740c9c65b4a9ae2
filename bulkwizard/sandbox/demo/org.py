"""The demo org around the demo metadata: organization, users, layouts and the OAuth client.

Modules and fields come from :mod:`bulkwizard.sandbox.demo.metadata` (the single source); this
module adds what the Org, Users and Layouts APIs serve. Seeded records live in
:mod:`bulkwizard.sandbox.demo.records`.
"""

from __future__ import annotations

import copy
from typing import Any

from bulkwizard.sandbox.demo.metadata import MODULE_IDS, ORG_PREFIX

JsonObject = dict[str, Any]

ZGID = "700812345"
ORG_ID = f"{ORG_PREFIX}020005"
TIME_ZONE = "America/Los_Angeles"
DEMO_CLIENT_NAME = "bulkwizard sandbox (Self Client)"

_ROLE_CEO = {"name": "CEO", "id": f"{ORG_PREFIX}026005"}
_ROLE_MANAGER = {"name": "Manager", "id": f"{ORG_PREFIX}026008"}
_ROLE_REP = {"name": "Sales Representative", "id": f"{ORG_PREFIX}026009"}
_PROFILE_ADMIN = {"name": "Administrator", "id": f"{ORG_PREFIX}026011"}
_PROFILE_STANDARD = {"name": "Standard", "id": f"{ORG_PREFIX}026014"}


def org_body() -> JsonObject:
    """The Org API response body (``GET /crm/v{N}/org``)."""
    return {
        "org": [
            {
                "id": ORG_ID,
                "zgid": ZGID,
                "domain_name": f"org{ZGID}",
                "company_name": "Zylker Demo",
                "alias": "Zylker",
                "primary_email": "patricia.boyle@zylker-demo.com",
                "primary_zuid": "700812346",
                "type": "production",
                "time_zone": TIME_ZONE,
                "country_code": "US",
                "country": "United States",
                "city": "Austin",
                "state": "Texas",
                "phone": "+1 512 555 0100",
                "website": "https://www.zylker-demo.com",
                "iso_code": "USD",
                "currency": "US Dollar - USD",
                "currency_symbol": "$",
                "currency_locale": "USD",
                "mc_status": False,
                "gapps_enabled": False,
                "privacy_settings": True,
                "license_details": {
                    "paid": True,
                    "paid_type": "enterprise",
                    "paid_expiry": "2027-12-31T23:59:59-08:00",
                    "trial_type": None,
                    "trial_expiry": None,
                    "users_license_purchased": 10,
                },
            }
        ]
    }


def _user(
    number: int,
    first: str,
    last: str,
    role: JsonObject,
    profile: JsonObject,
    status: str = "active",
    confirm: bool = True,
) -> JsonObject:
    email = f"{first}.{last}@zylker-demo.com".lower()
    return {
        "id": f"{ORG_PREFIX}{411000 + number:06d}",
        "full_name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "name": f"{first} {last}",
        "email": email,
        "role": dict(role),
        "profile": dict(profile),
        "status": status,
        "confirm": confirm,
        "zuid": str(700812346 + number),
        "time_zone": TIME_ZONE,
        "locale": "en_US",
        "language": "en_US",
        "country": "US",
        "country_locale": "en_US",
        "date_format": "MMM d, yyyy",
        "time_format": "hh:mm a",
        "created_time": "2025-06-02T09:00:00-07:00",
        "Modified_Time": "2026-01-15T09:30:00-08:00",
    }


def users() -> list[JsonObject]:
    """The org's users; the first (Patricia Boyle, administrator) is the API's current user."""
    return [
        _user(1, "Patricia", "Boyle", _ROLE_CEO, _PROFILE_ADMIN),
        _user(2, "Marcus", "Chen", _ROLE_MANAGER, _PROFILE_ADMIN),
        _user(3, "Aisha", "Rahman", _ROLE_REP, _PROFILE_STANDARD),
        _user(4, "Diego", "Alvarez", _ROLE_REP, _PROFILE_STANDARD),
        _user(5, "Hannah", "Kowalski", _ROLE_REP, _PROFILE_STANDARD, confirm=False),
        _user(6, "Tom", "Okafor", _ROLE_REP, _PROFILE_STANDARD, status="disabled"),
    ]


USER_TYPES = (
    "AllUsers",
    "ActiveUsers",
    "DeactiveUsers",
    "ConfirmedUsers",
    "NotConfirmedUsers",
    "DeletedUsers",
    "ActiveConfirmedUsers",
    "AdminUsers",
    "ActiveConfirmedAdmins",
    "CurrentUser",
)


def users_of_type(all_users: list[JsonObject], kind: str, current_id: str) -> list[JsonObject]:
    """Filter users as the Users API ``type`` parameter does."""
    active = [u for u in all_users if u["status"] == "active"]
    admins = [u for u in all_users if u["profile"]["name"] == "Administrator"]
    selections: dict[str, list[JsonObject]] = {
        "AllUsers": [u for u in all_users if u["status"] != "deleted"],
        "ActiveUsers": active,
        "DeactiveUsers": [u for u in all_users if u["status"] == "disabled"],
        "ConfirmedUsers": [u for u in all_users if u["confirm"]],
        "NotConfirmedUsers": [u for u in all_users if not u["confirm"]],
        "DeletedUsers": [u for u in all_users if u["status"] == "deleted"],
        "ActiveConfirmedUsers": [u for u in active if u["confirm"]],
        "AdminUsers": admins,
        "ActiveConfirmedAdmins": [u for u in admins if u in active and u["confirm"]],
        "CurrentUser": [u for u in all_users if u["id"] == current_id],
    }
    return selections[kind]


# Extra layouts beyond each module's "Standard" one: module -> (name, fields required there).
_EXTRA_LAYOUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Leads": ("Partner Leads", ("Email", "Lead_Source")),
    "Deals": ("Renewals", ("Account_Name", "Amount")),
}


def layout_id(module: str, number: int = 0) -> str:
    """The id of a module's layout (0 = Standard)."""
    base = int(MODULE_IDS[module][-6:])
    return f"{ORG_PREFIX}{500000 + base * 4 + number:06d}"


def layouts_body(module: str, fields_body: JsonObject) -> JsonObject:
    """The Layouts API response body of a module (``GET /settings/layouts?module=``)."""
    owner = users()[0]
    layouts = []
    variants: list[tuple[str, tuple[str, ...]]] = [("Standard", ())]
    if module in _EXTRA_LAYOUTS:
        variants.append(_EXTRA_LAYOUTS[module])
    for number, (name, extra_required) in enumerate(variants):
        main_fields = []
        subform_sections = []
        for field in fields_body["fields"]:
            item = copy.deepcopy(field)
            item["required"] = bool(field["system_mandatory"]) or field["api_name"] in (
                extra_required
            )
            if field["data_type"] == "subform":
                subform_sections.append(
                    {
                        "display_label": field["field_label"],
                        "api_name": field["api_name"],
                        "name": field["field_label"],
                        "sequence_number": 0,
                        "isSubformSection": True,
                        "type": "used",
                        "mode": "edit",
                        "generated_type": "custom",
                        "column_count": 1,
                        "tab_traversal": 1,
                        "fields": [item],
                    }
                )
            else:
                main_fields.append(item)
        sections = [
            {
                "display_label": f"{module[:-1] if module.endswith('s') else module} Information",
                "api_name": f"{module}_Information",
                "name": f"{module} Information",
                "sequence_number": 1,
                "isSubformSection": False,
                "type": "used",
                "mode": "edit",
                "generated_type": "default",
                "column_count": 2,
                "tab_traversal": 1,
                "fields": main_fields,
            }
        ]
        for position, section in enumerate(subform_sections, start=2):
            section["sequence_number"] = position
            sections.append(section)
        layouts.append(
            {
                "id": layout_id(module, number),
                "name": name,
                "api_name": name.replace(" ", "_"),
                "display_label": name,
                "status": "active",
                "visible": True,
                "source": "crm",
                "mode": "edit",
                "generated_type": "default" if number == 0 else "custom",
                "show_business_card": False,
                "convert_mapping": {} if module == "Leads" else None,
                "created_time": "2025-06-02T09:00:00-07:00",
                "modified_time": "2026-01-15T09:30:00-08:00",
                "created_by": None,
                "modified_by": {"name": owner["full_name"], "id": owner["id"]},
                "profiles": [
                    {"name": _PROFILE_ADMIN["name"], "id": _PROFILE_ADMIN["id"], "default": True},
                    {
                        "name": _PROFILE_STANDARD["name"],
                        "id": _PROFILE_STANDARD["id"],
                        "default": number == 0,
                    },
                ],
                "sections": sections,
            }
        )
    return {"layouts": layouts}
