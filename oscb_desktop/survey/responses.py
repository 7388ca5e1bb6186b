"""Reading a survey tool's responses export (CSV or XLSX) and mapping it onto the survey's questions.

One row per respondent, one column per question, answers written as the question's option labels: the shape
Microsoft Forms, Google Forms and SurveyMonkey export (with their own columns besides: ID, Start time, Email,
Timestamp, Respondent ID..., which are ignored, and SurveyMonkey's second header row of "Response"). Columns are
matched to questions by the question's text, else by a mapping (given as a file, or remembered from the last
import). A column that is neither a question nor known to be ignored, or an answer that is not one of its
question's options, refuses the whole file with the rows and values, so nothing half-understood is counted.
The file is read once and nothing of it is kept but the counts.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from oscb_desktop.datafiles import DataFileError, parse_yaml, read_text, validate
from oscb_desktop.forms.model import FormDefinition, Item

#: Largest responses file read (a thousand respondents of a fifteen-question survey is about 200 KB).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 500
#: How many rows a problem lists before "and N more".
ROWS_LISTED = 8

#: Columns the common survey tools add besides the questions (compared without case, spaces or punctuation).
METADATA_COLUMNS = frozenset(
    {
        # Microsoft Forms
        "id", "start time", "completion time", "email", "name", "last modified time", "total points",
        "quiz feedback", "language",
        # Google Forms
        "timestamp", "email address", "score",
        # SurveyMonkey
        "respondent id", "collector id", "start date", "end date", "ip address", "first name", "last name",
        "custom data 1", "custom data", "response id",
        # spreadsheets made by hand
        "respondent", "response", "row", "date", "submitted", "submitted at",
    }
)  # fmt: skip
#: What SurveyMonkey writes in its second header row over each question's column.
SUBHEADER_WORDS = frozenset({"response", "open-ended response", "other (please specify)"})


class SurveyFileError(Exception):
    """A responses file or mapping file that cannot be used; the message says why and what to do."""


class UnmappableResponsesError(SurveyFileError):
    """Columns or answers that map to nothing: each problem names the column, and the rows and values."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        listed = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(
            f"{file} could not be matched to the survey's questions, so nothing was stored:\n{listed}\n"
            "Correct the file, or give a mapping file that says which column is which question, which answer "
            "is which option, and which columns to ignore."
        )


def normal(text: Any) -> str:
    """Text compared without case, extra spaces, quotes, a leading question number or trailing punctuation."""
    t = " ".join(str(text or "").replace("\u00a0", " ").split()).casefold()
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = re.sub(r"^(q(uestion)?\s*)?[0-9]{1,3}[.):]?\s+", "", t)
    return t.strip(" .?:*\"'")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column answers which question (question id -> column heading), which answer text means which option
    (question id -> text -> option id, for tools that wrote answers differently), and columns to ignore."""

    columns: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "answers": {q: dict(a) for q, a in self.answers.items()},
            "ignore": list(self.ignore),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ColumnMapping:
        data = data or {}
        return cls(
            columns=dict(data.get("columns", {})),
            answers={q: dict(a) for q, a in data.get("answers", {}).items()},
            ignore=tuple(data.get("ignore", ())),
        )

    def over(self, base: ColumnMapping) -> ColumnMapping:
        """This mapping, with what it leaves out taken from ``base`` (a remembered one)."""
        answers = {q: dict(a) for q, a in base.answers.items()}
        for q, a in self.answers.items():
            answers.setdefault(q, {}).update(a)
        return ColumnMapping(
            columns={**base.columns, **self.columns},
            answers=answers,
            ignore=tuple(dict.fromkeys([*base.ignore, *self.ignore])),
        )


MAPPING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "columns": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}},
        "answers": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "ignore": {"type": "array", "items": {"type": "string"}},
    },
}


class _MappingFileError(DataFileError):
    pass


def read_mapping(file: str | Path, form: FormDefinition) -> ColumnMapping:
    """A mapping file (YAML or JSON): ``columns: {question id: column heading}``, optionally ``answers:
    {question id: {answer text: option id}}`` and ``ignore: [column heading]``."""
    try:
        data = parse_yaml(read_text(file, error=_MappingFileError), str(file), error=_MappingFileError)
        validate(data, MAPPING_SCHEMA, str(file), error=_MappingFileError)
    except DataFileError as exc:
        raise SurveyFileError(f"The mapping file {exc}. Nothing was imported.") from exc
    mapping = ColumnMapping.from_json(data)
    for qid in [*mapping.columns, *mapping.answers]:
        if not form.has_item(qid):
            raise SurveyFileError(f"The mapping file {file} names {qid!r}, which is not a question of the survey.")
    for qid, answers in mapping.answers.items():
        ids = {o.id for o in form.item(qid).options}
        for text, option in answers.items():
            if option not in ids:
                raise SurveyFileError(
                    f"The mapping file {file} maps {text!r} of {qid} to {option!r}, which is not one of its "
                    f"options ({', '.join(sorted(ids))})."
                )
    return mapping


# Reading the file ------------------------------------------------------------------------------------------


def read_table(file: str | Path) -> list[list[str]]:
    """The file's rows as text (the first is the header), from CSV or XLSX."""
    file = Path(file)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt", ".tsv"):
        raise SurveyFileError(f"{file.name} is not a CSV or XLSX file. Export the responses as CSV or Excel.")
    try:
        if not file.is_file():
            raise SurveyFileError(f"{file} is not a file that can be read.")
        size = file.stat().st_size
    except OSError as exc:
        raise SurveyFileError(f"{file} cannot be read ({exc.strerror or exc}).") from exc
    if size > MAX_FILE_BYTES:
        raise SurveyFileError(f"{file.name} is larger than {MAX_FILE_BYTES // 2**20} MB; no survey export is.")
    rows = _read_xlsx(file) if suffix == ".xlsx" else _read_csv(file)
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise SurveyFileError(f"{file.name} is empty: it has no header row and no responses.")
    return rows


