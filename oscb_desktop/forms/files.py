"""Evidence files on form items: the kinds of file a form may allow, and the files of an answer.

One code path for "files on an item". An ``attachments`` item's answer is a list of files; a rating's answer
holds them under ``"files"`` (see the tables in :mod:`.model`). The services, the bundle writer and verifier,
the submission PDF and the Business Unit's viewer all read and write files through :func:`files_of` and
:func:`with_files`, and check them with :func:`entry_problem` and :func:`content_problem`.

Plain Python, no Qt, no workspace: the bytes of a file come from whoever calls.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from oscb_desktop.forms.model import FilesPolicy, Item

#: The kinds of file a form can allow (``types`` in its ``evidence_files``), each with its file name extensions.
#: Macro-enabled Office files (``.docm``, ``.xlsm``…), web pages, SVG images and anything that runs are left
#: out on purpose: the Business Unit opens these files on its own computers.
FILE_TYPES: Mapping[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "word": (".doc", ".docx", ".rtf"),
    "excel": (".xls", ".xlsx", ".csv"),
    "powerpoint": (".ppt", ".pptx"),
    "opendocument": (".odt", ".ods", ".odp", ".odg"),
    "image": (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp"),
    "text": (".txt", ".md"),
    "email": (".eml", ".msg"),
}
#: How each kind is named in messages.
TYPE_LABELS: Mapping[str, str] = {
    "pdf": "PDF",
    "word": "Word",
    "excel": "Excel",
    "powerpoint": "PowerPoint",
    "opendocument": "OpenDocument",
    "image": "image",
    "text": "plain text",
    "email": "email (.eml, .msg)",
}
ALL_TYPES: tuple[str, ...] = tuple(FILE_TYPES)

#: Largest evidence file a form may allow, in MB (the bundle's own limit per file: ``bundle.limits``).
MAX_FILE_MB = 25
#: Largest file when the form sets no ``max_file_mb``.
DEFAULT_MAX_FILE_MB = 20
MB = 1024 * 1024

#: The keys of a file entry; the first three are required.
REQUIRED_FILE_KEYS = ("sha256", "name", "size")
FILE_KEYS = frozenset((*REQUIRED_FILE_KEYS, "added", "carried"))
#: Longest file name kept with a file.
MAX_NAME_CHARS = 255
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def default_policy(*, max_files: int | None = None) -> FilesPolicy:
    """What an item takes when its form says nothing more: every allowed kind, up to 20 MB each."""
    return FilesPolicy(max_files=max_files, max_file_bytes=DEFAULT_MAX_FILE_MB * MB, types=ALL_TYPES)


# Kinds of file ------------------------------------------------------------------------------------------


def extension(name: str) -> str:
    """``.pdf`` for ``Minutes.PDF``; "" when the name has none."""
    base = re.split(r"[/\\]", name)[-1]
    stem, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def kind_of(name: str) -> str | None:
    """The kind of file (``pdf``, ``word``…) a name's extension says, or None for any other."""
    ext = extension(name)
    return next((kind for kind, exts in FILE_TYPES.items() if ext in exts), None)


def allowed(policy: FilesPolicy, name: str) -> bool:
    return kind_of(name) in policy.types


def extensions(policy: FilesPolicy) -> tuple[str, ...]:
    return tuple(ext for kind in policy.types for ext in FILE_TYPES[kind])


def types_text(policy: FilesPolicy) -> str:
    """``PDF, Word, Excel or image files``: the allowed kinds, for messages."""
    labels = [TYPE_LABELS[k] for k in policy.types]
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    return f"{listed} files"


def size_text(size: int) -> str:
    """``312 bytes``, ``1.7 KB``, ``48 KB``, ``3.2 MB``: a file size as people read it (the app and the signed PDF
    say it the same way, so the Business Unit can compare them)."""
    if size < 1024:
        return f"{size:,} byte" + ("" if size == 1 else "s")
    if size < MB:
        kb = size / 1024
        return f"{kb:.1f} KB" if round(kb, 1) < 10 else f"{kb:.0f} KB"
    value = size / MB
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_RTF = b"{\\rtf"
#: Per extension, the starts a file of that kind may have (checked on its first 1 KB).
_SIGNATURES: Mapping[str, tuple[bytes, ...]] = {
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".pptx": (_ZIP,),
    ".odt": (_ZIP,),
    ".ods": (_ZIP,),
    ".odp": (_ZIP,),
    ".odg": (_ZIP,),
    ".doc": (_OLE, _RTF),
    ".ppt": (_OLE,),
    ".msg": (_OLE,),
    ".rtf": (_RTF,),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
    ".bmp": (b"BM",),
}
#: Extensions whose files are text (a NUL byte in the first 1 KB means they are not).
_TEXT = (".txt", ".md", ".csv", ".eml")
#: How much of a file :func:`content_problem` looks at.
HEAD_BYTES = 1024


