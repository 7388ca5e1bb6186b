"""Storage: peewee models on SQLite (or, for a Business Unit, PostgreSQL), the connection and its checks,
versioned migrations, content-addressed files, the workspace lock and backups."""

from oscb_desktop.store.connection import DB_FILENAME, open_database
from oscb_desktop.store.errors import WorkspaceError, WorkspaceReadOnlyError, WorkspaceUnavailableError
from oscb_desktop.store.health import WalMissingError, WorkspaceDamagedError
from oscb_desktop.store.lock import WorkspaceInUseError
from oscb_desktop.store.migrations import CURRENT_VERSION, DatabaseTooNewError
from oscb_desktop.store.models import Agency, Answer, AuditEntry, Setting, Submission
from oscb_desktop.store.postgres import DatabaseAddressError, ServerUnavailableError

__all__ = [
    "CURRENT_VERSION",
    "DB_FILENAME",
    "Agency",
    "Answer",
    "AuditEntry",
    "DatabaseAddressError",
    "DatabaseTooNewError",
    "ServerUnavailableError",
    "Setting",
    "Submission",
    "WalMissingError",
    "WorkspaceDamagedError",
    "WorkspaceError",
    "WorkspaceInUseError",
    "WorkspaceReadOnlyError",
    "WorkspaceUnavailableError",
    "open_database",
]