def _read_csv(file: Path) -> list[list[str]]:
    data = file.read_bytes()
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeError:
            continue
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        break
    else:
        raise SurveyFileError(f"{file.name} is not text in a known encoding (UTF-8, UTF-16 or Windows).")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        rows = [row for _, row in zip(range(MAX_ROWS + 2), reader, strict=False)]
    except csv.Error as exc:
        raise SurveyFileError(f"{file.name} is not a well-formed CSV file ({exc}).") from exc
    _check_size(file, rows)
    return rows


def _read_xlsx(file: Path) -> list[list[str]]:
    import openpyxl  # only needed for spreadsheets

    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SurveyFileError(f"{file.name} is not an Excel workbook that can be read ({exc}).") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for n, values in enumerate(sheet.iter_rows(values_only=True)):
            if n > MAX_ROWS + 1:
                break
            rows.append([_cell(v) for v in values[: MAX_COLUMNS + 1]])
    finally:
        book.close()
    _check_size(file, rows)
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_size(file: Path, rows: list[list[str]]) -> None:
    if len(rows) > MAX_ROWS + 1:
        raise SurveyFileError(f"{file.name} has more than {MAX_ROWS:,} responses, more than a survey export has.")
    if rows and max(len(r) for r in rows) > MAX_COLUMNS:
        raise SurveyFileError(f"{file.name} has more than {MAX_COLUMNS} columns, more than a survey export has.")


# Mapping -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedResponses:
    """What a responses file says, counted: nothing in it about any one respondent."""

    file_name: str
    respondents: int
    #: Question id -> option id -> how many gave it (exact: suppress before showing or keeping).
    raw: Mapping[str, Mapping[str, int]]
    #: Question id -> the column heading it was read from.
    columns: Mapping[str, str]
    ignored: tuple[str, ...]
    #: Questions of the survey the file has no column for.
    missing: tuple[str, ...]
    #: The mapping to remember for the next import (what was used, matched automatically or given).
    mapping: ColumnMapping


