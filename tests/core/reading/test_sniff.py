"""Tests of format detection on real files: encodings, delimiters, quoting, header rows."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bulkwizard.core.errors import CsvFormatError
from bulkwizard.core.reading import ReadOptions, detect_has_header, open_table
from bulkwizard.core.reading.sniff import codec_layout, detect_encoding, sniff, unique_headers

TEXT = "Name,City,Note\nRené,Zürich,café crème\nFrançois,Besançon,déjà vu\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding", "bom"),
    [
        (TEXT.encode("utf-8"), "utf-8", False),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig", True),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le", True),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be", True),
        (TEXT.encode("utf-16-le"), "utf-16-le", False),
        (TEXT.encode("utf-16-be"), "utf-16-be", False),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le", True),
        ((TEXT + "“quoted” – 5 €,x,y\n").encode("cp1252"), "cp1252", False),
        (TEXT.encode("latin-1"), "cp1252", False),  # same bytes: the superset is the safer read
        (TEXT.encode("latin-1") + b"ctrl\x81,x,y\n", "latin-1", False),  # undefined in cp1252
        (b"Name,Town\n" + "Иван,Москва\nПётр,Санкт-Петербург\n".encode("cp1251"), "cp1251", False),
    ],
)
def test_encodings_are_detected_and_decoded(
    tmp_path: Path, data: bytes, encoding: str, bom: bool
) -> None:
    path = write(tmp_path, "people.csv", data)
    options = sniff(path)
    assert options.encoding == encoding
    assert options.bom is bom
    assert "encoding" in options.guessed
    with open_table(path) as table:
        rows = table.head(10)
    if encoding == "cp1251":
        assert table.headers == ["Name", "Town"]
        assert rows[1].values == ["Пётр", "Санкт-Петербург"]
        return
    assert table.headers == ["Name", "City", "Note"]
    assert rows[0].values == ["René", "Zürich", "café crème"]
    assert rows[1].values == ["François", "Besançon", "déjà vu"]


def test_utf8_head_but_cp1252_further_in(tmp_path: Path) -> None:
    # Plain ASCII for the first megabyte, then one Windows-1252 character: not UTF-8.
    body = b"".join(b"%d,plain text\n" % i for i in range(80_000))
    path = write(tmp_path, "late.csv", b"id,text\n" + body + "99,Œuvre\n".encode("cp1252"))
    assert sniff(path).encoding == "cp1252"
    with open_table(path) as table:
        last = table.rows(80_000, 5)
    assert last[0].values == ["99", "Œuvre"]


def test_detect_encoding_on_bytes() -> None:
    assert detect_encoding(b"") == "utf-8"
    assert detect_encoding("naïve".encode()[:-1] + b"", whole=False) == "utf-8"
    # A UTF-8 sample cut inside a two-byte character is still UTF-8.
    assert detect_encoding("ab é".encode()[:-1], whole=False) == "utf-8"


def test_codec_layout_resolves_boms() -> None:
    assert codec_layout("utf-8-sig", codecs.BOM_UTF8 + b"a") == ("utf-8", 3)
    assert codec_layout("utf-8", codecs.BOM_UTF8 + b"a") == ("utf-8", 3)
    assert codec_layout("utf-8-sig", b"a") == ("utf-8", 0)
    assert codec_layout("utf-16", codecs.BOM_UTF16_BE + b"\0a") == ("utf-16-be", 2)
    assert codec_layout("utf-16", b"a\0") == ("utf-16-le", 0)
    assert codec_layout("UTF-16LE", codecs.BOM_UTF16_LE) == ("utf-16-le", 2)
    assert codec_layout("cp1252", b"a") == ("cp1252", 0)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|", ":"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["id", "name", "amount", "when"],
        ["1", "Ann", "1.5", "2023-01-02"],
        ["2", "Bob", "2.75", "2023-01-03"],
        ["3", "Cy", "3", "2023-01-04"],
    ]
    path = write(tmp_path, "d.txt", "\n".join(delimiter.join(r) for r in rows).encode() + b"\n")
    options = sniff(path)
    assert options.delimiter == delimiter
    with open_table(path) as table:
        assert table.headers == rows[0]
        assert [r.values for r in table.head(5)] == rows[1:]


def test_semicolon_file_with_decimal_commas_and_times(tmp_path: Path) -> None:
    text = "Nom;Montant;Heure\nA;1,5;10:00:00\nB;2,25;11:30:00\nC;3,0;12:15:00\n"
    path = write(tmp_path, "eu.csv", text.encode())
    assert sniff(path).delimiter == ";"


def test_quoted_delimiters_do_not_fool_detection(tmp_path: Path) -> None:
    text = 'a;b\n"x, y, z";1\n"p, q";2\n"r, s, t, u";3\n'
    path = write(tmp_path, "q.csv", text.encode())
    assert sniff(path).delimiter == ";"


def test_apostrophe_quotes(tmp_path: Path) -> None:
    path = write(tmp_path, "apos.csv", b"name,note\n'Smith, J',ok\n'Doe, A',fine\n")
    options = sniff(path)
    assert options.quotechar == "'"
    with open_table(path) as table:
        assert table.head(2)[0].values == ["Smith, J", "ok"]


def test_title_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    text = "Contacts export\nGenerated 2024-01-01\nName,Email,Age\nAnn,a@x.com,31\nBob,b@x.com,42\n"
    path = write(tmp_path, "report.csv", text.encode())
    options = sniff(path)
    assert (options.header_row, options.has_header) == (2, True)
    with open_table(path) as table:
        assert table.headers == ["Name", "Email", "Age"]
        first = table.head(1)[0]
        assert (first.number, first.line, first.values) == (1, 4, ["Ann", "a@x.com", "31"])


def test_header_detection(tmp_path: Path) -> None:
    assert detect_has_header([["id", "amount"], ["1", "2.5"], ["2", "3"]])
    assert not detect_has_header([["1", "2.5"], ["2", "3"], ["3", "4"]])
    assert not detect_has_header([["Ann", "Smith"], ["Bob", "Jones"], ["Ann", "Lee"]])
    assert detect_has_header([["First", "Last"], ["Ann", "Smith"]])
    headerless = write(tmp_path, "n.csv", b"1,Ann,2023-01-01\n2,Bob,2023-02-01\n")
    options = sniff(headerless)
    assert options.has_header is False
    with open_table(headerless) as table:
        assert table.headers == ["Column 1", "Column 2", "Column 3"]
        assert table.raw_headers == ["", "", ""]
        assert table.head(1)[0].values == ["1", "Ann", "2023-01-01"]
        assert table.head(1)[0].number == 1 and table.head(1)[0].line == 1


def test_every_guess_can_be_overridden(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", "a;b\n1;é\n".encode("cp1252"))
    given = ReadOptions(encoding="latin-1", delimiter=",", quotechar="", has_header=False)
    options = sniff(path, given)
    assert (options.encoding, options.delimiter, options.quotechar, options.has_header) == (
        "latin-1",
        ",",
        "",
        False,
    )
    assert options.guessed == ("header_row",)
    with open_table(path, given) as table:
        assert table.headers == ["Column 1"]
        assert [r.values for r in table.head(5)] == [["a;b"], ["1;é"]]
    merged = sniff(path).with_overrides(ReadOptions(delimiter=","))
    assert merged.delimiter == "," and "delimiter" not in merged.guessed


def test_forced_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "a,b\n1,2\n3,café\n".encode("cp1252"))
    with pytest.raises(CsvFormatError) as caught:
        sniff(path, ReadOptions(encoding="utf-8"))
    assert caught.value.line == 3
    assert "w.csv" in str(caught.value) and "line 3" in str(caught.value)
    with pytest.raises(CsvFormatError, match="unknown encoding"):
        sniff(path, ReadOptions(encoding="no-such-codec"))


def test_unique_headers() -> None:
    assert unique_headers(["Email", "", "Email", "Name", "email", " "]) == [
        "Email",
        "Column 2",
        "Email (2)",
        "Name",
        "email (3)",
        "Column 6",
    ]
    assert unique_headers(["A"], 3) == ["A", "Column 2", "Column 3"]
    assert unique_headers(["Column 2", ""]) == ["Column 2", "Column 2 (2)"]
    assert unique_headers(["X", "X (2)", "X"]) == ["X", "X (2)", "X (3)"]


def test_binary_files_are_refused(tmp_path: Path) -> None:
    noise = bytes((i * 7919 + 13) % 256 for i in range(20_000))
    with pytest.raises(CsvFormatError, match="does not look like a text file"):
        sniff(write(tmp_path, "noise.csv", noise))
    with pytest.raises(CsvFormatError, match="zip archive"):
        sniff(write(tmp_path, "book.csv", b"PK\x03\x04" + b"\0" * 100))


def test_unusable_dialect_overrides_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('a,b\n"1",2\n', encoding="utf-8")
    for options, message in (
        (ReadOptions(quotechar="ab"), "quote character must be one character"),
        (ReadOptions(delimiter="\n"), "delimiter must be one character"),
        (ReadOptions(delimiter=";", quotechar=";"), "cannot both be"),
        (ReadOptions(header_row=-1), "counts from 1"),
    ):
        with pytest.raises(CsvFormatError, match=message):
            sniff(path, options)
    # A delimiter given as '"' moves a guessed quote character out of its way.
    resolved = sniff(path, ReadOptions(delimiter='"'))
    assert (resolved.delimiter, resolved.quotechar) == ('"', "'")


def test_a_first_data_row_with_blanks_is_not_dropped_as_a_title(tmp_path: Path) -> None:
    # Headerless export whose first record has empty cells: it looks like a title line, but no
    # header follows it, so it must stay a data row rather than vanish on a guess.
    text = "Smith,,\nBob,Bco,bob@x.com\nCy,Cco,cy@x.com\n"
    path = write(tmp_path, "people.csv", text.encode())
    options = sniff(path)
    assert (options.header_row, options.has_header) == (0, False)
    with open_table(path) as table:
        table.build_index()
        assert table.row_count == 3
        assert table.head(1)[0].values == ["Smith", "", ""]
