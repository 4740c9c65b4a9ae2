"""Tests of Zoho format patterns: parsing, rendering and detection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bulkwizard.core import formats
from bulkwizard.core.formats import (
    ALLOWED_DATE_FORMATS,
    ALLOWED_DATETIME_FORMATS,
    ALLOWED_NUMBER_FORMATS,
    PatternError,
    compile_pattern,
    detect_date_format,
    detect_datetime_format,
    detect_number_format,
    format_date,
    format_datetime,
    parse_date,
    parse_datetime,
    parse_number,
    parse_zoho_date,
    parse_zoho_datetime,
)


def test_lists_hold_the_documented_patterns() -> None:
    for pattern in ("dd/MM/yyyy", "MM/dd/yyyy", "yyyy-MM-dd", "dd MMM yy", "MMM dd,yyyy"):
        assert pattern in ALLOWED_DATE_FORMATS
    assert "yyyy/MM/dd" in ALLOWED_DATE_FORMATS  # the example in Zoho's mapping docs
    assert len(set(ALLOWED_DATE_FORMATS)) == len(ALLOWED_DATE_FORMATS)
    assert ALLOWED_DATETIME_FORMATS[0] == "MM/dd/yyyy HH:mm:ss"
    for pattern in ("dd/MM/yyyy HH:mm", "dd/MM/yyyy'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssXXX"):
        assert pattern in ALLOWED_DATETIME_FORMATS
    assert len(set(ALLOWED_DATETIME_FORMATS)) == len(ALLOWED_DATETIME_FORMATS)
    assert set(ALLOWED_NUMBER_FORMATS) >= {"#,###.##", "#.###,##", "####.##"}


def test_every_allowed_pattern_round_trips() -> None:
    moment = dt.datetime(
        2024, 11, 5, 14, 7, 9, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    )
    for pattern in ALLOWED_DATE_FORMATS:
        text = format_date(moment.date(), pattern)
        assert parse_date(text, pattern) == moment.date(), (pattern, text)
    for pattern in ALLOWED_DATETIME_FORMATS:
        text = format_datetime(moment, pattern)
        parsed = parse_datetime(text, pattern)
        assert parsed is not None, (pattern, text)
        assert format_datetime(parsed, pattern) == text
        assert parsed.replace(second=9, tzinfo=None) == moment.replace(tzinfo=None), (pattern, text)


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("12/31/2023", "MM/dd/yyyy", dt.date(2023, 12, 31)),
        ("7/4/2023", "MM/dd/yyyy", dt.date(2023, 7, 4)),  # Java's lenient width
        (" 04/07/2023 ", "dd/MM/yyyy", dt.date(2023, 7, 4)),
        ("03 Jul 23", "dd MMM yy", dt.date(2023, 7, 3)),
        ("03 jul 23", "dd MMM yy", dt.date(2023, 7, 3)),
        ("July-03-2023", "MMMM-dd-yyyy", dt.date(2023, 7, 3)),
        ("Jul 03,2023", "MMM dd,yyyy", dt.date(2023, 7, 3)),
        ("2023.07.03", "yyyy.MM.dd", dt.date(2023, 7, 3)),
        ("20230703", "yyyyMMdd", dt.date(2023, 7, 3)),
        ("01/01/99", "MM/dd/yy", dt.date(1999, 1, 1)),
        ("01/01/05", "MM/dd/yy", dt.date(2005, 1, 1)),
    ],
)
def test_parse_date_accepts(value: str, pattern: str, expected: dt.date) -> None:
    assert parse_date(value, pattern) == expected


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("31/12/2023", "MM/dd/yyyy"),  # month 31
        ("02/30/2023", "MM/dd/yyyy"),  # no 30 February
        ("2023-12-31", "MM/dd/yyyy"),
        ("12/31/23", "MM/dd/yyyy"),  # yyyy needs four digits
        ("12/31/2023", "MM/dd/yy"),
        ("Jul 03 2023", "MMMM dd yyyy"),  # MMMM is the full name
        ("July 03 2023", "MMM dd yyyy"),
        ("", "MM/dd/yyyy"),
        ("12/31/2023 10:00", "MM/dd/yyyy"),
        ("2023070", "yyyyMMdd"),
    ],
)
def test_parse_date_rejects(value: str, pattern: str) -> None:
    assert parse_date(value, pattern) is None


def test_parse_datetime_variants() -> None:
    assert parse_datetime("12/31/2023 23:59:58") == dt.datetime(2023, 12, 31, 23, 59, 58)
    assert parse_datetime("12/31/2023 24:00:00") is None
    assert parse_datetime("07/04/2023 01:05 PM", "MM/dd/yyyy hh:mm a") == dt.datetime(
        2023, 7, 4, 13, 5
    )
    assert parse_datetime("07/04/2023 12:05 am", "MM/dd/yyyy hh:mm a") == dt.datetime(
        2023, 7, 4, 0, 5
    )
    iso = parse_datetime("2023-05-03T20:39:19+05:30", "yyyy-MM-dd'T'HH:mm:ssXXX")
    assert iso == dt.datetime(
        2023, 5, 3, 20, 39, 19, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    )
    utc = parse_datetime("2023-05-03T20:39:19Z", "yyyy-MM-dd'T'HH:mm:ssXXX")
    assert utc is not None and utc.utcoffset() == dt.timedelta(0)
    millis = parse_datetime("2023-05-03T20:39:19.250-0400", "yyyy-MM-dd'T'HH:mm:ss.SSSZ")
    assert millis is not None and millis.microsecond == 250_000
    assert millis.utcoffset() == dt.timedelta(hours=-4)


def test_zoho_parsing_takes_declared_or_default_format_and_iso() -> None:
    assert parse_zoho_date("12/31/2023") == dt.date(2023, 12, 31)
    assert parse_zoho_date("2023-12-31") == dt.date(2023, 12, 31)
    assert parse_zoho_date("31.12.2023", "dd.MM.yyyy") == dt.date(2023, 12, 31)
    assert parse_zoho_date("31.12.2023") is None
    assert parse_zoho_date("2023-02-30") is None
    assert parse_zoho_datetime("12/31/2023 10:11:12") == dt.datetime(2023, 12, 31, 10, 11, 12)
    assert parse_zoho_datetime("2023-05-03T20:39:19+05:30") is not None
    assert parse_zoho_datetime("2023-05-03 20:39") == dt.datetime(2023, 5, 3, 20, 39)
    assert parse_zoho_datetime("tomorrow") is None


def test_regex_source_is_portable_and_anchored() -> None:
    compiled = compile_pattern("dd MMM yyyy")
    assert compiled.regex_source.startswith("(?i)^") and compiled.regex_source.endswith("$")
    assert "(?P" not in compiled.regex_source and "(?=" not in compiled.regex_source
    assert compiled.has_date and not compiled.has_time
    assert compile_pattern("HH:mm").has_time


def test_bad_patterns_raise() -> None:
    with pytest.raises(PatternError, match="unsupported letter 'Q'"):
        compile_pattern("QQ/yyyy")
    with pytest.raises(PatternError):
        compile_pattern("---")
    assert not formats.is_valid_pattern("yyyy-ww")
    assert formats.is_valid_pattern("yyyy-MM-dd")
    with pytest.raises(PatternError):
        parse_number("1", "0.00")
    assert formats.pattern_kind("#,###.##") == "number"
    assert formats.pattern_kind("dd/MM/yyyy") == "date"
    assert formats.pattern_kind("dd/MM/yyyy HH:mm") == "datetime"


def test_literal_quotes_in_patterns() -> None:
    assert parse_datetime("2023-01-02T03:04:05", "yyyy-MM-dd'T'HH:mm:ss") == dt.datetime(
        2023, 1, 2, 3, 4, 5
    )
    assert parse_date("2023 o'clock 01 02", "yyyy 'o''clock' MM dd") == dt.date(2023, 1, 2)
    assert format_date(dt.date(2023, 1, 2), "EEE, dd MMMM yyyy") == "Mon, 02 January 2023"


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["12/31/2023", "01/02/2023", ""], "MM/dd/yyyy"),
        (["31/12/2023", "01/02/2023"], "dd/MM/yyyy"),
        (["01/02/2023", "03/04/2023"], "MM/dd/yyyy"),  # ambiguous: Zoho's default wins
        (["2023-12-31", "2024-01-01"], "yyyy-MM-dd"),
        (["31.12.2023"], "dd.MM.yyyy"),
        (["03 Jul 23", "14 Aug 23"], "dd MMM yy"),
        (["May 03 2023", "June 14 2023"], "MMMM dd yyyy"),
        (["Jul 04,2023"], "MMM dd,yyyy"),
        (["hello"], None),
        ([], None),
        (["12/31/2023", "not a date"], None),
    ],
)
def test_detect_date_format(samples: list[str], expected: str | None) -> None:
    assert detect_date_format(samples) == expected


def test_detect_date_format_options() -> None:
    assert detect_date_format(["01/02/2023"], day_first=True) == "dd/MM/yyyy"
    values = ["12/31/2023"] * 19 + ["garbage"]
    assert detect_date_format(values) is None
    assert detect_date_format(values, min_share=0.9) == "MM/dd/yyyy"


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["2023-05-03T20:39:19+05:30", "2023-05-04T01:00:00Z"], "yyyy-MM-dd'T'HH:mm:ssXXX"),
        (["2023-05-03 20:39:19"], "yyyy-MM-dd HH:mm:ss"),
        (["12/31/2023 10:00:00"], "MM/dd/yyyy HH:mm:ss"),
        (["31/12/2023 10:00"], "dd/MM/yyyy HH:mm"),
        (["12/31/2023"], None),
    ],
)
def test_detect_datetime_format(samples: list[str], expected: str | None) -> None:
    assert detect_datetime_format(samples) == expected


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("1234.5", "####.##", Decimal("1234.5")),
        ("-12", "####.##", Decimal("-12")),
        ("1,234,567.25", "#,###.##", Decimal("1234567.25")),
        ("1234.5", "#,###.##", Decimal("1234.5")),
        ("1.234.567,25", "#.###,##", Decimal("1234567.25")),
        ("1 234,5", "# ###,##", Decimal("1234.5")),
        ("12,5", "####,##", Decimal("12.5")),
        (".5", "####.##", Decimal("0.5")),
        ("1,23,4", "#,###.##", None),
        ("12a", "####.##", None),
        ("", "####.##", None),
    ],
)
def test_parse_number(value: str, pattern: str, expected: Decimal | None) -> None:
    assert parse_number(value, pattern) == expected


def test_detect_number_format() -> None:
    assert detect_number_format(["1", "2.5", "-3"]) == "####.##"
    assert detect_number_format(["1,234.5", "12"]) == "#,###.##"
    assert detect_number_format(["1.234,5", "12,25"]) == "#.###,##"
    assert detect_number_format(["12,25", "3,5"]) == "####,##"
    assert detect_number_format(["abc"]) is None


def test_fit_date_format_matches_detection_and_gives_the_share() -> None:
    from bulkwizard.core.formats import fit_date_format

    dates = [f"{m:02d}/{d:02d}/2024" for m in range(1, 13) for d in (5, 20)] + ["02/30/2024"]
    assert detect_date_format(dates, min_share=0.95) == "MM/dd/yyyy"
    assert fit_date_format(dates, min_share=0.95) == ("MM/dd/yyyy", 24 / 25)
    assert fit_date_format(dates, min_share=0.95, day_first=True) == ("MM/dd/yyyy", 24 / 25)
    assert fit_date_format(dates) is None  # 30 February parses nowhere
    stamps = ["2024-01-02 13:05:09", "2024-12-31 00:00:00"]
    assert fit_date_format(stamps, timed=True) == ("yyyy-MM-dd HH:mm:ss", 1.0)
    assert fit_date_format(stamps) is None
    assert fit_date_format([]) is None


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("MM/dd/yyyy", "12/31/2024", dt.datetime(2024, 12, 31)),
        ("MM/dd/yyyy", "02/29/2023", None),  # no 29 February in 2023
        ("dd.MM.yyyy HH:mm", "01.02.2024 23:59", dt.datetime(2024, 2, 1, 23, 59)),
        ("yyyy-MM-dd hh:mm", "2024-01-02 11:05", dt.datetime(2024, 1, 2, 11, 5)),
        ("yyyy-MM-dd HH:mm:ss", "2024-01-02 24:00:00", None),
        ("dd/MM/yy", "31/12/05", dt.datetime(2005, 12, 31)),  # two-digit years pivot
        ("MMM d, yyyy", "Feb 3, 2024", dt.datetime(2024, 2, 3)),
        ("yyyy-MM-dd'T'HH:mm:ss.SSS", "2024-01-02T03:04:05.678",
         dt.datetime(2024, 1, 2, 3, 4, 5, 678000)),
    ],
)  # fmt: skip
def test_parse_plain_and_general_patterns(
    pattern: str, value: str, expected: dt.datetime | None
) -> None:
    # Plain numeric patterns take a short path; the others (names, yy, millis) the general one.
    assert compile_pattern(pattern).parse(value) == expected
