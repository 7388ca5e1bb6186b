"""The schema of a workspace on PostgreSQL: the same tables, columns, keys and guarantees as the SQLite one
(:mod:`.migrations`), in PostgreSQL's dialect.

A PostgreSQL workspace starts at :data:`BASELINE` (the SQLite schema as of that version, written here whole) and
then takes the PostgreSQL dialect of every later step (:data:`STEPS`). A new SQLite step needs its PostgreSQL step
here too: :func:`migrate` refuses to work on a schema it cannot bring to ``CURRENT_VERSION``, and
``tests/unit/store/test_postgres.py`` checks that both engines end with the same columns.

The SQLite triggers that make signed content immutable are PL/pgSQL triggers here, with the same messages:
received signed content cannot be changed or deleted, whoever connects (``psql`` as much as the app). Stored files
(the blob store) are a table, ``stored_file``, rows only ever added.
"""

from __future__ import annotations

from peewee import Database

from oscb_desktop.store.migrations import (
    _COMPLETED_BY_BUNDLE,
    _RECEIVED_CONTENT,
    _SUBMISSION_LOCK_COLUMNS,
    CURRENT_VERSION,
    DatabaseTooNewError,
)

#: The version the whole schema below reaches in one go.
BASELINE = 7

_TABLES = (
    "CREATE TABLE setting (key VARCHAR(255) NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE agency (
        id SERIAL NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, sector VARCHAR(255) NOT NULL,
        services TEXT NOT NULL, lead_name VARCHAR(255) NOT NULL, lead_email VARCHAR(255) NOT NULL,
        lead_phone VARCHAR(255) NOT NULL, created_at VARCHAR(255) NOT NULL)""",
    """CREATE TABLE partnership (
        id VARCHAR(255) NOT NULL PRIMARY KEY, own BOOLEAN NOT NULL DEFAULT FALSE,
        name VARCHAR(255) NOT NULL, short_name VARCHAR(255) NOT NULL,
        contact_name VARCHAR(255) NOT NULL DEFAULT '', contact_email VARCHAR(255) NOT NULL DEFAULT '',
        contact_phone VARCHAR(255) NOT NULL DEFAULT '', sectors TEXT NOT NULL, members TEXT NOT NULL,
        pack_version INTEGER NOT NULL DEFAULT 0, pack_sha256 VARCHAR(255),
        signer_fingerprint VARCHAR(255), signer_pem TEXT,
        successor_fingerprint VARCHAR(255), successor_pem TEXT,
        joined_at VARCHAR(255) NOT NULL, updated_at VARCHAR(255) NOT NULL)""",
    "CREATE UNIQUE INDEX partnership_own ON partnership (own) WHERE own",
    """CREATE TABLE submission (
        id VARCHAR(255) NOT NULL PRIMARY KEY,
        agency_id INTEGER NOT NULL REFERENCES agency (id) ON DELETE CASCADE,
        form_id VARCHAR(255) NOT NULL, form_version VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL,
        version INTEGER NOT NULL,
        supersedes_id VARCHAR(255) REFERENCES submission (id) ON DELETE SET NULL,
        status VARCHAR(255) NOT NULL,
        carried_from_id VARCHAR(255) REFERENCES submission (id) ON DELETE SET NULL,
        created_at VARCHAR(255) NOT NULL, updated_at VARCHAR(255) NOT NULL,
        signed_at VARCHAR(255), signatory_name VARCHAR(255), signatory_role VARCHAR(255),
        percent_complete INTEGER NOT NULL DEFAULT 0,
        signed_pdf_sha256 VARCHAR(255), signer_fingerprint VARCHAR(255),
        partnership_id VARCHAR(255) REFERENCES partnership (id) ON DELETE RESTRICT)""",
    "CREATE INDEX submission_agency_id ON submission (agency_id)",
    "CREATE INDEX submission_partnership_id ON submission (partnership_id)",
    """CREATE TABLE answer (
        id SERIAL NOT NULL PRIMARY KEY,
        submission_id VARCHAR(255) NOT NULL REFERENCES submission (id) ON DELETE CASCADE,
        item_id VARCHAR(255) NOT NULL, value TEXT, carried BOOLEAN NOT NULL, updated_at VARCHAR(255) NOT NULL)""",
    "CREATE UNIQUE INDEX answer_submission_id_item_id ON answer (submission_id, item_id)",
    """CREATE TABLE audit_entry (
        id SERIAL NOT NULL PRIMARY KEY,
        submission_id VARCHAR(255) NOT NULL REFERENCES submission (id) ON DELETE CASCADE,
        item_id VARCHAR(255) NOT NULL, old_value TEXT, new_value TEXT, at VARCHAR(255) NOT NULL,
        "user" VARCHAR(255) NOT NULL, action VARCHAR(255) NOT NULL DEFAULT 'edit')""",
    "CREATE INDEX audit_entry_submission_id ON audit_entry (submission_id)",
    """CREATE TABLE signing_identity (
        id SERIAL NOT NULL PRIMARY KEY,
        agency_id INTEGER NOT NULL REFERENCES agency (id) ON DELETE CASCADE,
        fingerprint VARCHAR(255) NOT NULL, certificate_pem TEXT NOT NULL, encrypted_key_pem TEXT NOT NULL,
        origin VARCHAR(255) NOT NULL, created_at VARCHAR(255) NOT NULL, retired_at VARCHAR(255))""",
    "CREATE UNIQUE INDEX signing_identity_agency_id_fingerprint ON signing_identity (agency_id, fingerprint)",
    """CREATE TABLE registered_agency (
        id SERIAL NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, sector VARCHAR(255) NOT NULL,
        contact_name VARCHAR(255) NOT NULL, contact_email VARCHAR(255) NOT NULL,
        created_at VARCHAR(255) NOT NULL)""",
    "CREATE UNIQUE INDEX registered_agency_name ON registered_agency (name)",
    """CREATE TABLE trusted_certificate (
        id SERIAL NOT NULL PRIMARY KEY,
        agency_id INTEGER NOT NULL REFERENCES registered_agency (id) ON DELETE CASCADE,
        fingerprint VARCHAR(255) NOT NULL, certificate_pem TEXT NOT NULL, subject TEXT NOT NULL,
        source VARCHAR(255) NOT NULL, registered_at VARCHAR(255) NOT NULL, registered_by VARCHAR(255) NOT NULL,
        revoked_at VARCHAR(255), revoked_by VARCHAR(255))""",
    "CREATE UNIQUE INDEX trusted_certificate_agency_id_fingerprint ON trusted_certificate (agency_id, fingerprint)",
    """CREATE TABLE received_return (
        id SERIAL NOT NULL PRIMARY KEY,
        submission_id VARCHAR(255) NOT NULL, version INTEGER NOT NULL, supersedes_id VARCHAR(255),
        agency_id INTEGER NOT NULL REFERENCES registered_agency (id),
        form_id VARCHAR(255) NOT NULL, form_version VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL,
        signed_at VARCHAR(255) NOT NULL, signatory_name VARCHAR(255) NOT NULL,
        signatory_role VARCHAR(255) NOT NULL, signer_fingerprint VARCHAR(255) NOT NULL,
        content_digest VARCHAR(255) NOT NULL, bundle_sha256 VARCHAR(255) NOT NULL,
        pdf_sha256 VARCHAR(255) NOT NULL, answers TEXT NOT NULL, file_name VARCHAR(255) NOT NULL,
        imported_at VARCHAR(255) NOT NULL, imported_by VARCHAR(255) NOT NULL,
        superseded BOOLEAN NOT NULL DEFAULT FALSE,
        review_status VARCHAR(255) NOT NULL DEFAULT 'received', review_notes TEXT NOT NULL DEFAULT '',
        reviewed_at VARCHAR(255), reviewed_by VARCHAR(255))""",
    "CREATE UNIQUE INDEX received_return_submission_id_version ON received_return (submission_id, version)",
    "CREATE INDEX received_return_agency_id ON received_return (agency_id)",
    "CREATE INDEX received_return_period ON received_return (period)",
    """CREATE TABLE moderation (
        id SERIAL NOT NULL PRIMARY KEY,
        agency_id INTEGER NOT NULL REFERENCES registered_agency (id) ON DELETE CASCADE,
        form_id VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL, target VARCHAR(255) NOT NULL,
        level VARCHAR(255), note TEXT NOT NULL, updated_at VARCHAR(255) NOT NULL,
        updated_by VARCHAR(255) NOT NULL)""",
    "CREATE UNIQUE INDEX moderation_key ON moderation (agency_id, form_id, period, target)",
    """CREATE TABLE business_unit_log (
        id SERIAL NOT NULL PRIMARY KEY, at VARCHAR(255) NOT NULL, "user" VARCHAR(255) NOT NULL,
        action VARCHAR(255) NOT NULL, detail TEXT NOT NULL)""",
    """CREATE TABLE partnership_form (
        id SERIAL NOT NULL PRIMARY KEY,
        partnership_id VARCHAR(255) NOT NULL REFERENCES partnership (id) ON DELETE CASCADE,
        form_id VARCHAR(255) NOT NULL, form_version VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL,
        deadline VARCHAR(255), source TEXT NOT NULL, sha256 VARCHAR(255) NOT NULL,
        active BOOLEAN NOT NULL DEFAULT TRUE, added_at VARCHAR(255) NOT NULL)""",
    "CREATE UNIQUE INDEX partnership_form_partnership_id_form_id_form_version "
    "ON partnership_form (partnership_id, form_id, form_version)",
    """CREATE TABLE partnership_identity (
        id SERIAL NOT NULL PRIMARY KEY,
        partnership_id VARCHAR(255) NOT NULL REFERENCES partnership (id) ON DELETE CASCADE,
        fingerprint VARCHAR(255) NOT NULL, certificate_pem TEXT NOT NULL, encrypted_key_pem TEXT NOT NULL,
        origin VARCHAR(255) NOT NULL, created_at VARCHAR(255) NOT NULL, retired_at VARCHAR(255))""",
    "CREATE INDEX partnership_identity_partnership_id ON partnership_identity (partnership_id)",
    """CREATE TABLE required_action (
        id SERIAL NOT NULL PRIMARY KEY,
        agency_id INTEGER NOT NULL REFERENCES registered_agency (id) ON DELETE CASCADE,
        form_id VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL, target VARCHAR(255) NOT NULL,
        uid VARCHAR(255) NOT NULL, what TEXT NOT NULL, due VARCHAR(255),
        created_at VARCHAR(255) NOT NULL, created_by VARCHAR(255) NOT NULL)""",
    "CREATE INDEX required_action_key ON required_action (agency_id, form_id, period)",
    "CREATE UNIQUE INDEX required_action_uid ON required_action (uid)",
    """CREATE TABLE received_feedback (
        id SERIAL NOT NULL PRIMARY KEY,
        partnership_id VARCHAR(255) NOT NULL REFERENCES partnership (id) ON DELETE RESTRICT,
        submission_id VARCHAR(255) NOT NULL REFERENCES submission (id) ON DELETE CASCADE,
        submission_version INTEGER NOT NULL, period VARCHAR(255) NOT NULL,
        issued_at VARCHAR(255) NOT NULL, issued_by VARCHAR(255) NOT NULL,
        signer_fingerprint VARCHAR(255) NOT NULL, content_digest VARCHAR(255) NOT NULL,
        file_sha256 VARCHAR(255) NOT NULL, letter_sha256 VARCHAR(255) NOT NULL, file_name VARCHAR(255) NOT NULL,
        feedback TEXT NOT NULL, imported_at VARCHAR(255) NOT NULL, imported_by VARCHAR(255) NOT NULL)""",
    "CREATE INDEX received_feedback_submission_id ON received_feedback (submission_id)",
    "CREATE UNIQUE INDEX received_feedback_content_digest_submission_id "
    "ON received_feedback (content_digest, submission_id)",
    # The blob store: on a server the files live with the rows that name them (one thing to back up).
    """CREATE TABLE stored_file (
        sha256 CHAR(64) NOT NULL PRIMARY KEY, size INTEGER NOT NULL, data BYTEA NOT NULL,
        added_at VARCHAR(255) NOT NULL)""",
)


def _refuse(name: str, message: str, condition: str, *, ref: str = "NEW") -> list[str]:
    """A PL/pgSQL trigger function that raises ``message`` when ``condition`` holds (SQLite's ``RAISE(ABORT)``)."""
    back = "OLD" if ref == "OLD" else "NEW"
    return [
        f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN {back};
        END $$"""
    ]


def _changed(columns: tuple[str, ...] | list[str]) -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


_SIGNED = "('signed', 'superseded')"
_RETURN_SIGNED = "this return is signed and cannot be changed"
_RECEIVED_SIGNED = "a received return is signed by its agency and cannot be"


def _triggers() -> list[str]:
    fixed = [c for c in _RECEIVED_CONTENT if c not in _COMPLETED_BY_BUNDLE]
    completable = _changed(_COMPLETED_BY_BUNDLE)
    sub_columns = (*_SUBMISSION_LOCK_COLUMNS, "signed_pdf_sha256", "signer_fingerprint")
    sql: list[str] = []
    for op, ref in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        sql += _refuse(
            f"answer_locked_{op}",
            _RETURN_SIGNED,
            f"(SELECT status FROM submission WHERE id = {ref}.submission_id) IN {_SIGNED}",
            ref=ref,
        )
        sql.append(
            f"CREATE TRIGGER answer_locked_{op} BEFORE {op.upper()} ON answer "
            f"FOR EACH ROW EXECUTE FUNCTION answer_locked_{op}()"
        )
    sql += _refuse(
        "submission_locked_update",
        _RETURN_SIGNED,
        f"OLD.status IN {_SIGNED} AND (NEW.status NOT IN {_SIGNED} OR {_changed(sub_columns)})",
    )
    sql += _refuse(
        "submission_locked_delete", "this return is signed and cannot be deleted", f"OLD.status IN {_SIGNED}", ref="OLD"
    )
    sql += _refuse(
        "received_return_signed_update",
        f"{_RECEIVED_SIGNED} changed",
        f"""{_changed(fixed)}
            OR (OLD.bundle_sha256 <> '' AND ({completable}))
            OR (OLD.bundle_sha256 = '' AND NEW.bundle_sha256 = '' AND ({completable}))""",
    )
    sql += _refuse("received_return_signed_delete", f"{_RECEIVED_SIGNED} deleted", "TRUE", ref="OLD")
    sql += _refuse("stored_file_kept", "a stored file is kept as it was added", "TRUE", ref="OLD")
    for table, name, when in (
        ("submission", "submission_locked_update", "UPDATE"),
        ("submission", "submission_locked_delete", "DELETE"),
        ("received_return", "received_return_signed_update", "UPDATE"),
        ("received_return", "received_return_signed_delete", "DELETE"),
        ("stored_file", "stored_file_kept", "UPDATE OR DELETE"),
    ):
        sql.append(f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    return sql


#: Version reached -> the PostgreSQL dialect of the SQLite step to that version (append with every new step).
STEPS: dict[int, tuple[str, ...]] = {}

#: Every officer's app may open the database at the same moment: one of them creates or migrates the schema,
#: the others wait for it (a transaction-level advisory lock; the number is arbitrary but fixed).
_SCHEMA_LOCK = 0x05CB_0014


class SchemaStepMissingError(RuntimeError):
    """A bug: a SQLite migration step has no PostgreSQL dialect yet."""


def schema_version(db: Database) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute_sql("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: Database, where: str) -> list[int]:
    """Bring the PostgreSQL schema to ``CURRENT_VERSION``, in one transaction, whoever else is opening it;
    return the versions applied. A schema newer than this app is refused untouched (``where`` names it)."""
    missing = [v for v in range(BASELINE + 1, CURRENT_VERSION + 1) if v not in STEPS]
    if missing:
        raise SchemaStepMissingError(f"no PostgreSQL dialect of migration step(s) {missing}")
    with db.atomic():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        found = schema_version(db)
        if found > CURRENT_VERSION:
            raise DatabaseTooNewError(where, found, CURRENT_VERSION)  # type: ignore[arg-type]
        applied: list[int] = []
        if found == 0:
            db.execute_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            db.execute_sql("INSERT INTO schema_version (version) VALUES (%s)", (BASELINE,))
            for sql in (*_TABLES, *_triggers()):
                db.execute_sql(sql)
            found = BASELINE
            applied = list(range(1, BASELINE + 1))
        for version in range(found + 1, CURRENT_VERSION + 1):
            for sql in STEPS[version]:
                db.execute_sql(sql)
            applied.append(version)
        db.execute_sql("UPDATE schema_version SET version = %s", (CURRENT_VERSION,))
    return applied
