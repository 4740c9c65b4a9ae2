"""The demo org's modules and fields, as Zoho's Modules and Fields API response bodies.

This is the single source of the sandbox's metadata: the sandbox serves these bodies, the test
suite's metadata snapshot (``tests/data/demo_snapshot``) is generated from them, and
``write_snapshot()`` writes them as a metadata snapshot folder.

The org models a small sales team ("Zylker Demo"): Leads (with a ``Secondary`` subform and a
multi-select lookup to Contacts through the ``Lead_Contact_Lookup`` linking module), Contacts,
Accounts, Deals, Products, Quotes (with ``Quoted_Items`` line items) and a custom module
``Vehicles`` (with a multi-user lookup through ``Vehicles_X_Users``). Every field type a bulk
import meets appears at least once.
"""

from __future__ import annotations

import os
from typing import Any

from bulkwizard.core.metadata import MetadataSnapshot

ORG_PREFIX = "4876876000000"
JsonObject = dict[str, Any]


class _Ids:
    """Deterministic 19-digit ids, so snapshots and records are stable across runs."""

    def __init__(self, start: int) -> None:
        self.next = start

    def __call__(self) -> str:
        self.next += 1
        return f"{ORG_PREFIX}{self.next:06d}"


_field_ids = _Ids(100000)

_TEXT_LENGTHS = {"text": 255, "email": 100, "phone": 30, "website": 255, "textarea": 2000}


def _field(
    api_name: str,
    data_type: str,
    label: str | None = None,
    *,
    mandatory: bool = False,
    unique: bool = False,
    read_only: bool = False,
    custom: bool = False,
    length: int | None = None,
    decimals: int | None = None,
    picklist: list[str] | None = None,
    lookup: str | None = None,
    extra: JsonObject | None = None,
) -> JsonObject:
    """Build one field object in the Fields API shape."""
    json_type = {
        "integer": "integer",
        "bigint": "integer",
        "double": "double",
        "currency": "double",
        "percent": "double",
        "boolean": "boolean",
        "lookup": "jsonobject",
        "ownerlookup": "jsonobject",
        "userlookup": "jsonobject",
        "multiselectpicklist": "jsonarray",
        "multiselectlookup": "jsonarray",
        "multiuserlookup": "jsonarray",
        "subform": "jsonarray",
    }.get(data_type, "string")
    label = label or api_name.replace("_", " ")
    computed = data_type in ("formula", "autonumber") or read_only
    data: JsonObject = {
        "api_name": api_name,
        "field_label": label,
        "display_label": label,
        "id": _field_ids(),
        "data_type": data_type,
        "json_type": json_type,
        "system_mandatory": mandatory,
        "read_only": False,
        "field_read_only": computed,
        "custom_field": custom,
        "visible": True,
        "length": length
        if length is not None
        else _TEXT_LENGTHS.get(data_type, 120 if lookup else 255),
        "decimal_place": decimals,
        "unique": {"casesensitive": False} if unique else {},
        "operation_type": {
            "api_create": not computed,
            "api_update": not computed,
            "web_create": not computed,
            "web_update": not computed,
        },
        "pick_list_values": [],
        "lookup": {},
        "multiselectlookup": {},
        "multiuserlookup": {},
        "subform": None,
        "formula": {},
        "auto_number": {},
    }
    if picklist is not None:
        options = ["-None-", *picklist] if data_type == "picklist" else picklist
        data["pick_list_values"] = [
            {
                "display_value": value,
                "actual_value": value,
                "id": _field_ids(),
                "type": "used",
                "sequence_number": position + 1,
            }
            for position, value in enumerate(options)
        ]
    if lookup is not None:
        data["lookup"] = {
            "module": {"api_name": lookup, "id": MODULE_IDS.get(lookup, "")},
            "display_label": label,
            "api_name": api_name,
            "id": _field_ids(),
        }
    if data_type == "formula":
        data["formula"] = {"return_type": "double", "expression": "Amount*Probability/100"}
    if data_type == "autonumber":
        data["auto_number"] = {"prefix": "", "suffix": "", "start_number": 1000}
    if extra:
        data.update(extra)
    return data


