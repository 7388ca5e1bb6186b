"""Load form definitions from YAML, check them, and build :mod:`.model` dataclasses.

A broken definition raises :class:`FormDefinitionError` naming the file and the path of
the bad key (``sections[2].items[0].scale``). :class:`FormRegistry` loads a whole folder,
keeps the forms that are fine and reports the others, so the app still starts.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from oscb_desktop import paths
from oscb_desktop.datafiles import DataFileError, parse_yaml, read_text, validate
from oscb_desktop.forms import cache as form_cache
from oscb_desktop.forms import files as evidence_files
from oscb_desktop.forms.known import PRACTITIONER_SURVEY, ROLE_TYPES
from oscb_desktop.forms.model import (
    NOT_APPLICABLE,
    Column,
    Condition,
    FilesPolicy,
    FormDefinition,
    Item,
    Level,
    Option,
    Requirement,
    Rule,
    Scale,
    Section,
    default_max_length,
)
from oscb_desktop.forms.survey_rules import survey_rules
from oscb_desktop.forms.versions import version_key

SCHEMA_FILE = "form-definition.schema.json"


class FormDefinitionError(DataFileError):
    """A form definition that cannot be used, with where and why."""


@cache
def definition_schema_text() -> str:
    return (paths.forms_dir() / SCHEMA_FILE).read_text(encoding="utf-8")


@cache
def definition_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(definition_schema_text())
    return schema


def load_file(file: str | Path) -> FormDefinition:
    if Path(file).exists() and not Path(file).is_file():  # a named pipe would make reading wait for ever
        raise FormDefinitionError(file, "", "is not a regular file, so it was not read")
    text = read_text(file, error=FormDefinitionError)
    return load_text(text, source=str(file))


def load_text(text: str, source: str = "<text>") -> FormDefinition:
    """The form the YAML ``text`` defines, checked; a text checked before comes from :mod:`.cache`."""
    entry = form_cache.key(text, definition_schema_text())
    kept = form_cache.get(entry)
    if kept is not None:
        try:
            return _Builder(kept, source).build()
        except (FormDefinitionError, LookupError, TypeError, ValueError, AttributeError):
            pass  # not what the checks let through (the builder trusts checked data): check the text itself
    data = parse_yaml(text, source, error=FormDefinitionError)
    encoded = form_cache.encode(entry, data)  # before the builder sees the data
    form = load_data(data, source)
    if encoded is not None:
        form_cache.put(entry, encoded)
    return form


def load_data(data: Any, source: str = "<data>") -> FormDefinition:
    if not isinstance(data, dict):
        raise FormDefinitionError(source, "", "must be a mapping with format, id, version, title, period and sections")
    validate(data, definition_schema(), source, error=FormDefinitionError)
    return _Builder(data, source).build()


@dataclass
class _Builder:
    data: dict[str, Any]
    source: str
    scales: dict[str, Scale] = field(default_factory=dict)
    lists: dict[str, tuple[Option, ...]] = field(default_factory=dict)
    item_ids: dict[str, str] = field(default_factory=dict)
    #: Role -> the path of the item that holds it.
    roles: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    #: The form's ``evidence_files``: what every rating item takes unless it says otherwise (None: no files).
    rating_files: FilesPolicy | None = None

    def fail(self, path: str, message: str) -> FormDefinitionError:
        return FormDefinitionError(self.source, path, message)

    def build(self) -> FormDefinition:
        d = self.data
        for sid, sdata in d.get("scales", {}).items():
            self.scales[sid] = self._scale(sid, sdata, f"scales.{sid}")
        for lid, ldata in d.get("choice_lists", {}).items():
            self.lists[lid] = self._options(ldata, f"choice_lists.{lid}")
        if "evidence_files" in d:
            self.rating_files = self._files_policy(d["evidence_files"], None, "evidence_files")
        section_ids: set[str] = set()
        sections = []
        for si, sdata in enumerate(d["sections"]):
            path = f"sections[{si}]"
            if sdata["id"] in section_ids:
                raise self.fail(f"{path}.id", f"section id {sdata['id']!r} is used twice")
            section_ids.add(sdata["id"])
            sections.append(self._section(sdata, path))
        form = FormDefinition(
            id=d["id"],
            version=d["version"],
            title=d["title"],
            short_title=d.get("short_title", d["title"]),
            period=d["period"],
            deadline=self._date(d.get("deadline"), "deadline"),
            description=d.get("description", ""),
            sections=tuple(sections),
            scales=dict(self.scales),
            rules=tuple(self._rule(r, f"rules[{i}]", None) for i, r in enumerate(d.get("rules", []))),
            source=self.source,
            kind=d.get("kind"),
            same_as={s["form"]: dict(s.get("items", {})) for s in d.get("same_as", [])},
            survey=survey_rules(self, d),
        )
        for i, s in enumerate(d.get("same_as", [])):
            for mine in s.get("items", {}):
                if not form.has_item(mine):
                    raise self.fail(f"same_as[{i}].items", f"{mine!r} is not an item of this form")
        self._check_references(form)
        return form

    def _date(self, value: str | None, path: str) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise self.fail(path, f"{value!r} is not a real date (YYYY-MM-DD)") from exc

    def _scale(self, sid: str, s: dict[str, Any], path: str) -> Scale:
        levels = tuple(self._level(lv, f"{path}.levels[{i}]") for i, lv in enumerate(s["levels"]))
        seen: set[str] = set()
        for i, lv in enumerate(levels):
            if lv.id in seen or lv.id == NOT_APPLICABLE:
                raise self.fail(f"{path}.levels[{i}].id", f"level id {lv.id!r} is used twice or reserved")
            seen.add(lv.id)
        na = s.get("not_applicable")
        return Scale(
            id=sid,
            name=s["name"],
            levels=levels,
            not_applicable=self._level({**na, "id": NOT_APPLICABLE}, f"{path}.not_applicable") if na else None,
        )

    @staticmethod
    def _level(lv: dict[str, Any], path: str) -> Level:
        return Level(
            id=lv["id"],
            label=lv["label"],
            percentage=lv.get("percentage"),
            colour=lv["colour"],
            description=lv.get("description", ""),
            requires=tuple(lv.get("requires", ())),
        )

    def _options(self, raw: Any, path: str) -> tuple[Option, ...]:
        if isinstance(raw, str):
            if raw not in self.lists:
                raise self.fail(
                    path, f"no choice list named {raw!r} (known: {', '.join(sorted(self.lists)) or 'none'})"
                )
            return self.lists[raw]
        opts = tuple(Option(o["id"], o["label"]) for o in raw)
        ids = [o.id for o in opts]
        for i, oid in enumerate(ids):
            if oid in ids[:i]:
                raise self.fail(f"{path}[{i}].id", f"option id {oid!r} is used twice")
        return opts

    def _section(self, s: dict[str, Any], path: str) -> Section:
        items = []
        for ii, idata in enumerate(s["items"]):
            ipath = f"{path}.items[{ii}]"
            if idata["id"] in self.item_ids:
                raise self.fail(
                    f"{ipath}.id", f"item id {idata['id']!r} is already used at {self.item_ids[idata['id']]}"
                )
            self.item_ids[idata["id"]] = ipath
            self._check_role(idata, ipath)
            items.append(self._item(idata, ipath))
        code = s.get("code", "")
        if code:
            if code.casefold() in self.codes:
                raise self.fail(
                    f"{path}.code", f"code {code!r} is already given to the section at {self.codes[code.casefold()]}"
                )
            self.codes[code.casefold()] = path
        return Section(
            id=s["id"],
            code=code,
            title=s["title"],
            guidance=s.get("guidance", ""),
            items=tuple(items),
            rules=tuple(self._rule(r, f"{path}.rules[{i}]", s["id"]) for i, r in enumerate(s.get("rules", []))),
            scope=s.get("scope"),
        )

    def _check_role(self, i: dict[str, Any], path: str) -> None:
        """A role is held by one item of the form, of a type that can hold it (collation reads it so)."""
        role = i.get("role")
        if role is None:
            return
        if role in self.roles:
            raise self.fail(f"{path}.role", f"role {role!r} is already given to the item at {self.roles[role]}")
        self.roles[role] = path
        types = ROLE_TYPES[role]  # the schema allows only known roles
        if i["type"] not in types:
            raise self.fail(
                f"{path}.role", f"role {role!r} needs an item of type {' or '.join(types)}, not {i['type']}"
            )

    def _item(self, i: dict[str, Any], path: str) -> Item:
        scale = None
        if i["type"] == "rating":
            if i["scale"] not in self.scales:
                raise self.fail(
                    f"{path}.scale",
                    f"no scale named {i['scale']!r} (known: {', '.join(sorted(self.scales)) or 'none'})",
                )
            scale = self.scales[i["scale"]]
        minimum, maximum = i.get("min"), i.get("max")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise self.fail(f"{path}.min", f"min ({minimum}) is greater than max ({maximum})")
        files = self._item_files(i, path)
        columns: list[Column] = []
        for ci, c in enumerate(i.get("columns", ())):
            cpath = f"{path}.columns[{ci}]"
            if c["id"] in (col.id for col in columns):
                raise self.fail(f"{cpath}.id", f"column id {c['id']!r} is used twice")
            if c["type"] == "choice" and "options" not in c:
                raise self.fail(cpath, "a choice column needs options")
            columns.append(
                Column(
                    id=c["id"],
                    type=c["type"],
                    label=c["label"],
                    required=c.get("required", False),
                    options=self._options(c["options"], f"{cpath}.options") if "options" in c else (),
                    max_length=c.get("max_length", default_max_length(c["type"])),
                    minimum=c.get("min"),
                    maximum=c.get("max"),
                )
            )
        return Item(
            id=i["id"],
            type=i["type"],
            label=i["label"],
            guidance=i.get("guidance", ""),
            required=i.get("required", False),
            required_if=self._condition(i["required_if"], f"{path}.required_if") if "required_if" in i else None,
            scope=i.get("scope"),
            max_length=i.get("max_length", default_max_length(i["type"])),
            scale=scale,
            options=self._options(i["options"], f"{path}.options") if "options" in i else (),
            ranks=i.get("ranks", 0),
            minimum=minimum,
            maximum=maximum,
            integer=i.get("integer", False),
            unit=i.get("unit", ""),
            columns=tuple(columns),
            min_rows=i.get("min_rows", 0),
            max_rows=i.get("max_rows"),
            max_files=files.max_files if files is not None and i["type"] == "attachments" else i.get("max_files"),
            files=files,
            carry_forward=i.get("carry_forward", True),
            role=i.get("role"),
            bears_on=tuple(i.get("bears_on", ())),
            favourable=tuple(i.get("favourable", ())),
        )

    def _item_files(self, i: dict[str, Any], path: str) -> FilesPolicy | None:
        """What evidence files the item takes: an attachments item always some; a rating item those of the form's
        ``evidence_files`` unless it opts out (``evidence_files: false``) or changes them (a mapping)."""
        own = i.get("evidence_files")
        kind = i["type"]
        if kind not in ("rating", "attachments"):
            if own is not None:
                raise self.fail(f"{path}.evidence_files", f"only rating and attachments items take files, not {kind}")
            return None
        if kind == "attachments":
            if own is False:
                raise self.fail(f"{path}.evidence_files", "an attachments item always takes files")
            base = evidence_files.default_policy(max_files=i.get("max_files"))
            if isinstance(own, dict):
                if "count_as" in own:
                    raise self.fail(f"{path}.evidence_files.count_as", "count_as is for rating items only")
                if "max_files" in own and "max_files" in i:
                    raise self.fail(f"{path}.max_files", "give max_files once, in evidence_files")
                return self._files_policy(own, base, f"{path}.evidence_files")
            return base
        if own is False:
            return None
        if own is True or own is None:
            if own is True and self.rating_files is None:
                return evidence_files.default_policy()
            return self.rating_files
        return self._files_policy(own, self.rating_files or evidence_files.default_policy(), f"{path}.evidence_files")

    def _files_policy(self, raw: dict[str, Any], base: FilesPolicy | None, path: str) -> FilesPolicy:
        """An ``evidence_files`` mapping over ``base`` (the form's, or the defaults) for what it leaves out."""
        base = base or evidence_files.default_policy()
        size_mb = raw.get("max_file_mb")
        count_as = raw.get("count_as", base.count_as)
        return FilesPolicy(
            max_files=raw.get("max_files", base.max_files),
            max_file_bytes=round(size_mb * evidence_files.MB) if size_mb is not None else base.max_file_bytes,
            types=tuple(raw.get("types", base.types)),
            count_as=(count_as,) if isinstance(count_as, str) else tuple(count_as),
        )

    @staticmethod
    def _condition(c: dict[str, Any], path: str) -> Condition:
        return Condition(
            item=c.get("item"),
            equals=c.get("equals"),
            in_=tuple(c["in"]) if "in" in c else None,
            answered=c.get("answered"),
            any_rating_in=tuple(c["any_rating_in"]) if "any_rating_in" in c else None,
        )

    def _rule(self, r: dict[str, Any], path: str, section: str | None) -> Rule:
        if "any_rating_in" in r["when"] and section is None:
            raise self.fail(f"{path}.when", "any_rating_in can only be used in a section's rules")
        req = r["require"]
        return Rule(
            id=r["id"],
            when=self._condition(r["when"], f"{path}.when"),
            require=Requirement(req["item"], req.get("min_rows", 0), tuple(req.get("row_fields", ()))),
            message=r["message"],
            section=section,
        )

    def _check_references(self, form: FormDefinition) -> None:
        """Every item a condition or rule names must exist, with the right shape."""

        def where(item_id: str) -> str:
            return self.item_ids[item_id]

        for item in form.items():
            cond = item.required_if
            if cond and cond.item and not form.has_item(cond.item):
                raise self.fail(f"{where(item.id)}.required_if.item", f"no item with id {cond.item!r}")
        for rule_index, rule in enumerate(form.rules):
            self._check_rule(form, rule, f"rules[{rule_index}]")
        for si, section in enumerate(form.sections):
            for ri, rule in enumerate(section.rules):
                self._check_rule(form, rule, f"sections[{si}].rules[{ri}]")

    def _check_rule(self, form: FormDefinition, rule: Rule, path: str) -> None:
        if rule.when.item and not form.has_item(rule.when.item):
            raise self.fail(f"{path}.when.item", f"no item with id {rule.when.item!r}")
        if not form.has_item(rule.require.item):
            raise self.fail(f"{path}.require.item", f"no item with id {rule.require.item!r}")
        target = form.item(rule.require.item)
        if (rule.require.min_rows or rule.require.row_fields) and target.type != "table":
            raise self.fail(f"{path}.require", f"min_rows and row_fields need a table item, not {target.type}")
        known = {c.id for c in target.columns}
        for f in rule.require.row_fields:
            if f not in known:
                raise self.fail(f"{path}.require.row_fields", f"table {target.id!r} has no column {f!r}")
        if rule.when.any_rating_in and rule.section:
            levels = {lv.id for it in form.section(rule.section).items if it.scale for lv in it.scale.choices}
            for lv in rule.when.any_rating_in:
                if lv not in levels:
                    raise self.fail(f"{path}.when.any_rating_in", f"no rating in this section has a level {lv!r}")


def same_definition(a: FormDefinition, b: FormDefinition) -> bool:
    """The same form, wherever its file came from and whatever deadline a partnership set for it."""
    return dataclasses.replace(a, source="", deadline=None) == dataclasses.replace(b, source="", deadline=None)


@dataclass
class FormRegistry:
    """All form definitions of a folder (``forms/<form id>/<anything>.yaml``), by id and version."""

    forms: dict[tuple[str, str], FormDefinition] = field(default_factory=dict)
    errors: list[FormDefinitionError] = field(default_factory=list)

    @classmethod
    def load(cls, folder: str | Path | None = None) -> FormRegistry:
        folder = Path(folder) if folder else paths.forms_dir()
        reg = cls()
        for file in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
            try:
                form = load_file(file)
            except FormDefinitionError as exc:
                reg.errors.append(exc)
                continue
            if form.key in reg.forms:
                reg.errors.append(
                    FormDefinitionError(
                        file,
                        "version",
                        f"{form.id} {form.version} is also defined in {reg.forms[form.key].source}",
                    )
                )
                continue
            reg.forms[form.key] = form
        return reg

    def merged(self, extra: Iterable[FormDefinition]) -> FormRegistry:
        """This registry and ``extra`` (forms from partnership packs) as a new registry.

        A form whose id and version are already here is the same form if its definition is the same (its
        file and deadline aside): it is kept once. Another definition under the same id and version is refused
        and listed in ``errors``: returns name a form by id and version, which must mean one thing.
        """
        out = FormRegistry(forms=dict(self.forms), errors=list(self.errors))
        for form in extra:
            known = out.forms.get(form.key)
            if known is None:
                out.forms[form.key] = form
            elif not same_definition(known, form):
                out.errors.append(
                    FormDefinitionError(
                        form.source,
                        "version",
                        f"{form.id} {form.version} differs from the form of that id and version from "
                        f"{known.source}; a changed form needs a new version",
                    )
                )
        return out

    def __iter__(self) -> Iterator[FormDefinition]:
        return iter(sorted(self.forms.values(), key=lambda f: (f.id, version_key(f.version))))

    def get(self, form_id: str, version: str) -> FormDefinition:
        try:
            return self.forms[(form_id, version)]
        except KeyError:
            raise KeyError(f"No form definition {form_id} version {version} is installed") from None

    def for_period(self, period: str) -> list[FormDefinition]:
        """The newest version of each form an agency answers in the app (a return) for a reporting period;
        practitioner surveys are answered outside it (:meth:`survey_for`)."""
        return [f for f in self._newest(period) if f.kind != PRACTITIONER_SURVEY]

    def survey_for(self, period: str) -> FormDefinition | None:
        """The newest practitioner survey for a reporting period (the first by id if there were several)."""
        found = [f for f in self._newest(period) if f.kind == PRACTITIONER_SURVEY]
        return found[0] if found else None

    def _newest(self, period: str | None) -> list[FormDefinition]:
        best: dict[str, FormDefinition] = {}
        for form in self:
            if period is None or form.period == period:
                best[form.id] = form  # iteration is in version order, so the last one wins
        return list(best.values())

    def periods(self) -> list[str]:
        return sorted({f.period for f in self.forms.values()})

    def latest(self, form_id: str) -> FormDefinition | None:
        matching = [f for f in self if f.id == form_id]
        return matching[-1] if matching else None

    def ids_of_kind(self, kind: str, period: str | None = None) -> list[str]:
        """The ids of the forms of a kind (:data:`oscb_desktop.forms.known.KINDS`), in id order.

        A form counts when its newest version (for ``period``, when given) says it is of that kind.
        ``ids_of_kind(SELF_ASSESSMENT)`` is ``["section11"]`` with the shipped forms.
        """
        return sorted(f.id for f in self._newest(period) if f.kind == kind)
