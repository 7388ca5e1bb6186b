"""Linear, versioned schema migrations.

Each step takes the database from version N-1 to N inside one transaction. Before the first
step runs on an existing file, a consistent copy of it is written next to it. A database made
by a newer version of the app is refused, never touched.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from peewee import SqliteDatabase

from oscb_desktop.store.errors import WorkspaceError


class DatabaseTooNewError(WorkspaceError):
    def __init__(self, path: Path, found: int, known: int) -> None:
        self.path, self.found, self.known = path, found, known
        super().__init__(
            f"The workspace {path} was made by a newer version of OSCB Desktop (database version {found}; "
            f"this version understands up to {known}). Install the newer version of the app, or open another "
            "workspace with --data-dir. The workspace was not changed."
        )


def _v1(db: SqliteDatabase) -> None:
    for sql in (
        "CREATE TABLE setting (key VARCHAR(255) NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE agency (
            id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, sector VARCHAR(255) NOT NULL,
            services TEXT NOT NULL, lead_name VARCHAR(255) NOT NULL, lead_email VARCHAR(255) NOT NULL,
            lead_phone VARCHAR(255) NOT NULL, created_at VARCHAR(255) NOT NULL)""",
        """CREATE TABLE submission (
            id VARCHAR(255) NOT NULL PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agency (id) ON DELETE CASCADE,
            form_id VARCHAR(255) NOT NULL, form_version VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL,
            version INTEGER NOT NULL,
            supersedes_id VARCHAR(255) REFERENCES submission (id) ON DELETE SET NULL,
            status VARCHAR(255) NOT NULL,
            carried_from_id VARCHAR(255) REFERENCES submission (id) ON DELETE SET NULL,
            created_at VARCHAR(255) NOT NULL, updated_at VARCHAR(255) NOT NULL,
            signed_at VARCHAR(255), signatory_name VARCHAR(255), signatory_role VARCHAR(255))""",
        "CREATE INDEX submission_agency_id ON submission (agency_id)",
        """CREATE TABLE answer (
            id INTEGER NOT NULL PRIMARY KEY,
            submission_id VARCHAR(255) NOT NULL REFERENCES submission (id) ON DELETE CASCADE,
            item_id VARCHAR(255) NOT NULL, value TEXT, carried INTEGER NOT NULL, updated_at VARCHAR(255) NOT NULL)""",
        "CREATE UNIQUE INDEX answer_submission_id_item_id ON answer (submission_id, item_id)",
        """CREATE TABLE audit_entry (
            id INTEGER NOT NULL PRIMARY KEY,
            submission_id VARCHAR(255) NOT NULL REFERENCES submission (id) ON DELETE CASCADE,
            item_id VARCHAR(255) NOT NULL, old_value TEXT, new_value TEXT, at VARCHAR(255) NOT NULL,
            user VARCHAR(255) NOT NULL)""",
        "CREATE INDEX audit_entry_submission_id ON audit_entry (submission_id)",
    ):
        db.execute_sql(sql)


_LOCKED = "(SELECT status FROM submission WHERE id = {ref}.submission_id) IN ('signed', 'superseded')"