def _owner() -> JsonObject:
    return _field("Owner", "ownerlookup", "Owner", lookup="Users", length=120)


def _audit_fields() -> list[JsonObject]:
    """System fields every record module has; Zoho sets them, imports cannot."""
    return [
        _field("Created_Time", "datetime", read_only=True),
        _field("Modified_Time", "datetime", read_only=True),
        _field("Created_By", "ownerlookup", read_only=True, lookup="Users"),
        _field("Modified_By", "ownerlookup", read_only=True, lookup="Users"),
    ]


def _linking_info(
    field_api_name: str, label: str, linking: str, connected: str, back: str, forward: str
) -> JsonObject:
    return {
        "linking_module": {"api_name": linking, "id": MODULE_IDS[linking]},
        "connected_module": {"api_name": connected, "id": MODULE_IDS.get(connected, "")},
        "lookup_apiname": back,
        "connectedlookup_apiname": forward,
        "api_name": field_api_name,
        "display_label": label,
        "id": _field_ids(),
        "record_access": False,
    }


# name -> (singular, plural, generated_type, display field, module id)
_MODULES: list[tuple[str, str, str, str, str | None]] = [
    ("Leads", "Lead", "Leads", "default", "Full_Name"),
    ("Contacts", "Contact", "Contacts", "default", "Full_Name"),
    ("Accounts", "Account", "Accounts", "default", "Account_Name"),
    ("Deals", "Deal", "Deals", "default", "Deal_Name"),
    ("Products", "Product", "Products", "default", "Product_Name"),
    ("Quotes", "Quote", "Quotes", "default", "Subject"),
    ("Vehicles", "Vehicle", "Vehicles", "custom", "Name"),
    ("Secondary", "Secondary Contact", "Secondary Contacts", "subform", None),
    ("Quoted_Items", "Quoted Item", "Quoted Items", "subform", None),
    ("Lead_Contact_Lookup", "Lead X Contact", "Leads X Contacts", "linking", None),
    ("Vehicles_X_Users", "Vehicle X User", "Vehicles X Users", "linking", None),
    ("Users", "User", "Users", "default", "full_name"),
    ("Home", "Home", "Home", "default", None),
]
MODULE_IDS: dict[str, str] = {
    name: f"{ORG_PREFIX}{2175 + i:06d}" for i, (name, *_r) in enumerate(_MODULES)
}

LEAD_SOURCES = [
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "Partner",
    "Trade Show",
    "Web Download",
]
INDUSTRIES = [
    "Automotive",
    "Banking",
    "Construction",
    "Education",
    "Healthcare",
    "Retail",
    "Technology",
]
DEAL_STAGES = [
    "Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
    "Negotiation/Review", "Closed Won", "Closed Lost",
]  # fmt: skip


def modules_body() -> JsonObject:
    """The Modules API response body of the demo org."""
    modules = []
    for sequence, (name, singular, plural, generated, display) in enumerate(_MODULES, start=1):
        is_record_module = generated in ("default", "custom") and name not in ("Users", "Home")
        modules.append(
            {
                "api_name": name,
                "module_name": name,
                "id": MODULE_IDS[name],
                "singular_label": singular,
                "plural_label": plural,
                "actual_singular_label": singular,
                "actual_plural_label": plural,
                "api_supported": name != "Home",
                "creatable": is_record_module or generated in ("subform", "linking"),
                "editable": is_record_module or generated in ("subform", "linking"),
                "deletable": is_record_module,
                "viewable": True,
                "convertable": name == "Leads",
                "generated_type": generated,
                "visible": generated in ("default", "custom"),
                "visibility": 1,
                "status": "visible" if generated in ("default", "custom") else "system_hidden",
                "show_as_tab": generated in ("default", "custom"),
                "sequence_number": sequence,
                "parent_module": {},
                "display_field": {"api_name": display} if display else None,
                "modified_time": "2026-01-15T09:30:00-08:00",
            }
        )
    return {"modules": modules}


