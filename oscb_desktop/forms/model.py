"""Typed form definitions, built from the YAML files in ``forms/`` by :mod:`.loader`.

The shapes of the answer values, by item type (all plain JSON):

=============  ===============================================================
type           value
=============  ===============================================================
rating         ``{"level": <level id or "na">, "evidence": str, "example": str, "reason": str, "files": [file]}``
               (``files`` only where the item takes evidence files, and left out when there are none)
short_text     ``str``
long_text      ``str``
choice         option id (``str``)
multi_choice   list of option ids
ranked         list (rank 1 first) of ``{"category": <option id>, "text": str}``
number         ``int`` or ``float``
date           ``"YYYY-MM-DD"``
yes_no         ``bool``
table          list of rows, each ``{column id: value}`` (columns are simple types)
attachments    list of ``[file]``
=============  ===============================================================

A ``file`` is one evidence file, kept in the workspace (and in a bundle, under ``attachments/``) by its content:

=============  ===============================================================
key            value
=============  ===============================================================
sha256         lower-case hex SHA-256 of the file's bytes (64 characters)
name           the file's name as the user attached it (``Board minutes.pdf``)
size           its size in bytes (``int``)
added          optional: when it was attached, ISO 8601 UTC (``2026-11-22T10:30:00.000Z``)
carried        optional: ``true`` when it came with last year's answer (carry-forward)
=============  ===============================================================

Which items take files, how many, how large and of which types is the item's :class:`FilesPolicy`
(``Item.files``); :mod:`.files` reads and writes the files of any value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

NOT_APPLICABLE = "na"

ITEM_TYPES = (
    "rating",
    "short_text",
    "long_text",
    "choice",
    "multi_choice",
    "ranked",
    "number",
    "date",
    "yes_no",
    "table",
    "attachments",
)
#: Types allowed as columns of a repeating table.
COLUMN_TYPES = ("short_text", "long_text", "choice", "number", "date", "yes_no")
#: The parts of a rating answer besides its level, which a level may require.
RATING_PARTS = ("evidence", "example", "reason")
#: The parts of a rating that attached files can stand for (``count_as`` in a form's ``evidence_files``).
FILE_COUNTABLE_PARTS = ("evidence", "example")
SCOPES = ("children", "adults", "both")

#: The most characters a text answer holds when its form sets no ``max_length``: short text is a name or a
#: line, long text a few pages (a rating's evidence, example and reason, and a ranked answer's explanation,
#: are long text). The editor refuses typing beyond the limit and cuts a paste at it; the store refuses more.
SHORT_TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 20_000
_DEFAULT_MAX_LENGTH = {
    "short_text": SHORT_TEXT_MAX_LENGTH,
    "long_text": LONG_TEXT_MAX_LENGTH,
    "rating": LONG_TEXT_MAX_LENGTH,
    "ranked": LONG_TEXT_MAX_LENGTH,
}


def default_max_length(item_type: str) -> int | None:
    """The limit of an item or column of this type that sets none (None: the type holds no free text)."""
    return _DEFAULT_MAX_LENGTH.get(item_type)


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    percentage: int | None
    colour: str
    description: str
    requires: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """Word and percentage, never colour alone: 'Green (75%)'."""
        return f"{self.label} ({self.percentage}%)" if self.percentage is not None else self.label


@dataclass(frozen=True)
class Scale:
    id: str
    name: str
    levels: tuple[Level, ...]
    not_applicable: Level | None

    def level(self, level_id: str) -> Level | None:
        if self.not_applicable and level_id == NOT_APPLICABLE:
            return self.not_applicable
        return next((lv for lv in self.levels if lv.id == level_id), None)

    @property
    def choices(self) -> tuple[Level, ...]:
        """Levels in the order offered to the user, "not applicable" last."""
        return self.levels + ((self.not_applicable,) if self.not_applicable else ())


@dataclass(frozen=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True)
class Condition:
    """When a rule applies. Exactly one of the forms below is used.

    - ``item`` + ``equals`` / ``in_`` / ``answered``: about one item (a rating compares its level);
    - ``any_rating_in``: any rating item of the rule's section has one of these levels.
    """

    item: str | None = None
    equals: Any = None
    in_: tuple[Any, ...] | None = None
    answered: bool | None = None
    any_rating_in: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FilesPolicy:
    """Which evidence files an item takes: how many, how large each, of which types (see :mod:`.files`)."""

    #: Most files on the item (None: no limit of its own; the bundle's limits still apply).
    max_files: int | None
    #: Largest file, in bytes.
    max_file_bytes: int
    #: The allowed kinds of file (keys of :data:`oscb_desktop.forms.files.FILE_TYPES`: ``pdf``, ``word``…).
    types: tuple[str, ...]
    #: The rating parts (``evidence``, ``example``) that attached files stand for when a level requires them.
    count_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    id: str
    type: str
    label: str
    required: bool = False
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: str
    guidance: str = ""
    required: bool = False
    required_if: Condition | None = None
    scope: str | None = None
    max_length: int | None = None
    # rating
    scale: Scale | None = None
    # choice, multi_choice, ranked (categories)
    options: tuple[Option, ...] = ()
    # ranked
    ranks: int = 0
    # number
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    unit: str = ""
    # table
    columns: tuple[Column, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None
    # attachments
    max_files: int | None = None
    #: The evidence files the item takes (every attachments item; a rating item where the form says so).
    files: FilesPolicy | None = None
    #: Carried into next period's return when the user accepts carry-forward.
    carry_forward: bool = True
    #: What the item holds for the board report (:data:`oscb_desktop.forms.known.ROLES`), so code finds it by
    #: role rather than by id; at most one item of a form has a given role.
    role: str | None = None
    #: A practitioner survey's question: the self-assessment statements (item ids) its answers bear on, and the
    #: option ids that confirm what a good rating of them claims.
    bears_on: tuple[str, ...] = ()
    favourable: tuple[str, ...] = ()

    def option_label(self, option_id: str) -> str:
        return next((o.label for o in self.options if o.id == option_id), option_id)


#: Counts under this are never shown, stored or sent (only "fewer than 5"), unless a survey says otherwise.
DEFAULT_SURVEY_THRESHOLD = 5


@dataclass(frozen=True)
class SurveyRules:
    """What a practitioner survey's definition says about its counts.

    ``threshold``: the smallest count shown (smaller ones are "fewer than N"). A statement *diverges* when the
    agency rated it one of ``divergence_ratings`` and fewer than ``divergence_below_percent`` % of the
    practitioners who answered a question bearing on it gave a favourable answer.
    """

    threshold: int = DEFAULT_SURVEY_THRESHOLD
    divergence_ratings: tuple[str, ...] = ()
    divergence_below_percent: float | None = None


@dataclass(frozen=True)
class Requirement:
    item: str
    min_rows: int = 0
    row_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    require: Requirement
    message: str
    section: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    guidance: str
    items: tuple[Item, ...]
    rules: tuple[Rule, ...] = ()
    scope: str | None = None
    #: How people refer to the section (``S3``), set by the form; see :meth:`FormDefinition.code_of`.
    code: str = ""


@dataclass(frozen=True)
class FormDefinition:
    id: str
    version: str
    title: str
    short_title: str
    period: str
    deadline: date | None
    description: str
    sections: tuple[Section, ...]
    scales: dict[str, Scale]
    rules: tuple[Rule, ...]
    source: str = ""
    #: What the form is (:data:`oscb_desktop.forms.known.KINDS`, e.g. ``self_assessment``), or None for a form
    #: the board report does not count.
    kind: str | None = None
    #: Answer once: other form id -> {this form's item id: that form's item id} where the ids differ
    #: (items with the same id match anyway). The form itself always matches its own id.
    same_as: dict[str, dict[str, str]] = field(default_factory=dict)
    #: A practitioner survey's threshold and divergence rule (None for every other kind of form).
    survey: SurveyRules | None = None
    _items: dict[str, Item] = field(default_factory=dict, repr=False, compare=False)
    _item_section: dict[str, Section] = field(default_factory=dict, repr=False, compare=False)
    _roles: dict[str, Item] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for item in section.items:
                self._items[item.id] = item
                self._item_section[item.id] = section
                if item.role is not None:
                    self._roles.setdefault(item.role, item)

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.version)

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items

    def copies_from(self, other_form_id: str) -> dict[str, str] | None:
        """Which item of a return on ``other_form_id`` answers each item of this form (this id -> that id), or
        None when answers of that form are not to be copied here (neither the same form nor named in ``same_as``)."""
        if other_form_id != self.id and other_form_id not in self.same_as:
            return None
        renamed = self.same_as.get(other_form_id, {})
        return {item.id: renamed.get(item.id, item.id) for item in self.items()}

    def item_with_role(self, role: str) -> Item | None:
        """The item that holds ``role`` (``pressures``, ``risks``...), or None when the form has none."""
        return self._roles.get(role)

    def section_of(self, item_id: str) -> Section:
        return self._item_section[item_id]

    def code_of(self, section: Section | str) -> str:
        """The one display code of a section (``S3``) that every screen and document uses: the form's own
        ``code``, else its position in the form (``4``)."""
        section = self.section(section) if isinstance(section, str) else section
        if section.code:
            return section.code
        return str(next(n for n, s in enumerate(self.sections, start=1) if s.id == section.id))

    def item_code(self, item_id: str) -> str:
        """``S3.2``: the section's code and the item's place in it."""
        section = self.section_of(item_id)
        place = next(n for n, item in enumerate(section.items, start=1) if item.id == item_id)
        return f"{self.code_of(section)}.{place}"

    def section_label(self, section: Section | str) -> str:
        """``S3 A clear line of accountability``; a numbered section as ``4. Training``."""
        section = self.section(section) if isinstance(section, str) else section
        code = self.code_of(section)
        return f"{code}. {section.title}" if code.isdigit() else f"{code} {section.title}"

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def all_rules(self) -> Iterator[Rule]:
        yield from self.rules
        for section in self.sections:
            yield from section.rules