def _v2(db: SqliteDatabase) -> None:
    """Cached completion, the kind of each audit entry, and signed returns enforced by the database."""
    db.execute_sql("ALTER TABLE submission ADD COLUMN percent_complete INTEGER NOT NULL DEFAULT 0")
    db.execute_sql("ALTER TABLE audit_entry ADD COLUMN action VARCHAR(255) NOT NULL DEFAULT 'edit'")
    # A signed return is immutable whatever code path tries to change it.
    for op, ref in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        db.execute_sql(
            f"""CREATE TRIGGER answer_locked_{op.lower()} BEFORE {op} ON answer
            WHEN {_LOCKED.format(ref=ref)}
            BEGIN SELECT RAISE(ABORT, 'this return is signed and cannot be changed'); END"""
        )
    db.execute_sql(
        """CREATE TRIGGER submission_locked_update BEFORE UPDATE ON submission
        WHEN OLD.status IN ('signed', 'superseded') AND (
            NEW.status NOT IN ('signed', 'superseded') OR NEW.form_id IS NOT OLD.form_id
            OR NEW.form_version IS NOT OLD.form_version OR NEW.period IS NOT OLD.period
            OR NEW.version IS NOT OLD.version OR NEW.agency_id IS NOT OLD.agency_id
            OR NEW.signed_at IS NOT OLD.signed_at OR NEW.signatory_name IS NOT OLD.signatory_name
            OR NEW.signatory_role IS NOT OLD.signatory_role)
        BEGIN SELECT RAISE(ABORT, 'this return is signed and cannot be changed'); END"""
    )


_SUBMISSION_LOCK_COLUMNS = (
    "form_id",
    "form_version",
    "period",
    "version",
    "agency_id",
    "signed_at",
    "signatory_name",
    "signatory_role",
)


def _submission_lock_trigger(columns: tuple[str, ...]) -> str:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    return f"""CREATE TRIGGER submission_locked_update BEFORE UPDATE ON submission
        WHEN OLD.status IN ('signed', 'superseded') AND (NEW.status NOT IN ('signed', 'superseded') OR {changed})
        BEGIN SELECT RAISE(ABORT, 'this return is signed and cannot be changed'); END"""


def _v3(db: SqliteDatabase) -> None:
    """Signing identities (encrypted keys), and the signed PDF and signer of each signed return."""
    db.execute_sql(
        """CREATE TABLE signing_identity (
            id INTEGER NOT NULL PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agency (id) ON DELETE CASCADE,
            fingerprint VARCHAR(255) NOT NULL, certificate_pem TEXT NOT NULL, encrypted_key_pem TEXT NOT NULL,
            origin VARCHAR(255) NOT NULL, created_at VARCHAR(255) NOT NULL, retired_at VARCHAR(255))"""
    )
    db.execute_sql(
        "CREATE UNIQUE INDEX signing_identity_agency_id_fingerprint ON signing_identity (agency_id, fingerprint)"
    )
    db.execute_sql("ALTER TABLE submission ADD COLUMN signed_pdf_sha256 VARCHAR(255)")
    db.execute_sql("ALTER TABLE submission ADD COLUMN signer_fingerprint VARCHAR(255)")
    db.execute_sql("DROP TRIGGER submission_locked_update")
    db.execute_sql(_submission_lock_trigger((*_SUBMISSION_LOCK_COLUMNS, "signed_pdf_sha256", "signer_fingerprint")))
    # Nor can a signed return be deleted, directly or by deleting its agency.
    db.execute_sql(
        """CREATE TRIGGER submission_locked_delete BEFORE DELETE ON submission
        WHEN OLD.status IN ('signed', 'superseded')
        BEGIN SELECT RAISE(ABORT, 'this return is signed and cannot be deleted'); END"""
    )


_RECEIVED_CONTENT = (
    "submission_id",
    "version",
    "supersedes_id",
    "agency_id",
    "form_id",
    "form_version",
    "period",
    "signed_at",
    "signatory_name",
    "signatory_role",
    "signer_fingerprint",
    "content_digest",
    "bundle_sha256",
    "pdf_sha256",
    "answers",
    "imported_at",
)