def fields_bodies() -> dict[str, JsonObject]:
    """The Fields API response body of every module the demo org imports into."""
    _field_ids.next = 100000  # stable ids however often this is called
    lead_status = [
        "Attempted to Contact", "Contact in Future", "Contacted", "Junk Lead", "Not Contacted",
        "Pre-Qualified",
    ]  # fmt: skip
    leads = [
        _owner(),
        _field("Lead_Number", "autonumber", "Lead Number"),
        _field("First_Name", "text", "First Name", length=40),
        _field("Last_Name", "text", "Last Name", mandatory=True, length=80),
        _field("Full_Name", "text", "Full Name", read_only=True),
        _field("Company", "text", mandatory=True, length=200),
        _field("Email", "email", unique=True),
        _field("Secondary_Email", "email", "Secondary Email"),
        _field("Phone", "phone"),
        _field("Mobile", "phone"),
        _field("Website", "website"),
        _field("Lead_Source", "picklist", "Lead Source", picklist=LEAD_SOURCES),
        _field("Lead_Status", "picklist", "Lead Status", picklist=lead_status),
        _field("Industry", "picklist", picklist=INDUSTRIES),
        _field("Annual_Revenue", "currency", "Annual Revenue", length=16, decimals=2),
        _field("No_of_Employees", "integer", "No. of Employees", length=9),
        _field(
            "Rating",
            "picklist",
            picklist=["Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down"],
        ),  # fmt: skip
        _field("Email_Opt_Out", "boolean", "Email Opt Out"),
        _field("Description", "textarea", extra={"textarea": {"type": "large"}}, length=32000),
        _field(
            "Interests",
            "multiselectpicklist",
            custom=True,
            picklist=["CRM", "Analytics", "Marketing", "Support", "Mobile"],
        ),  # fmt: skip
        _field("Preferred_Call_Date", "date", "Preferred Call Date", custom=True),
        _field("Last_Contacted_At", "datetime", "Last Contacted At", custom=True),
        _field("Lead_Score", "double", "Lead Score", custom=True, length=16, decimals=2),
        _field("Referred_By", "lookup", "Referred By", custom=True, lookup="Contacts"),
        _field(
            "Secondary_Contacts",
            "subform",
            "Secondary Contacts",
            custom=True,
            extra={
                "subform": {"module": "Secondary", "id": MODULE_IDS["Secondary"]},
                "associated_module": {"module": "Secondary", "id": MODULE_IDS["Secondary"]},
            },
        ),  # fmt: skip
        _field(
            "Related_Contacts",
            "multiselectlookup",
            "Related Contacts",
            custom=True,
            extra={
                "multiselectlookup": _linking_info(
                    "Related_Contacts",
                    "Related Contacts",
                    "Lead_Contact_Lookup",
                    "Contacts",
                    "Leads",
                    "Contacts",
                ),
            },
        ),  # fmt: skip
        *_audit_fields(),
    ]
    secondary = [
        _field("Secondary_Email", "email", "Secondary Email", custom=True),
        _field("Secondary_Phone", "phone", "Secondary Phone", custom=True),
        _field(
            "Relationship",
            "picklist",
            custom=True,
            picklist=["Assistant", "Colleague", "Manager", "Other"],
        ),  # fmt: skip
        _field("Parent_Id", "lookup", "Parent Id", lookup="Leads"),
    ]
    lead_contact = [
        _field("Leads", "lookup", "Leads", mandatory=True, lookup="Leads"),
        _field("Contacts", "lookup", "Contacts", mandatory=True, lookup="Contacts"),
        _field("Created_Time", "datetime", read_only=True),
    ]
    contacts = [
        _owner(),
        _field("First_Name", "text", "First Name", length=40),
        _field("Last_Name", "text", "Last Name", mandatory=True, length=80),
        _field("Full_Name", "text", "Full Name", read_only=True),
        _field("Email", "email", unique=True),
        _field("Phone", "phone"),
        _field("Mobile", "phone"),
        _field("Title", "text"),
        _field("Department", "text"),
        _field("Account_Name", "lookup", "Account Name", lookup="Accounts"),
        _field("Lead_Source", "picklist", "Lead Source", picklist=LEAD_SOURCES),
        _field("Date_of_Birth", "date", "Date of Birth"),
        _field("Mailing_Street", "text", "Mailing Street"),
        _field("Mailing_City", "text", "Mailing City"),
        _field("Mailing_Country", "text", "Mailing Country"),
        _field("Email_Opt_Out", "boolean", "Email Opt Out"),
        _field("Description", "textarea", extra={"textarea": {"type": "large"}}, length=32000),
        *_audit_fields(),
    ]
    accounts = [
        _owner(),
        _field("Account_Name", "text", "Account Name", mandatory=True, unique=True, length=200),
        _field("Account_Number", "bigint", "Account Number", unique=True, length=16),
        _field("Website", "website"),
        _field("Phone", "phone"),
        _field("Industry", "picklist", picklist=INDUSTRIES),
        _field(
            "Account_Type",
            "picklist",
            "Account Type",
            picklist=["Analyst", "Competitor", "Customer", "Partner", "Prospect", "Reseller"],
        ),  # fmt: skip
        _field("Annual_Revenue", "currency", "Annual Revenue", length=16, decimals=2),
        _field("Employees", "integer", length=9),
        _field("Billing_City", "text", "Billing City"),
        _field("Billing_Country", "text", "Billing Country"),
        _field("Parent_Account", "lookup", "Parent Account", lookup="Accounts"),
        _field("Description", "textarea", extra={"textarea": {"type": "large"}}, length=32000),
        *_audit_fields(),
    ]
    deals = [
        _owner(),
        _field("Deal_Name", "text", "Deal Name", mandatory=True, length=120),
        _field("Account_Name", "lookup", "Account Name", lookup="Accounts"),
        _field("Contact_Name", "lookup", "Contact Name", lookup="Contacts"),
        _field("Stage", "picklist", mandatory=True, picklist=DEAL_STAGES),
        _field("Closing_Date", "date", "Closing Date", mandatory=True),
        _field("Amount", "currency", length=16, decimals=2),
        _field("Probability", "percent", "Probability (%)", length=3),
        _field("Expected_Revenue", "formula", "Expected Revenue"),
        _field("Type", "picklist", picklist=["Existing Business", "New Business"]),
        _field("Lead_Source", "picklist", "Lead Source", picklist=LEAD_SOURCES),
        _field("Next_Step", "text", "Next Step", length=100),
        _field("Description", "textarea", extra={"textarea": {"type": "large"}}, length=32000),
        *_audit_fields(),
    ]
    products = [
        _owner(),
        _field("Product_Name", "text", "Product Name", mandatory=True, length=120),
        _field("Product_Code", "text", "Product Code", unique=True, length=40),
        _field(
            "Product_Category",
            "picklist",
            "Product Category",
            picklist=["Hardware", "Software", "Service"],
        ),  # fmt: skip
        _field("Unit_Price", "currency", "Unit Price", length=16, decimals=2),
        _field("Qty_in_Stock", "double", "Qty in Stock", length=16, decimals=2),
        _field("Product_Active", "boolean", "Product Active"),
        _field("Sales_Start_Date", "date", "Sales Start Date"),
        _field("Tax", "multiselectpicklist", picklist=["Sales Tax", "VAT", "Service Tax"]),
        _field("Description", "textarea", extra={"textarea": {"type": "large"}}, length=32000),
        *_audit_fields(),
    ]
    quotes = [
        _owner(),
        _field("Subject", "text", mandatory=True, length=120),
        _field("Quote_Number", "autonumber", "Quote Number"),
        _field("Account_Name", "lookup", "Account Name", mandatory=True, lookup="Accounts"),
        _field("Deal_Name", "lookup", "Deal Name", lookup="Deals"),
        _field("Contact_Name", "lookup", "Contact Name", lookup="Contacts"),
        _field(
            "Quote_Stage",
            "picklist",
            "Quote Stage",
            picklist=[
                "Draft",
                "Negotiation",
                "Delivered",
                "On Hold",
                "Confirmed",
                "Closed Won",
                "Closed Lost",
            ],
        ),  # fmt: skip
        _field("Valid_Till", "date", "Valid Till"),
        _field("Grand_Total", "formula", "Grand Total"),
        _field(
            "Quoted_Items",
            "subform",
            "Quoted Items",
            mandatory=True,
            extra={
                "subform": {"module": "Quoted_Items", "id": MODULE_IDS["Quoted_Items"]},
                "associated_module": {"module": "Quoted_Items", "id": MODULE_IDS["Quoted_Items"]},
            },
        ),  # fmt: skip
        _field("Terms_and_Conditions", "textarea", "Terms and Conditions", length=32000),
        *_audit_fields(),
    ]
    quoted_items = [
        _field("Product_Name", "lookup", "Product Name", mandatory=True, lookup="Products"),
        _field("Quantity", "double", mandatory=True, length=16, decimals=2),
        _field("List_Price", "currency", "List Price", length=16, decimals=2),
        _field("Discount", "currency", length=16, decimals=2),
        _field("Total", "formula", "Total"),
        _field("Description", "textarea", length=2000),
        _field("Parent_Id", "lookup", "Parent Id", lookup="Quotes"),
    ]
    vehicles = [
        _owner(),
        _field("Name", "text", "Vehicle Name", mandatory=True, length=120),
        _field("Vehicle_Number", "autonumber", "Vehicle Number", custom=True),
        _field("VIN", "text", "VIN", unique=True, custom=True, length=17),
        _field(
            "Make",
            "picklist",
            custom=True,
            picklist=["Audi", "BMW", "Ford", "Tesla", "Toyota", "Volvo"],
        ),  # fmt: skip
        _field("Model", "text", custom=True, length=60),
        _field("Model_Year", "integer", "Model Year", custom=True, length=4),
        _field("Purchase_Date", "date", "Purchase Date", custom=True),
        _field("Last_Service_At", "datetime", "Last Service At", custom=True),
        _field("Mileage", "double", custom=True, length=16, decimals=1),
        _field("Price", "currency", custom=True, length=16, decimals=2),
        _field("Electric", "boolean", custom=True),
        _field(
            "Features",
            "multiselectpicklist",
            custom=True,
            picklist=["Sunroof", "Navigation", "Heated Seats", "Tow Hitch", "Autopilot"],
        ),  # fmt: skip
        _field("Owner_Contact", "lookup", "Owner Contact", custom=True, lookup="Contacts"),
        _field("Dealer_Account", "lookup", "Dealer Account", custom=True, lookup="Accounts"),
        _field("Inspector", "userlookup", custom=True, lookup="Users"),
        _field("Notes", "textarea", custom=True, length=2000),
        _field(
            "Assigned_Users",
            "multiuserlookup",
            "Assigned Users",
            custom=True,
            extra={
                "multiuserlookup": _linking_info(
                    "Assigned_Users",
                    "Assigned Users",
                    "Vehicles_X_Users",
                    "Users",
                    "Vehicles",
                    "Users",
                ),
            },
        ),  # fmt: skip
        *_audit_fields(),
    ]
    vehicles_users = [
        _field("Vehicles", "lookup", "Vehicles", mandatory=True, lookup="Vehicles"),
        _field("Users", "userlookup", "Users", mandatory=True, lookup="Users"),
    ]
    return {
        "Leads": {"fields": leads},
        "Secondary": {"fields": secondary},
        "Lead_Contact_Lookup": {"fields": lead_contact},
        "Contacts": {"fields": contacts},
        "Accounts": {"fields": accounts},
        "Deals": {"fields": deals},
        "Products": {"fields": products},
        "Quotes": {"fields": quotes},
        "Quoted_Items": {"fields": quoted_items},
        "Vehicles": {"fields": vehicles},
        "Vehicles_X_Users": {"fields": vehicles_users},
    }


def demo_snapshot() -> MetadataSnapshot:
    """The demo org's metadata as a parsed snapshot."""
    return MetadataSnapshot.from_responses(modules_body(), fields_bodies())


def write_snapshot(folder: str | os.PathLike[str]) -> None:
    """Write the demo org's metadata as a snapshot folder."""
    MetadataSnapshot.save_responses(folder, modules_body(), fields_bodies())
