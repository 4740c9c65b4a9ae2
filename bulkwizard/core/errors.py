"""Typed errors raised by the core. Only the UI turns them into translated, plain-language text."""

from __future__ import annotations


class BulkWizardError(Exception):
    """Base class of every error bulkwizard raises on purpose."""


class JobFormatError(BulkWizardError):
    """A Bulk Write job JSON that cannot be read as a job.

    Attributes:
        path: JSON path of the offending item (``$.resource[0].field_mappings[2].index``).
        line: 1-based line in the source text, when the job came from text.
        column: 1-based column in the source text, when known.
        source: file name the text came from, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "$",
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.source = source
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
            if self.column is not None:
                where.append(f"column {self.column}")
        prefix = ", ".join(where)
        location = f" (at {self.path})" if self.path and self.path != "$" else ""
        return f"{prefix}: {self.message}{location}" if prefix else f"{self.message}{location}"

    def with_source(self, source: str) -> JobFormatError:
        """Return the same error, naming the file it came from."""
        return JobFormatError(
            self.message, path=self.path, line=self.line, column=self.column, source=source
        )


class MetadataError(BulkWizardError):
    """Field or module metadata that is missing or cannot be parsed (names the file or module)."""


class MappingError(BulkWizardError):
    """A field mapping that cannot be applied (unknown column, unknown field, ...)."""


class CsvFormatError(BulkWizardError):
    """A spreadsheet that cannot be read.

    Attributes:
        path: the file.
        line: 1-based physical line where reading failed, when known.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        where = ", ".join(
            part for part in (path, f"line {line}" if line is not None else None) if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class DraftFormatError(BulkWizardError):
    """A saved job draft (autosave, template source) that cannot be read.

    Attributes:
        message: what is wrong, in plain words.
        source: the file it came from, when known.
        where: JSON path of the offending item (``$.resources[1].mappings[0].column``).
    """

    def __init__(self, message: str, *, source: str | None = None, where: str = "$") -> None:
        self.message = message
        self.source = source
        self.where = where
        location = f" (at {where})" if where and where != "$" else ""
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{message}{location}")
