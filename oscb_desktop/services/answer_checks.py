"""What an answer may be before it is stored: the right shape for its item, within the form's lengths and the
store's, and naming only evidence files the workspace holds. Each check says why, for the user."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oscb_desktop.forms import FormDefinition
from oscb_desktop.forms import files as evidence_files
from oscb_desktop.forms import rules as form_rules
from oscb_desktop.forms.model import RATING_PARTS, Item
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store.models import dumps

#: Largest stored answer (JSON characters). Far above every form limit; stops a runaway paste
#: from bloating the workspace while the inline message asks the user to shorten it.
MAX_VALUE_CHARS = 500_000


def refusal(form: FormDefinition, item_id: str, value: Any) -> str | None:
    """Why the store refuses this value for this item (for the user), or None if it can be stored.

    Lengths are checked before anything walks the value, so a 20 MB paste is refused at once.
    """
    if not form.has_item(item_id):
        return f"The form {form.id} {form.version} has no item {item_id!r}."
    item = form.item(item_id)
    if not form_rules.has_right_shape(item, value):
        return f"The answer to {item_id} is not the right kind of value; nothing was saved."
    name = f"{form.item_code(item_id)} ({item_id})"
    files = evidence_files.files_problem(item, value)
    if files is not None:
        return f"The files of {name} cannot be stored: {files}. Nothing was saved."
    for text, limit in _texts(item, value):
        if limit is not None and len(text) > limit:
            return _too_long(name, len(text), limit)
    size = len(dumps(value))
    if size > MAX_VALUE_CHARS:
        return _too_long(name, size, MAX_VALUE_CHARS)
    return None


def missing_file(ws: Workspace, form: FormDefinition, item_id: str, value: Any) -> str | None:
    """A value may only name evidence files the workspace holds (the bundle must carry every one)."""
    for entry in evidence_files.files_of(form.item(item_id), value):
        if not ws.blobs.exists(entry["sha256"]):
            return (
                f"The evidence file {entry['name']!r} on {form.item_code(item_id)} is not in this workspace. "
                "Attach it again."
            )
    return None


def _too_long(name: str, size: int, limit: int) -> str:
    return (
        f"The answer to {name} is too long to store ({size:,} characters; it can hold at most {limit:,}). "
        "Shorten it, or attach the text as an evidence file."
    )


def _texts(item: Item, value: Any) -> Iterable[tuple[str, int | None]]:
    """The free texts of an answer, each with its maximum length."""
    if isinstance(value, str):
        yield value, item.max_length
    elif item.type == "rating" and isinstance(value, dict):
        for part in RATING_PARTS:
            if isinstance(value.get(part), str):
                yield value[part], item.max_length
    elif item.type == "ranked" and isinstance(value, list):
        for rank in value:
            if isinstance(rank.get("text"), str):
                yield rank["text"], item.max_length
    elif item.type == "table" and isinstance(value, list):
        for row in value:
            for col in item.columns:
                if isinstance(row.get(col.id), str):
                    yield row[col.id], col.max_length
