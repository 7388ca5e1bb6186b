"""Every size and count limit of a bundle, in one place: the writer refuses to make a bundle the verifier
would refuse, and the verifier refuses anything bigger before it reads a byte of it.

The numbers are part of the format (docs/bundle-format.md); raising one means older verifiers will reject
bundles that newer writers make, so change them together with the format version.
"""

from __future__ import annotations

from types import MappingProxyType

MIB = 1024 * 1024

#: Largest single evidence file (the same limit the workspace applies when a file is attached).
MAX_ATTACHMENT_BYTES = 25 * MIB
#: Most evidence files in one bundle.
MAX_ATTACHMENTS = 200
#: Largest bundle: both the ``.oscb`` file itself and the sum of its members' uncompressed sizes.
MAX_BUNDLE_BYTES = 200 * MIB
#: Most entries a zip may have before the verifier looks at their names (the fixed members plus
#: :data:`MAX_ATTACHMENTS`, with room to spare so a few stray entries get a precise reason).
MAX_ZIP_ENTRIES = 250
#: Largest allowed ratio of a member's uncompressed to compressed size: more means a zip bomb. The writer
#: stores a member uncompressed rather than exceed it, so genuine bundles never trip this check.
MAX_COMPRESSION_RATIO = 100

#: Largest size of each fixed member. Attachments are limited by :data:`MAX_ATTACHMENT_BYTES`.
MAX_MEMBER_BYTES: MappingProxyType[str, int] = MappingProxyType(
    {
        "manifest.json": 1 * MIB,
        "manifest.sig": 64 * 1024,
        "signer.pem": 64 * 1024,
        "submission.json": 25 * MIB,
        "submission.pdf": 100 * MIB,
        "audit.json": 100 * MIB,
    }
)

#: The members every bundle has besides its attachments, in the order the writer stores them.
FIXED_MEMBERS = ("manifest.json", "manifest.sig", "signer.pem", "submission.json", "submission.pdf", "audit.json")
#: The members the manifest lists (every member except itself and its signature).
LISTED_FIXED_MEMBERS = FIXED_MEMBERS[2:]
ATTACHMENTS_FOLDER = "attachments/"
#: Longest attachment member name after ``attachments/`` (the writer shortens longer names).
MAX_ATTACHMENT_NAME_CHARS = 120


def member_limit(path: str) -> int:
    """The largest uncompressed size allowed for the member at ``path``."""
    return MAX_MEMBER_BYTES.get(path, MAX_ATTACHMENT_BYTES)


def megabytes(size: int) -> str:
    """A size as people read it in messages: ``25 MB``, ``3.2 MB``."""
    value = size / MIB
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"