def column_name(index: int) -> str:
    """0 -> ``A``, 27 -> ``AB``: how a spreadsheet names the column."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def parse(
    form: FormDefinition,
    file: str | Path,
    *,
    given: ColumnMapping | None = None,
    remembered: ColumnMapping | None = None,
) -> ParsedResponses:
    """Read and count ``file``; raises :class:`SurveyFileError` (or :class:`UnmappableResponsesError`)."""
    file = Path(file)
    rows = read_table(file)
    return count_rows(form, rows, file.name, given=given, remembered=remembered)


def count_rows(
    form: FormDefinition,
    rows: Sequence[Sequence[str]],
    file_name: str,
    *,
    given: ColumnMapping | None = None,
    remembered: ColumnMapping | None = None,
) -> ParsedResponses:
    header = [str(h) for h in rows[0]]
    body = [list(r) + [""] * (len(header) - len(r)) for r in rows[1:]]
    first_row = 2
    if body and _is_subheader(body[0]):
        body, first_row = body[1:], 3
    mapping = (given or ColumnMapping()).over(remembered or ColumnMapping())
    problems: list[str] = []
    by_heading: dict[str, int] = {}
    for i, h in enumerate(header):
        by_heading.setdefault(normal(h), i)
    where: dict[str, int] = {}
    for qid, heading in mapping.columns.items():
        if not form.has_item(qid):
            continue
        if normal(heading) in by_heading:
            where[qid] = by_heading[normal(heading)]
        elif given is not None and qid in given.columns:
            problems.append(f"The mapping names the column “{heading}” for question {qid}, but the file has none.")
    for item in form.items():
        if item.id in where:
            continue
        found = _auto_column(item, header, set(where.values()))
        if found is not None:
            where[item.id] = found
    taken = set(where.values())
    ignored_names = {normal(h) for h in mapping.ignore}
    ignored = []
    for i, h in enumerate(header):
        if i in taken:
            continue
        empty = not any(row[i].strip() for row in body if i < len(row))
        if normal(h) in METADATA_COLUMNS or normal(h) in ignored_names or empty:
            ignored.append(h)
        else:
            problems.append(
                f"Column {column_name(i)} “{h}” is not a question of the survey (map it to one, or list it "
                "under ignore)."
            )
    for q1, q2 in _shared(where):
        problems.append(f"Questions {q1} and {q2} are both mapped to column {column_name(where[q1])}.")
    raw: dict[str, Counter[str]] = {qid: Counter() for qid in where}
    bad: dict[tuple[str, str], list[int]] = {}
    for n, row in enumerate(body, start=first_row):
        for qid, i in where.items():
            value = row[i].strip() if i < len(row) else ""
            if not value:
                continue
            option = _option_of(form.item(qid), value, mapping.answers.get(qid, {}))
            if option is None:
                bad.setdefault((qid, value), []).append(n)
            else:
                raw[qid][option] += 1
    for (qid, value), lines in bad.items():
        item = form.item(qid)
        listed = ", ".join(str(n) for n in lines[:ROWS_LISTED])
        more = f" and {len(lines) - ROWS_LISTED} more" if len(lines) > ROWS_LISTED else ""
        options = ", ".join(o.label for o in item.options)
        problems.append(
            f"Column {column_name(where[qid])} (question {form.item_code(qid)}): “{value}” in row"
            f"{'s' if len(lines) > 1 else ''} {listed}{more} is not one of its answers ({options})."
        )
    if problems:
        raise UnmappableResponsesError(file_name, problems)
    respondents = sum(1 for row in body if any(row[i].strip() for i in where.values() if i < len(row)))
    if not where:
        raise SurveyFileError(f"{file_name} has no column that matches a question of the survey.")
    remembered_mapping = ColumnMapping(
        columns={qid: header[i] for qid, i in where.items()}, answers=mapping.answers, ignore=mapping.ignore
    )
    return ParsedResponses(
        file_name=file_name,
        respondents=respondents,
        raw={qid: dict(c) for qid, c in raw.items()},
        columns={qid: header[i] for qid, i in where.items()},
        ignored=tuple(ignored),
        missing=tuple(item.id for item in form.items() if item.id not in where),
        mapping=remembered_mapping,
    )


def _is_subheader(row: Sequence[str]) -> bool:
    words = {normal(c) for c in row if c.strip()}
    return bool(words) and words <= SUBHEADER_WORDS and "response" in words


def _auto_column(item: Item, header: Sequence[str], taken: set[int]) -> int | None:
    """The column whose heading is the question's text (or id), or contains it (tools add numbers or notes)."""
    label, ident = normal(item.label), normal(item.id)
    for i, h in enumerate(header):
        if i not in taken and normal(h) in (label, ident):
            return i
    for i, h in enumerate(header):
        if i not in taken and len(label) >= 12 and label in normal(h):
            return i
    return None


def _option_of(item: Item, value: str, extra: Mapping[str, str]) -> str | None:
    v = normal(value)
    for text, option in extra.items():
        if normal(text) == v:
            return option
    for o in item.options:
        if v in (normal(o.label), normal(o.id)):
            return o.id
    return None


def _shared(where: Mapping[str, int]) -> Iterable[tuple[str, str]]:
    seen: dict[int, str] = {}
    for qid, i in where.items():
        if i in seen:
            yield seen[i], qid
        seen[i] = qid