def _v4(db: SqliteDatabase) -> None:
    """The Business Unit's side: agency register, trusted certificates, received returns, moderation."""
    for sql in (
        """CREATE TABLE registered_agency (
            id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, sector VARCHAR(255) NOT NULL,
            contact_name VARCHAR(255) NOT NULL, contact_email VARCHAR(255) NOT NULL,
            created_at VARCHAR(255) NOT NULL)""",
        "CREATE UNIQUE INDEX registered_agency_name ON registered_agency (name)",
        """CREATE TABLE trusted_certificate (
            id INTEGER NOT NULL PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES registered_agency (id) ON DELETE CASCADE,
            fingerprint VARCHAR(255) NOT NULL, certificate_pem TEXT NOT NULL, subject TEXT NOT NULL,
            source VARCHAR(255) NOT NULL, registered_at VARCHAR(255) NOT NULL, registered_by VARCHAR(255) NOT NULL,
            revoked_at VARCHAR(255), revoked_by VARCHAR(255))""",
        "CREATE UNIQUE INDEX trusted_certificate_agency_id_fingerprint ON trusted_certificate (agency_id, fingerprint)",
        """CREATE TABLE received_return (
            id INTEGER NOT NULL PRIMARY KEY,
            submission_id VARCHAR(255) NOT NULL, version INTEGER NOT NULL, supersedes_id VARCHAR(255),
            agency_id INTEGER NOT NULL REFERENCES registered_agency (id),
            form_id VARCHAR(255) NOT NULL, form_version VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL,
            signed_at VARCHAR(255) NOT NULL, signatory_name VARCHAR(255) NOT NULL,
            signatory_role VARCHAR(255) NOT NULL, signer_fingerprint VARCHAR(255) NOT NULL,
            content_digest VARCHAR(255) NOT NULL, bundle_sha256 VARCHAR(255) NOT NULL,
            pdf_sha256 VARCHAR(255) NOT NULL, answers TEXT NOT NULL, file_name VARCHAR(255) NOT NULL,
            imported_at VARCHAR(255) NOT NULL, imported_by VARCHAR(255) NOT NULL,
            superseded INTEGER NOT NULL DEFAULT 0,
            review_status VARCHAR(255) NOT NULL DEFAULT 'received', review_notes TEXT NOT NULL DEFAULT '',
            reviewed_at VARCHAR(255), reviewed_by VARCHAR(255))""",
        "CREATE UNIQUE INDEX received_return_submission_id_version ON received_return (submission_id, version)",
        "CREATE INDEX received_return_agency_id ON received_return (agency_id)",
        "CREATE INDEX received_return_period ON received_return (period)",
        # What an agency signed never changes here either; only the Business Unit's review columns can.
        f"""CREATE TRIGGER received_return_signed_update BEFORE UPDATE ON received_return
        WHEN {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _RECEIVED_CONTENT)}
        BEGIN SELECT RAISE(ABORT, 'a received return is signed by its agency and cannot be changed'); END""",
        """CREATE TRIGGER received_return_signed_delete BEFORE DELETE ON received_return
        BEGIN SELECT RAISE(ABORT, 'a received return is signed by its agency and cannot be deleted'); END""",
        """CREATE TABLE moderation (
            id INTEGER NOT NULL PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES registered_agency (id) ON DELETE CASCADE,
            form_id VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL, target VARCHAR(255) NOT NULL,
            level VARCHAR(255), note TEXT NOT NULL, updated_at VARCHAR(255) NOT NULL,
            updated_by VARCHAR(255) NOT NULL)""",
        "CREATE UNIQUE INDEX moderation_key ON moderation (agency_id, form_id, period, target)",
        """CREATE TABLE business_unit_log (
            id INTEGER NOT NULL PRIMARY KEY, at VARCHAR(255) NOT NULL, user VARCHAR(255) NOT NULL,
            action VARCHAR(255) NOT NULL, detail TEXT NOT NULL)""",
    ):
        db.execute_sql(sql)


#: What importing the full bundle of a return first imported from its signed PDF alone may set, once: the
#: bundle, and the signatory and signing time its signed manifest states (the PDF alone only names the holder of
#: the certificate and the time its signature claims).
_COMPLETED_BY_BUNDLE = ("bundle_sha256", "signatory_name", "signatory_role", "signed_at")