def content_problem(name: str, head: bytes) -> str | None:
    """Why the first bytes of a file are not what its name says (a program renamed ``.pdf``, say), or None.

    Only the start is looked at (``head``: the first :data:`HEAD_BYTES`); nothing in the file is run or parsed.
    """
    ext = extension(name)
    kind = kind_of(name)
    label = TYPE_LABELS.get(kind or "", ext.lstrip(".").upper() or "this kind of")
    if ext == ".pdf":
        ok = b"%PDF-" in head[:HEAD_BYTES]
    elif ext == ".webp":
        ok = head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    elif ext == ".xls":  # also the HTML and text "spreadsheets" many systems export under this name
        ok = head.startswith(_OLE) or _looks_like_text(head)
    elif ext in _TEXT:
        ok = _looks_like_text(head)
    elif ext in _SIGNATURES:
        ok = head.startswith(_SIGNATURES[ext])
    else:
        return None
    if ok:
        return None
    return f"its contents are not those of a {label} file, although its name ends in {ext}"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Windows Notepad may save
        return True
    return b"\x00" not in head


# The files of an answer ---------------------------------------------------------------------------------


def takes_files(item: Item) -> bool:
    return item.files is not None


def raw_files(item: Item, value: Any) -> Any:
    """The files part of a value as stored, unchecked: a list for a well-formed answer, None when it has none."""
    if item.type == "attachments":
        return value
    if item.type == "rating" and isinstance(value, dict):
        return value.get("files")
    return None


def files_of(item: Item, value: Any) -> list[dict[str, Any]]:
    """The file entries of an answer (those that are mappings; :func:`entry_problem` checks them further)."""
    raw = raw_files(item, value)
    return [f for f in raw if isinstance(f, dict)] if isinstance(raw, list) else []


def with_files(item: Item, value: Any, files: Sequence[Mapping[str, Any]]) -> Any:
    """The answer ``value`` with its files replaced by ``files`` (an attachments answer with none is None; a
    rating with none leaves out ``files``; a rating not yet given gets an empty level)."""
    entries = [dict(f) for f in files]
    if item.type == "attachments":
        return entries or None
    if item.type != "rating":
        raise ValueError(f"{item.id} is a {item.type} item, which holds no files")
    rating = dict(value) if isinstance(value, dict) else {"level": "", "evidence": "", "example": "", "reason": ""}
    if entries:
        rating["files"] = entries
    else:
        rating.pop("files", None)
    if not entries and not rating.get("level") and not any(str(rating.get(p) or "").strip() for p in _PARTS):
        return None
    return rating


_PARTS = ("evidence", "example", "reason")


def carried(item: Item, value: Any) -> Any:
    """The answer with each of its files marked ``carried`` (carry-forward into next period's return)."""
    files = files_of(item, value)
    if not files:
        return value
    return with_files(item, value, [{**f, "carried": True} for f in files])


def counts_as(item: Item, value: Any, part: str) -> bool:
    """Do the answer's files stand for ``part`` (``evidence``) of a rating, as its form says (``count_as``)?"""
    return item.files is not None and part in item.files.count_as and bool(files_of(item, value))


def entry_problem(entry: Any) -> str | None:
    """What is wrong with one stored file entry (for the user and the verifier), or None."""
    if not isinstance(entry, dict):
        return "an entry is not a file"
    missing = [k for k in REQUIRED_FILE_KEYS if k not in entry]
    if missing:
        return f"a file has no {missing[0]}"
    unknown = sorted(set(entry) - FILE_KEYS)
    if unknown:
        return f"a file has an unknown key {unknown[0]!r}"
    sha, name, size = entry["sha256"], entry["name"], entry["size"]
    if not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
        return "a file's sha256 is not a SHA-256 digest in lower-case hex"
    if not (isinstance(name, str) and name.strip() and len(name) <= MAX_NAME_CHARS):
        return f"a file's name is empty or longer than {MAX_NAME_CHARS} characters"
    if not (isinstance(size, int) and not isinstance(size, bool) and size >= 0):
        return f"the size of {name!r} is not a number of bytes"
    added = entry.get("added")
    if added is not None and not (isinstance(added, str) and _TIMESTAMP.fullmatch(added)):
        return f"the time {name!r} was added is not an ISO 8601 time"
    if "carried" in entry and not isinstance(entry["carried"], bool):
        return f"'carried' of {name!r} is not true or false"
    return None


def files_problem(item: Item, value: Any) -> str | None:
    """What is wrong with the files part of an answer as stored (shape only; limits are :mod:`.rules`' business)."""
    raw = raw_files(item, value)
    if raw is None:
        return None
    if not isinstance(raw, list):
        return "its files are not a list"
    if raw and item.files is None:
        return "this item does not take files"
    seen: set[str] = set()
    for entry in raw:
        problem = entry_problem(entry)
        if problem:
            return problem
        if entry["sha256"] in seen:
            return f"{entry['name']!r} is attached twice"
        seen.add(entry["sha256"])
    return None
