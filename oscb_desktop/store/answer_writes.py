"""The statements of one save of answers, written out once.

An autosave is a handful of one-row statements; building each through peewee's query builder costs several
times what SQLite takes to run it (a profile put three quarters of an autosave in the builder). Here the SQL is
plain text made once per placeholder style, and rows come back as small records of the few columns a save
reads. The column lists follow :mod:`.models`; ``tests/unit/store/test_answer_writes.py`` checks that a save
through here stores exactly what the models would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from oscb_desktop.store.models import database_proxy, dumps


@dataclass(frozen=True)
class SubmissionKey:
    """What a save reads of the return: which form it is on, and whether it may change."""

    id: str
    form_id: str
    form_version: str
    version: int
    status: str

    @property
    def locked(self) -> bool:
        return self.status in ("signed", "superseded")


@dataclass(frozen=True)
class StoredAnswer:
    id: int
    value: Any
    carried: bool


@cache
def _sql(param: str) -> dict[str, str]:
    p = param
    return {
        "submission": f'SELECT "id", "form_id", "form_version", "version", "status" FROM "submission" WHERE "id" = {p}',
        "answers": (
            f'SELECT "item_id", "id", "value", "carried" FROM "answer" WHERE "submission_id" = {p} AND "item_id" IN '
        ),
        "insert": (
            'INSERT INTO "answer" ("submission_id", "item_id", "value", "carried", "updated_at") '
            f"VALUES ({p}, {p}, {p}, {p}, {p})"
        ),
        "update": f'UPDATE "answer" SET "value" = {p}, "carried" = {p}, "updated_at" = {p} WHERE "id" = {p}',
        "audit": (
            'INSERT INTO "audit_entry" ("submission_id", "item_id", "old_value", "new_value", "at", "user", "action") '
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})"
        ),
    }


def _statements() -> dict[str, str]:
    return _sql(database_proxy.param)


def _json(value: Any) -> str | None:
    return None if value is None else dumps(value)


def submission(submission_id: str) -> SubmissionKey | None:
    """The return with exactly this id, or None."""
    row = database_proxy.execute_sql(_statements()["submission"], (submission_id,)).fetchone()
    return None if row is None else SubmissionKey(*row)


def answers(submission_id: str, item_ids: Sequence[str]) -> dict[str, StoredAnswer]:
    """The stored answers of these items of the return, by item id."""
    if not item_ids:
        return {}
    marks = ", ".join([database_proxy.param] * len(item_ids))
    cursor = database_proxy.execute_sql(f"{_statements()['answers']}({marks})", (submission_id, *item_ids))
    return {
        item_id: StoredAnswer(answer_id, None if value is None else json.loads(value), bool(carried))
        for item_id, answer_id, value, carried in cursor.fetchall()
    }


def insert(submission_id: str, item_id: str, value: Any, stamp: str) -> None:
    database_proxy.execute_sql(_statements()["insert"], (submission_id, item_id, _json(value), False, stamp))


def update(answer_id: int, value: Any, stamp: str) -> None:
    database_proxy.execute_sql(_statements()["update"], (_json(value), False, stamp, answer_id))


def audit(submission_id: str, item_id: str, old: Any, new: Any, *, at: str, user: str, action: str) -> None:
    params = (submission_id, item_id, _json(old), _json(new), at, user, action)
    database_proxy.execute_sql(_statements()["audit"], params)
