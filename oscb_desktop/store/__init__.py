"""Storage: peewee models on SQLite, the connection, versioned migrations, and content-addressed files."""

from oscb_desktop.store.connection import DB_FILENAME, open_database
from oscb_desktop.store.migrations import CURRENT_VERSION, DatabaseTooNewError
from oscb_desktop.store.models import Agency, Answer, AuditEntry, Setting, Submission

__all__ = [
    "CURRENT_VERSION",
    "DB_FILENAME",
    "Agency",
    "Answer",
    "AuditEntry",
    "DatabaseTooNewError",
    "Setting",
    "Submission",
    "open_database",
]