def _v5(db: SqliteDatabase) -> None:
    """A return may be received as its signed PDF alone (``bundle_sha256`` empty) and completed, once, by its
    bundle later; everything else an agency signed still never changes."""
    fixed = [c for c in _RECEIVED_CONTENT if c not in _COMPLETED_BY_BUNDLE]
    changed_fixed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in fixed)
    changed_completable = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _COMPLETED_BY_BUNDLE)
    for sql in (
        "DROP TRIGGER received_return_signed_update",
        f"""CREATE TRIGGER received_return_signed_update BEFORE UPDATE ON received_return
        WHEN {changed_fixed}
            OR (OLD.bundle_sha256 <> '' AND ({changed_completable}))
            OR (OLD.bundle_sha256 = '' AND NEW.bundle_sha256 = '' AND ({changed_completable}))
        BEGIN SELECT RAISE(ABORT, 'a received return is signed by its agency and cannot be changed'); END""",
    ):
        db.execute_sql(sql)


def _v6(db: SqliteDatabase) -> None:
    """Partnerships: the Business Unit's own profile, forms and signing identity; the partnerships an agency
    joined from their packs; and the partnership each return is addressed to."""
    for sql in (
        """CREATE TABLE partnership (
            id VARCHAR(255) NOT NULL PRIMARY KEY, own INTEGER NOT NULL DEFAULT 0,
            name VARCHAR(255) NOT NULL, short_name VARCHAR(255) NOT NULL,
            contact_name VARCHAR(255) NOT NULL DEFAULT '', contact_email VARCHAR(255) NOT NULL DEFAULT '',
            contact_phone VARCHAR(255) NOT NULL DEFAULT '', sectors TEXT NOT NULL, members TEXT NOT NULL,
            pack_version INTEGER NOT NULL DEFAULT 0, pack_sha256 VARCHAR(255),
            signer_fingerprint VARCHAR(255), signer_pem TEXT,
            successor_fingerprint VARCHAR(255), successor_pem TEXT,
            joined_at VARCHAR(255) NOT NULL, updated_at VARCHAR(255) NOT NULL)""",
        # A workspace is the Business Unit of one partnership at most.
        "CREATE UNIQUE INDEX partnership_own ON partnership (own) WHERE own = 1",
        """CREATE TABLE partnership_form (
            id INTEGER NOT NULL PRIMARY KEY,
            partnership_id VARCHAR(255) NOT NULL REFERENCES partnership (id) ON DELETE CASCADE,
            form_id VARCHAR(255) NOT NULL, form_version VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL,
            deadline VARCHAR(255), source TEXT NOT NULL, sha256 VARCHAR(255) NOT NULL,
            active INTEGER NOT NULL DEFAULT 1, added_at VARCHAR(255) NOT NULL)""",
        "CREATE UNIQUE INDEX partnership_form_partnership_id_form_id_form_version "
        "ON partnership_form (partnership_id, form_id, form_version)",
        """CREATE TABLE partnership_identity (
            id INTEGER NOT NULL PRIMARY KEY,
            partnership_id VARCHAR(255) NOT NULL REFERENCES partnership (id) ON DELETE CASCADE,
            fingerprint VARCHAR(255) NOT NULL, certificate_pem TEXT NOT NULL, encrypted_key_pem TEXT NOT NULL,
            origin VARCHAR(255) NOT NULL, created_at VARCHAR(255) NOT NULL, retired_at VARCHAR(255))""",
        "CREATE INDEX partnership_identity_partnership_id ON partnership_identity (partnership_id)",
        "ALTER TABLE submission ADD COLUMN partnership_id VARCHAR(255) REFERENCES partnership (id) ON DELETE RESTRICT",
        "CREATE INDEX submission_partnership_id ON submission (partnership_id)",
    ):
        db.execute_sql(sql)


