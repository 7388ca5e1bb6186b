"""Peewee models of a workspace. All bound to :data:`database_proxy`, opened by :mod:`.connection`.

The tables are created by :mod:`.migrations`, not by ``create_tables``: the SQL there is the
schema, and a test checks that these models and the migrated schema agree.

Which database the models use: the one a service was handed (``with database_proxy.bound_to(ws.db)``, which
the services' ``@uses_workspace`` does for every call, per thread), else the process's default
(``database_proxy.initialize(db)``, set when a workspace opens). So a service always works on the workspace
it is given, even with two workspaces open in one process or a worker thread running beside the UI thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    Database,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class WorkspaceDatabase(DatabaseProxy):
    """A database proxy whose target can be set per thread for the length of a ``with`` block."""

    __slots__ = ("_default", "_local")

    def __init__(self) -> None:
        object.__setattr__(self, "_local", threading.local())
        object.__setattr__(self, "_default", None)
        super().__init__()

    def __setattr__(self, attr: str, value: Any) -> None:
        object.__setattr__(self, attr, value)

    @property  # type: ignore[override]
    def obj(self) -> Database | None:
        """The database of the workspace this thread is working on, else the process's default."""
        bound = getattr(self._local, "db", None)
        return bound if bound is not None else self._default

    @obj.setter
    def obj(self, value: Database | None) -> None:  # what ``initialize`` sets: the default
        object.__setattr__(self, "_default", value)

    @property
    def default(self) -> Database | None:
        return self._default

    @contextmanager
    def bound_to(self, db: Database) -> Iterator[None]:
        """The models use ``db`` in this thread until the block ends (blocks nest)."""
        previous = getattr(self._local, "db", None)
        self._local.db = db
        used: set[Database] = self._local.__dict__.setdefault("used", set())
        used.add(db)
        try:
            yield
        finally:
            self._local.db = previous

    def close_thread_connections(self) -> None:
        """Close this thread's connections (peewee keeps one per thread and database) to every database the
        thread worked on, and to the default. A worker calls this when its work ends."""
        seen = set(self._local.__dict__.pop("used", set()))
        if self._default is not None:
            seen.add(self._default)
        for db in seen:
            if not db.is_closed():
                db.close()


database_proxy = WorkspaceDatabase()


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


class Partnership(BaseModel):
    """A safeguarding partnership: the Business Unit's own (``own``), or one an agency joined from its pack.

    ``id`` is the partnership's own identifier (a UUID made when its Business Unit set it up), carried in its
    packs and in every return addressed to it. On the agency side ``signer_*`` is the Business Unit's certificate
    the agency trusted when it joined, ``successor_*`` a new one a later pack introduced, signed with the old.
    """

    id = CharField(primary_key=True)
    own = BooleanField(default=False)
    name = CharField()
    short_name = CharField()
    contact_name = CharField(default="")
    contact_email = CharField(default="")
    contact_phone = CharField(default="")
    #: [[sector id, label], ...] in the order the partnership lists them
    sectors = JsonField()
    #: [{"name": ..., "sector": ...}, ...]: the members the pack named (the Business Unit keeps its register)
    members = JsonField(default=list)
    pack_version = IntegerField(default=0)
    #: The pack last received (agency) or published (Business Unit), in the blob store.
    pack_sha256 = CharField(null=True)
    signer_fingerprint = CharField(null=True)
    signer_pem = TextField(null=True)
    successor_fingerprint = CharField(null=True)
    successor_pem = TextField(null=True)
    joined_at = CharField()
    updated_at = CharField()


class PartnershipForm(BaseModel):
    """A form definition a partnership uses, as YAML text (exactly the file the Business Unit added), with
    the deadline the partnership set for it."""

    id = AutoField()
    partnership = ForeignKeyField(Partnership, backref="forms", on_delete="CASCADE")
    form_id = CharField()
    form_version = CharField()
    period = CharField()
    deadline = CharField(null=True)
    source = TextField()
    sha256 = CharField()
    #: In the partnership's latest pack. A form a later pack dropped stays (returns started on it still open)
    #: but is no longer offered for new returns.
    active = BooleanField(default=True)
    added_at = CharField()

    partnership_id: str

    class Meta:
        indexes = ((("partnership", "form_id", "form_version"), True),)


class PartnershipIdentity(BaseModel):
    """The Business Unit's signing certificate and encrypted key, which sign its partnership packs (and, later,
    its feedback). Kept like an agency's (:class:`SigningIdentity`): the newest not retired signs."""

    id = AutoField()
    partnership = ForeignKeyField(Partnership, backref="identities", on_delete="CASCADE")
    fingerprint = CharField()
    certificate_pem = TextField()
    encrypted_key_pem = TextField()
    origin = CharField()
    created_at = CharField()
    retired_at = CharField(null=True)

    partnership_id: str


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
    #: The partnership the return is addressed to (None: made before partnerships were joined, or without one).
    partnership = ForeignKeyField(Partnership, null=True, backref="submissions", on_delete="RESTRICT")

    # peewee adds an ``<name>_id`` attribute for every foreign key; these say so to type checkers.
    agency_id: int
    supersedes_id: str | None
    carried_from_id: str | None
    partnership_id: str | None

    @property
    def locked(self) -> bool:
        return self.status in ("signed", "superseded")


