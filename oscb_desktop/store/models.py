"""Peewee models of a workspace. All bound to :data:`database_proxy`, opened by :mod:`.connection`.

The tables are created by :mod:`.migrations`, not by ``create_tables``: the SQL there is the
schema, and a test checks that these models and the migrated schema agree.
"""

from __future__ import annotations

import json
from typing import Any

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

database_proxy = DatabaseProxy()


class JsonField(TextField):
    """JSON text, compact and with sorted keys so equal values store equal text."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else dumps(value)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = JsonField()


class Agency(BaseModel):
    """An agency or service profile whose returns this workspace holds."""

    id = AutoField()
    name = CharField()
    sector = CharField(default="")
    services = TextField(default="")
    lead_name = CharField(default="")
    lead_email = CharField(default="")
    lead_phone = CharField(default="")
    created_at = CharField()


class Submission(BaseModel):
    """One version of one agency's return of one form for one period.

    ``id`` is the submission id carried in bundles. Reopening a signed return makes a new row with
    ``version + 1`` that ``supersedes`` it.
    """

    id = CharField(primary_key=True)
    agency = ForeignKeyField(Agency, backref="submissions", on_delete="CASCADE")
    form_id = CharField()
    form_version = CharField()
    period = CharField()
    version = IntegerField(default=1)
    supersedes = ForeignKeyField("self", null=True, backref="superseded_by", on_delete="SET NULL")
    #: draft, signed, or superseded (a signed version that a newer version replaced)
    status = CharField(default="draft")
    carried_from = ForeignKeyField("self", null=True, on_delete="SET NULL", column_name="carried_from_id")
    created_at = CharField()
    updated_at = CharField()
    #: Cached share of the return that is complete, 0-100, refreshed on every save.
    percent_complete = IntegerField(default=0)
    signed_at = CharField(null=True)
    signatory_name = CharField(null=True)
    signatory_role = CharField(null=True)
    #: SHA-256 of the signed PDF in the blob store: what prints and what travels in the bundle.
    signed_pdf_sha256 = CharField(null=True)
    #: SHA-256 fingerprint of the certificate that signed it (finds the identity again at export).
    signer_fingerprint = CharField(null=True)

    @property
    def locked(self) -> bool:
        return self.status in ("signed", "superseded")


class Answer(BaseModel):
    submission = ForeignKeyField(Submission, backref="answers", on_delete="CASCADE")
    item_id = CharField()
    value = JsonField(null=True)
    #: Carried forward from last period's return and not yet reviewed by the user.
    carried = BooleanField(default=False)
    updated_at = CharField()

    class Meta:
        indexes = ((("submission", "item_id"), True),)


class AuditEntry(BaseModel):
    """Every change of an answer: what, old value, new value, when, by whom."""

    id = AutoField()
    submission = ForeignKeyField(Submission, backref="audit", on_delete="CASCADE")
    item_id = CharField()
    old_value = JsonField(null=True)
    new_value = JsonField(null=True)
    at = CharField()
    user = CharField()
    #: edit, carry-forward, review, reopen, sign ...
    action = CharField(default="edit")


class SigningIdentity(BaseModel):
    """An agency's signing certificate and its private key, encrypted with the user's passphrase.

    The newest identity without ``retired_at`` is the one used to sign; retired ones stay so that
    returns they signed can still be exported.
    """

    id = AutoField()
    agency = ForeignKeyField(Agency, backref="identities", on_delete="CASCADE")
    fingerprint = CharField()
    certificate_pem = TextField()
    encrypted_key_pem = TextField()
    #: created (in the app) or imported (from a PKCS#12 file)
    origin = CharField()
    created_at = CharField()
    retired_at = CharField(null=True)

    class Meta:
        indexes = ((("agency", "fingerprint"), True),)


ALL_MODELS = (Setting, Agency, Submission, Answer, AuditEntry, SigningIdentity)