def _v7(db: SqliteDatabase) -> None:
    """Feedback: the actions a Business Unit requires of an agency on a return (kept, like moderation, per agency,
    form and period, apart from the signed return), and the signed feedback an agency received on its returns."""
    for sql in (
        """CREATE TABLE required_action (
            id INTEGER NOT NULL PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES registered_agency (id) ON DELETE CASCADE,
            form_id VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL, target VARCHAR(255) NOT NULL,
            uid VARCHAR(255) NOT NULL, what TEXT NOT NULL, due VARCHAR(255),
            created_at VARCHAR(255) NOT NULL, created_by VARCHAR(255) NOT NULL)""",
        "CREATE INDEX required_action_key ON required_action (agency_id, form_id, period)",
        "CREATE UNIQUE INDEX required_action_uid ON required_action (uid)",
        """CREATE TABLE received_feedback (
            id INTEGER NOT NULL PRIMARY KEY,
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
    ):
        db.execute_sql(sql)


def _v8_survey(db: SqliteDatabase) -> None:
    """The practitioner survey: an agency's counts per period and its remembered column mapping, the counts
    frozen into each signed return, and those a Business Unit received (store/survey_tables.py)."""
    for sql in (
        """CREATE TABLE survey_result (
            id INTEGER NOT NULL PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agency (id) ON DELETE CASCADE,
            form_id VARCHAR(255) NOT NULL, form_version VARCHAR(255) NOT NULL, period VARCHAR(255) NOT NULL,
            counts TEXT NOT NULL, file_name VARCHAR(255) NOT NULL,
            imported_at VARCHAR(255) NOT NULL, imported_by VARCHAR(255) NOT NULL)""",
        "CREATE UNIQUE INDEX survey_result_key ON survey_result (agency_id, form_id, period)",
        """CREATE TABLE survey_mapping (
            id INTEGER NOT NULL PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agency (id) ON DELETE CASCADE,
            form_id VARCHAR(255) NOT NULL, mapping TEXT NOT NULL, updated_at VARCHAR(255) NOT NULL)""",
        "CREATE UNIQUE INDEX survey_mapping_key ON survey_mapping (agency_id, form_id)",
        """CREATE TABLE signed_survey (
            submission_id VARCHAR(255) NOT NULL PRIMARY KEY REFERENCES submission (id) ON DELETE CASCADE,
            counts TEXT NOT NULL)""",
        """CREATE TABLE received_survey (
            received_id INTEGER NOT NULL PRIMARY KEY REFERENCES received_return (id) ON DELETE CASCADE,
            counts TEXT NOT NULL)""",
    ):
        db.execute_sql(sql)


#: Index = version reached after the step (1-based). Append only; never edit a released step.
MIGRATIONS: list[Callable[[SqliteDatabase], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8_survey]
CURRENT_VERSION = len(MIGRATIONS)


def schema_version(db: SqliteDatabase) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute_sql("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def backup(db_path: Path, version: int) -> Path:
    """A consistent copy (SQLite backup API, WAL included) before migrating."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = db_path.with_name(f"{db_path.stem}.v{version}.{stamp}.bak")
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # the owner's alone, as the workspace
    src = sqlite3.connect(db_path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def migrate(db: SqliteDatabase, db_path: Path | None = None) -> list[int]:
    """Bring the database to :data:`CURRENT_VERSION`; return the versions applied."""
    found = schema_version(db)
    if found > CURRENT_VERSION:
        raise DatabaseTooNewError(db_path or Path(db.database), found, CURRENT_VERSION)
    if found == CURRENT_VERSION:
        return []
    if found > 0 and db_path is not None:
        backup(db_path, found)
    applied = []
    for version in range(found + 1, CURRENT_VERSION + 1):
        with db.atomic():
            if version == 1:
                db.execute_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                db.execute_sql("INSERT INTO schema_version (version) VALUES (0)")
            MIGRATIONS[version - 1](db)
            db.execute_sql("UPDATE schema_version SET version = ?", (version,))
        applied.append(version)
    return applied