class Answer(BaseModel):
    id = AutoField()
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
    #: edit, carry-forward, review, reopen, restore, sign ...
    action = CharField(default="edit")

    submission_id: str


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

    agency_id: int

    class Meta:
        indexes = ((("agency", "fingerprint"), True),)


# The Business Unit's side -----------------------------------------------------------------------


class RegisteredAgency(BaseModel):
    """A partner agency on the Business Unit's register."""

    id = AutoField()
    name = CharField(unique=True)
    sector = CharField(default="")
    contact_name = CharField(default="")
    contact_email = CharField(default="")
    created_at = CharField()


class TrustedCertificate(BaseModel):
    """A certificate the Business Unit trusts for one agency, by fingerprint, until revoked."""

    id = AutoField()
    agency = ForeignKeyField(RegisteredAgency, backref="certificates", on_delete="CASCADE")
    fingerprint = CharField()
    certificate_pem = TextField()
    subject = TextField()
    #: pem (registered from a file) or import (confirmed on screen at first import)
    source = CharField()
    registered_at = CharField()
    registered_by = CharField()
    revoked_at = CharField(null=True)
    revoked_by = CharField(null=True)

    agency_id: int

    class Meta:
        indexes = ((("agency", "fingerprint"), True),)


class ReceivedReturn(BaseModel):
    """One verified bundle: a signed version of an agency's return. Its signed content never changes.

    The bundle file and its PDF are kept in the blob store by SHA-256. Only the review columns (and
    ``superseded``) change, and the database refuses anything else.
    """

    id = AutoField()
    submission_id = CharField()
    version = IntegerField()
    supersedes_id = CharField(null=True)
    agency = ForeignKeyField(RegisteredAgency, backref="returns")
    form_id = CharField()
    form_version = CharField()
    period = CharField(index=True)
    signed_at = CharField()
    signatory_name = CharField()
    signatory_role = CharField()
    signer_fingerprint = CharField()
    #: SHA-256 over submission.json and submission.pdf: equal for re-exports of the same signed return.
    content_digest = CharField()
    #: Empty for a return received as its signed PDF alone, until its bundle completes it.
    bundle_sha256 = CharField()
    pdf_sha256 = CharField()
    answers = JsonField()
    file_name = CharField()
    imported_at = CharField()
    imported_by = CharField()
    superseded = BooleanField(default=False)
    #: received, has_issues or accepted
    review_status = CharField(default="received")
    review_notes = TextField(default="")
    reviewed_at = CharField(null=True)
    reviewed_by = CharField(null=True)

    agency_id: int

    class Meta:
        indexes = ((("submission_id", "version"), True),)


class Moderation(BaseModel):
    """The Business Unit's moderated rating and challenge notes, apart from the signed return.

    ``target`` is a section id (a standard), an item id (a statement) or "" (the return as a whole).
    """

    id = AutoField()
    agency = ForeignKeyField(RegisteredAgency, backref="moderation", on_delete="CASCADE")
    form_id = CharField()
    period = CharField()
    target = CharField()
    level = CharField(null=True)
    note = TextField(default="")
    updated_at = CharField()
    updated_by = CharField()

    agency_id: int

    class Meta:
        indexes = ((("agency", "form_id", "period", "target"), True),)


class RequiredAction(BaseModel):
    """An action the Business Unit requires of an agency on its return of a form for a period (``target``: a
    standard or statement id, or "" for the return as a whole); it travels in the feedback file (``uid``)."""

    id = AutoField()
    agency = ForeignKeyField(RegisteredAgency, backref="required_actions", on_delete="CASCADE")
    form_id = CharField()
    period = CharField()
    target = CharField()
    uid = CharField(unique=True)
    what = TextField()
    due = CharField(null=True)
    created_at = CharField()
    created_by = CharField()

    agency_id: int

    class Meta:
        indexes = ((("agency", "form_id", "period"), False),)


class ReceivedFeedback(BaseModel):
    """The partnership's signed feedback on one of the agency's returns, as received (``feedback``: that return's
    entry of ``feedback.json``; the file and its signed letter are blobs)."""

    id = AutoField()
    partnership = ForeignKeyField(Partnership, backref="feedback", on_delete="RESTRICT")
    submission = ForeignKeyField(Submission, backref="feedback", on_delete="CASCADE")
    submission_version = IntegerField()
    period = CharField()
    issued_at = CharField()
    issued_by = CharField()
    signer_fingerprint = CharField()
    content_digest = CharField()
    file_sha256 = CharField()
    letter_sha256 = CharField()
    file_name = CharField()
    feedback = JsonField()
    imported_at = CharField()
    imported_by = CharField()

    partnership_id: str
    submission_id: str

    class Meta:
        indexes = ((("content_digest", "submission"), True),)


class BusinessUnitLog(BaseModel):
    """Trust decisions, imports, revocations and reviews: who did what and when."""

    id = AutoField()
    at = CharField()
    user = CharField()
    action = CharField()
    detail = JsonField()


# The survey's tables live in their own module, which builds on the models above.
from oscb_desktop.store.survey_tables import SURVEY_MODELS  # noqa: E402

ALL_MODELS = (
    Setting,
    Partnership,
    PartnershipForm,
    PartnershipIdentity,
    Agency,
    Submission,
    Answer,
    AuditEntry,
    SigningIdentity,
    RegisteredAgency,
    TrustedCertificate,
    ReceivedReturn,
    Moderation,
    RequiredAction,
    ReceivedFeedback,
    BusinessUnitLog,
    *SURVEY_MODELS,
)
