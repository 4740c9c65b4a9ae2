"""The batch filters' contract, property-tested: a cell they let through is one the check accepts.

If a fast filter let a bad cell through, the row check would silently miss it; so for every kind
of rule we throw mixed batches of plausible and random values at the compiled rule and compare
what :meth:`ColumnRule.scan` reports with the exact check run on every cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkwizard.core.job import FieldMapping
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.rowcheck.dates import tight_regex
from bulkwizard.core.rowcheck.filters import RegexFilter
from bulkwizard.core.rowcheck.rules import compile_rule

SNAPSHOT = MetadataSnapshot.load(Path(__file__).parents[2] / "data" / "demo_snapshot")

CASES = [
    ("Leads", "Email", None, None),
    ("Leads", "Website", None, None),
    ("Leads", "Phone", None, None),
    ("Leads", "Lead_Source", None, None),
    ("Leads", "Interests", None, None),
    ("Leads", "Email_Opt_Out", None, None),
    ("Leads", "No_of_Employees", None, None),
    ("Leads", "Annual_Revenue", "#,###.##", None),
    ("Leads", "Lead_Score", "#.###,##", None),
    ("Leads", "Preferred_Call_Date", "dd.MM.yy", None),
    ("Leads", "Last_Contacted_At", None, None),
    ("Leads", "Last_Contacted_At", "dd MMM yyyy hh:mm a", None),
    ("Leads", "Last_Name", None, None),
    ("Contacts", "Account_Name", None, "id"),
    ("Vehicles", "Model_Year", None, None),
]

PLAUSIBLE = st.sampled_from(
    [
        "",
        " ",
        "a@b.com",
        "x.y@mail.example.org",
        "a@b.c",
        "a@@b.com",
        "Trade Show",
        "trade show",
        "CRM;Analytics",
        "CRM;;Mobile",
        "true",
        "FALSE",
        "yes",
        "12",
        "-7",
        "1,234",
        "1.234,5",
        "12.345",
        "1234567890",
        "05/31/2024",
        "31.05.24",
        "29.02.23",
        "28.02.24",
        "2024-05-31",
        "05/31/2024 23:59:59",
        "2024-05-31T10:00:00+05:30",
        "31 May 2024 11:30 PM",
        "31 May 2024 13:30 PM",
        "4876876000000002177",
        "zcrm_4876876000000002177",
        "https://acme.com/x?y=1",
        "acme",
        "+1 (555) 123-4567 ext 9",
        "555\x00123",
        "é@ü.de",
        "0000-01-01",
        "12/31/0000 00:00:00",
        "02/30/2024 10:00:00",
    ]  # fmt: skip
)
CELLS = st.one_of(PLAUSIBLE, st.text(max_size=12), st.text("0123456789/.:- ,;", max_size=22))


@pytest.mark.parametrize(("module", "api_name", "pattern", "find_by"), CASES)
@settings(max_examples=60, deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=40))
def test_scan_reports_exactly_the_cells_the_check_rejects(
    module: str, api_name: str, pattern: str | None, find_by: str | None, cells: list[str]
) -> None:
    meta = SNAPSHOT.field(module, api_name)
    assert meta is not None
    mapping = FieldMapping(api_name=api_name, index=0, format=pattern, find_by=find_by)
    rule = compile_rule(meta, mapping, "col", mandatory=meta.system_mandatory)
    assert rule is not None
    reported = {position for position, _ in rule.scan(cells)}
    expected = {i for i, cell in enumerate(cells) if rule.check(cell) is not None}
    assert reported == expected


@given(cells=st.lists(st.sampled_from(["1", "22", "x", "", "333"]), min_size=1, max_size=300))
def test_regex_filter_finds_every_bad_cell(cells: list[str]) -> None:
    regex = RegexFilter(r"(?:\d{1,2})?")
    assert list(regex.suspects(cells)) == [i for i, c in enumerate(cells) if c in ("x", "333")]
    assert regex.all_ok(cells) == all(c not in ("x", "333") for c in cells)


def test_tight_regex_only_accepts_real_dates() -> None:
    assert tight_regex("MM/dd/yyyy") == (
        r"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|1\d|2[0-8])/(?:(?!0000)\d{4})"
    )
    assert tight_regex("yyyy-MM-dd'T'HH:mm:ssXXX") is None  # zone offsets: exact check only
