"""The demo org's existing records, seeded on the sandbox's first start.

A few hundred deterministic, realistic records (the same on every machine): 40 Accounts,
120 Contacts, 150 Leads (some with ``Secondary`` subform rows and related Contacts through
``Lead_Contact_Lookup``), 60 Deals, 30 Products, 8 Quotes with line items and 25 Vehicles (with
assigned users through ``Vehicles_X_Users``). Unique fields hold unique values and every lookup
points at a seeded record, so update, upsert and lookup imports have something to find.

Predictable anchors tests can rely on: Account ``Zylker Systems``, Contact
``ava.thompson@zylker-systems.com``, Lead ``lead001@example-leads.com``, Product code ``ZP-1001``,
Vehicle VIN ``1ZDEMO00000000001``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bulkwizard.sandbox.demo.metadata import DEAL_STAGES, INDUSTRIES, LEAD_SOURCES
from bulkwizard.sandbox.record_store import RecordStore

_SEED = 20260115
_PACIFIC = timezone(timedelta(hours=-8))

_COMPANY_WORDS = (
    "Zylker", "Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Vandelay",
    "Hooli", "Soylent", "Cyberdyne", "Tyrell", "Wonka", "Gringotts", "Oscorp", "Monarch",
    "Aperture", "Dunder", "Pied Piper",
)  # fmt: skip
_COMPANY_KINDS = ("Systems", "Industries", "Labs", "Logistics", "Foods", "Motors", "Health")
_FIRST = (
    "Ava", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sophia", "Lucas", "Mia", "Ethan", "Isla",
    "Arjun", "Chloe", "Kenji", "Zara", "Omar", "Priya", "Felix", "Nora", "Tariq", "Leila", "Jonas",
    "Ines", "Hugo",
)  # fmt: skip
_LAST = (
    "Thompson", "Garcia", "Nguyen", "Patel", "Kim", "Müller", "Rossi", "Dubois", "Silva", "Cohen",
    "Okoye", "Larsen", "Novak", "Haddad", "Tanaka", "O'Brien", "Fischer", "Moreau", "Santos",
    "Ivanova",
)  # fmt: skip
_CITIES = (
    ("Austin", "United States"), ("Chennai", "India"), ("London", "United Kingdom"),
    ("Berlin", "Germany"), ("Sydney", "Australia"), ("Toronto", "Canada"), ("Lyon", "France"),
    ("Osaka", "Japan"),
)  # fmt: skip
_TITLES = ("CEO", "CTO", "Head of Sales", "Buyer", "Operations Manager", "IT Director", "Analyst")
_DEPARTMENTS = ("Sales", "Procurement", "Engineering", "Finance", "Operations")
_LEAD_STATUS = ("Attempted to Contact", "Contacted", "Not Contacted", "Pre-Qualified")
_RATINGS = ("Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down")
_INTERESTS = ("CRM", "Analytics", "Marketing", "Support", "Mobile")
_PRODUCTS = (
    ("Zylker Router X1", "Hardware", 249.0), ("Zylker Switch 24", "Hardware", 499.0),
    ("Cloud Backup", "Software", 19.99), ("Endpoint Shield", "Software", 39.5),
    ("Onsite Setup", "Service", 150.0), ("Premium Support", "Service", 990.0),
)  # fmt: skip
_MAKES = {
    "Audi": ("A4", "Q5", "e-tron"), "BMW": ("i4", "X3", "330e"), "Ford": ("Focus", "Mustang"),
    "Tesla": ("Model 3", "Model Y"), "Toyota": ("Corolla", "RAV4"), "Volvo": ("XC40", "XC90"),
}  # fmt: skip
_FEATURES = ("Sunroof", "Navigation", "Heated Seats", "Tow Hitch", "Autopilot")


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower().replace(" ", "-") if ch.isalnum() or ch == "-")


def _ref(record_id: str, name: str) -> dict[str, str]:
    return {"id": record_id, "name": name}


def _day(rng: random.Random, start: date, span_days: int) -> str:
    return (start + timedelta(days=rng.randrange(span_days))).isoformat()


def _moment(rng: random.Random) -> str:
    base = datetime(2025, 9, 1, 8, 0, tzinfo=_PACIFIC)
    moment = base + timedelta(days=rng.randrange(120), minutes=15 * rng.randrange(40))
    return moment.isoformat(timespec="seconds")


def seed_records(store: RecordStore) -> None:
    """Insert every demo record (call inside one transaction)."""
    rng = random.Random(_SEED)
    users = [u for u in store.users() if u["status"] == "active"]
    accounts = _accounts(store, rng, users)
    contacts = _contacts(store, rng, accounts)
    _leads(store, rng, contacts)
    _deals(store, rng, accounts, contacts)
    products = _products(store, rng)
    _quotes(store, rng, accounts, contacts, products)
    _vehicles(store, rng, accounts, contacts, users)


def _owner(store: RecordStore, rng: random.Random, users: list[dict[str, Any]]) -> Any:
    return store.user_ref(rng.choice(users))


def _accounts(
    store: RecordStore, rng: random.Random, users: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    names = [f"{w} {k}" for k in _COMPANY_KINDS for w in _COMPANY_WORDS]
    rng.shuffle(names)
    names.remove("Zylker Systems")
    names.insert(0, "Zylker Systems")
    for number, name in enumerate(names[:40]):
        city, country = rng.choice(_CITIES)
        values: dict[str, Any] = {
            "Owner": _owner(store, rng, users),
            "Account_Name": name,
            "Account_Number": 70010000 + number * 37,
            "Website": f"https://www.{_slug(name)}.com",
            "Phone": f"+1 512 555 {1000 + number:04d}",
            "Industry": rng.choice(INDUSTRIES),
            "Account_Type": rng.choice(("Customer", "Prospect", "Partner", "Reseller")),
            "Annual_Revenue": float(rng.randrange(5, 500) * 10000),
            "Employees": rng.randrange(5, 5000),
            "Billing_City": city,
            "Billing_Country": country,
            "Description": None,
        }
        if number >= 35:  # a few subsidiaries of the first accounts
            parent_id, parent_name = result[number - 35]
            values["Parent_Account"] = _ref(parent_id, parent_name)
        result.append((store.insert("Accounts", values), name))
    return result


def _contacts(
    store: RecordStore, rng: random.Random, accounts: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for number in range(120):
        first = _FIRST[number % len(_FIRST)]
        last = _LAST[(number * 7) % len(_LAST)]
        account_id, account_name = accounts[number % len(accounts)]
        city, country = rng.choice(_CITIES)
        local = f"{first}.{last}".lower().replace("'", "").replace("ü", "ue")
        suffix = "" if number < len(_FIRST) else str(number)
        values = {
            "First_Name": first,
            "Last_Name": last,
            "Email": f"{local}{suffix}@{_slug(account_name)}.com",
            "Phone": f"+1 737 555 {2000 + number:04d}",
            "Mobile": f"+1 737 556 {3000 + number:04d}" if number % 3 else None,
            "Title": rng.choice(_TITLES),
            "Department": rng.choice(_DEPARTMENTS),
            "Account_Name": _ref(account_id, account_name),
            "Lead_Source": rng.choice(LEAD_SOURCES),
            "Date_of_Birth": _day(rng, date(1960, 1, 1), 365 * 40),
            "Mailing_Street": f"{rng.randrange(1, 999)} Market Street",
            "Mailing_City": city,
            "Mailing_Country": country,
            "Email_Opt_Out": number % 11 == 0,
        }
        result.append((store.insert("Contacts", values), f"{first} {last}"))
    return result


def _leads(store: RecordStore, rng: random.Random, contacts: list[tuple[str, str]]) -> None:
    for number in range(1, 151):
        first = _FIRST[(number * 5) % len(_FIRST)]
        last = _LAST[(number * 3) % len(_LAST)]
        company = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)}"
        values: dict[str, Any] = {
            "First_Name": first,
            "Last_Name": last,
            "Company": company,
            "Email": f"lead{number:03d}@example-leads.com",
            "Phone": f"+44 20 7946 {number:04d}",
            "Website": f"https://{_slug(company)}.example",
            "Lead_Source": rng.choice(LEAD_SOURCES),
            "Lead_Status": rng.choice(_LEAD_STATUS),
            "Industry": rng.choice(INDUSTRIES),
            "Annual_Revenue": float(rng.randrange(1, 200) * 5000),
            "No_of_Employees": rng.randrange(1, 900),
            "Rating": rng.choice(_RATINGS),
            "Email_Opt_Out": number % 13 == 0,
            "Interests": sorted(rng.sample(_INTERESTS, rng.randrange(0, 3))),
            "Preferred_Call_Date": _day(rng, date(2026, 1, 5), 90),
            "Last_Contacted_At": _moment(rng),
            "Lead_Score": round(rng.uniform(0, 100), 2),
        }
        if number % 10 == 0:
            contact_id, contact_name = contacts[number % len(contacts)]
            values["Referred_By"] = _ref(contact_id, contact_name)
        lead_id = store.insert("Leads", values)
        full_name = f"{first} {last}"
        if number % 5 == 0:
            for row in range(1 + number % 2):
                store.insert(
                    "Secondary",
                    {
                        "Secondary_Email": f"assistant{number:03d}.{row}@example-leads.com",
                        "Secondary_Phone": f"+44 20 7000 {number:04d}",
                        "Relationship": ("Assistant", "Colleague", "Manager")[row % 3],
                        "Parent_Id": _ref(lead_id, full_name),
                    },
                )
        if number % 6 == 0:
            for offset in (0, 17):
                contact_id, contact_name = contacts[(number + offset) % len(contacts)]
                store.insert(
                    "Lead_Contact_Lookup",
                    {
                        "Leads": _ref(lead_id, full_name),
                        "Contacts": _ref(contact_id, contact_name),
                    },
                )


def _deals(
    store: RecordStore,
    rng: random.Random,
    accounts: list[tuple[str, str]],
    contacts: list[tuple[str, str]],
) -> None:
    for number in range(60):
        account_id, account_name = accounts[(number * 3) % len(accounts)]
        contact_id, contact_name = contacts[(number * 2) % len(contacts)]
        stage = DEAL_STAGES[number % len(DEAL_STAGES)]
        store.insert(
            "Deals",
            {
                "Deal_Name": f"{account_name} - {('Renewal', 'Expansion', 'Pilot')[number % 3]}"
                f" {2026 + number % 2}",
                "Account_Name": _ref(account_id, account_name),
                "Contact_Name": _ref(contact_id, contact_name),
                "Stage": stage,
                "Closing_Date": _day(rng, date(2026, 1, 1), 365),
                "Amount": float(rng.randrange(10, 900) * 100),
                "Probability": {"Closed Won": 100, "Closed Lost": 0}.get(
                    stage, rng.choice((10, 20, 40, 60, 75, 90))
                ),
                "Type": rng.choice(("Existing Business", "New Business")),
                "Lead_Source": rng.choice(LEAD_SOURCES),
                "Next_Step": rng.choice(("Send proposal", "Demo call", "Legal review", None)),
            },
        )


def _products(store: RecordStore, rng: random.Random) -> list[tuple[str, str, float]]:
    result: list[tuple[str, str, float]] = []
    for number in range(30):
        base, category, price = _PRODUCTS[number % len(_PRODUCTS)]
        name = base if number < len(_PRODUCTS) else f"{base} v{number // len(_PRODUCTS) + 1}"
        unit_price = round(price * (1 + number // len(_PRODUCTS) * 0.1), 2)
        record_id = store.insert(
            "Products",
            {
                "Product_Name": name,
                "Product_Code": f"ZP-{1001 + number}",
                "Product_Category": category,
                "Unit_Price": unit_price,
                "Qty_in_Stock": float(rng.randrange(0, 400)),
                "Product_Active": number % 9 != 8,
                "Sales_Start_Date": _day(rng, date(2024, 1, 1), 700),
                "Tax": ["Sales Tax"] if category != "Service" else ["Service Tax"],
            },
        )
        result.append((record_id, name, unit_price))
    return result


def _quotes(
    store: RecordStore,
    rng: random.Random,
    accounts: list[tuple[str, str]],
    contacts: list[tuple[str, str]],
    products: list[tuple[str, str, float]],
) -> None:
    for number in range(8):
        account_id, account_name = accounts[number]
        contact_id, contact_name = contacts[number]
        subject = f"Quote {2026}-{number + 1:03d} for {account_name}"
        quote_id = store.insert(
            "Quotes",
            {
                "Subject": subject,
                "Account_Name": _ref(account_id, account_name),
                "Contact_Name": _ref(contact_id, contact_name),
                "Quote_Stage": rng.choice(("Draft", "Negotiation", "Delivered", "Confirmed")),
                "Valid_Till": _day(rng, date(2026, 3, 1), 120),
            },
        )
        for item in range(1 + number % 3):
            product_id, product_name, price = products[(number + item * 5) % len(products)]
            store.insert(
                "Quoted_Items",
                {
                    "Product_Name": _ref(product_id, product_name),
                    "Quantity": float(1 + item),
                    "List_Price": price,
                    "Discount": 0.0,
                    "Description": None,
                    "Parent_Id": _ref(quote_id, subject),
                },
            )


def _vehicles(
    store: RecordStore,
    rng: random.Random,
    accounts: list[tuple[str, str]],
    contacts: list[tuple[str, str]],
    users: list[dict[str, Any]],
) -> None:
    makes = sorted(_MAKES)
    for number in range(1, 26):
        make = makes[number % len(makes)]
        model = _MAKES[make][number % len(_MAKES[make])]
        year = 2016 + number % 10
        contact_id, contact_name = contacts[(number * 4) % len(contacts)]
        dealer_id, dealer_name = accounts[(number * 5) % len(accounts)]
        inspector = users[number % len(users)]
        name = f"{year} {make} {model}"
        vehicle_id = store.insert(
            "Vehicles",
            {
                "Name": name,
                "VIN": f"1ZDEMO{number:011d}",
                "Make": make,
                "Model": model,
                "Model_Year": year,
                "Purchase_Date": _day(rng, date(2019, 1, 1), 2000),
                "Last_Service_At": _moment(rng),
                "Mileage": round(rng.uniform(1000, 120000), 1),
                "Price": float(rng.randrange(15, 90) * 1000),
                "Electric": make == "Tesla" or model in ("e-tron", "i4"),
                "Features": sorted(rng.sample(_FEATURES, rng.randrange(0, 4))),
                "Owner_Contact": _ref(contact_id, contact_name),
                "Dealer_Account": _ref(dealer_id, dealer_name),
                "Inspector": store.user_ref(inspector),
                "Notes": None,
            },
        )
        for user in users[: 1 + number % 2]:
            store.insert(
                "Vehicles_X_Users",
                {"Vehicles": _ref(vehicle_id, name), "Users": store.user_ref(user)},
            )
