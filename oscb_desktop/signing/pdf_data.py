"""Data that travels inside a signed PDF: an embedded, associated file (ISO 32000-2 §14.13).

The submission PDF carries the return's ``submission.json`` — its exact bytes — the way hybrid PDF invoices
(Factur-X, ZUGFeRD) carry their XML: a file specification in the document's ``/EmbeddedFiles`` name tree, also
listed in the catalogue's ``/AF`` (associated files) with ``/AFRelationship /Alternative`` (the same return in
another form). It is added in the same incremental update as the signature, so the signature covers it and
``pdfdetach -list`` / ``pdfdetach -save`` show it without OSCB Desktop.

Reading is for hostile files: the name tree is walked with a bound on its depth and size, the stream is
inflated with a bound on its output, and anything unexpected is an :class:`EmbeddedDataError` with words for
the user, never another exception.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter

#: How far and how wide the ``/EmbeddedFiles`` name tree is followed before the PDF is taken for hostile.
_MAX_TREE_DEPTH = 8
_MAX_TREE_ENTRIES = 1000


class EmbeddedDataError(Exception):
    """An embedded file cannot be read safely or is there more than once; the message is for the user."""


@dataclass(frozen=True)
class EmbeddedData:
    """One file to embed: its name as shown by PDF readers, its bytes, its media type and a description."""

    name: str
    data: bytes
    mime_type: str
    description: str


def embed_data(writer: BasePdfFileWriter, item: EmbeddedData) -> None:
    """Add ``item`` to the document: in ``/Names /EmbeddedFiles`` and, as an associated file, in ``/AF``.

    The PDF version stays as it is (associated files come from PDF 2.0, which PDF/A-3 adopted for 1.7 files;
    readers that do not know ``/AF`` still list the file under the embedded files).
    """
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        item.data,
        mime_type=item.mime_type,
        params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True),
    )
    spec = embed.FileSpec(
        file_spec_string=item.name,
        file_name=item.name,
        embedded_data=stream,
        description=item.description,
    )
    embed.embed_file(writer, spec)
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec_ref = names.raw_get(len(names) - 1)  # embed_file appended (name, reference to the spec)
    spec_ref.get_object()[generic.NameObject("/AFRelationship")] = generic.NameObject("/Alternative")
    root = writer.root
    associated = root.get("/AF")
    if associated is None:
        root[generic.NameObject("/AF")] = generic.ArrayObject([spec_ref])
        writer.update_root()
    else:
        associated.append(spec_ref)
        writer.update_container(associated)


def read_embedded(pdf: bytes | PdfFileReader, name: str, *, limit: int) -> bytes | None:
    """The bytes of the embedded file called ``name`` (by ``/UF`` or ``/F``), or None if the PDF has none.

    Raises :class:`EmbeddedDataError` if there are several files of that name, if it is larger than ``limit``
    once inflated, or if it cannot be read.
    """
    try:
        reader = pdf if isinstance(pdf, PdfFileReader) else PdfFileReader(BytesIO(pdf), strict=False)
        specs = [spec for spec in _file_specs(reader) if _spec_name(spec) == name]
    except EmbeddedDataError:
        raise
    except Exception:  # any parse failure of untrusted input means the same to the user
        raise EmbeddedDataError(f"the files embedded in the PDF cannot be read, so its {name} cannot be") from None
    if not specs:
        return None
    if len(specs) > 1:
        raise EmbeddedDataError(f"the PDF carries {len(specs)} files called {name}; it should carry one")
    return _stream_bytes(specs[0], name, limit)


def embedded_names(pdf: bytes, *, limit: int = _MAX_TREE_ENTRIES) -> list[str]:
    """The names of the files embedded in a PDF (for showing them; an unreadable tree gives none)."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        return [_spec_name(spec) or "" for spec in _file_specs(reader)][:limit]
    except Exception:
        return []


def _file_specs(reader: PdfFileReader) -> list[generic.DictionaryObject]:
    names = reader.root.get("/Names")
    if names is None:
        return []
    tree = names.get_object().get("/EmbeddedFiles")
    if tree is None:
        return []
    found: list[generic.DictionaryObject] = []
    seen: set[tuple[int, int]] = set()

    def walk(node_ref: Any, depth: int) -> None:
        if depth > _MAX_TREE_DEPTH:
            raise EmbeddedDataError("the list of files embedded in the PDF is nested too deeply to be genuine")
        if isinstance(node_ref, generic.IndirectObject):
            key = (node_ref.idnum, node_ref.generation)
            if key in seen:
                raise EmbeddedDataError("the list of files embedded in the PDF refers to itself")
            seen.add(key)
        node = node_ref.get_object() if isinstance(node_ref, generic.IndirectObject) else node_ref
        if not isinstance(node, generic.DictionaryObject):
            raise EmbeddedDataError("the list of files embedded in the PDF is damaged")
        pairs = node.get("/Names")
        if pairs is not None:
            pairs = pairs.get_object()
            for index in range(1, len(pairs), 2):
                spec = pairs[index].get_object()
                if isinstance(spec, generic.DictionaryObject):
                    found.append(spec)
                if len(found) > _MAX_TREE_ENTRIES:
                    raise EmbeddedDataError("the PDF embeds too many files to be genuine")
        kids = node.get("/Kids")
        if kids is not None:
            for kid in kids.get_object():
                walk(kid, depth + 1)

    walk(tree, 0)
    return found


def _spec_name(spec: generic.DictionaryObject) -> str | None:
    for key in ("/UF", "/F"):
        value = spec.get(key)
        if isinstance(value, (generic.TextStringObject, generic.ByteStringObject)):
            return str(value) if isinstance(value, generic.TextStringObject) else value.original_bytes.decode("latin-1")
    return None


def _stream_bytes(spec: generic.DictionaryObject, name: str, limit: int) -> bytes:
    files = spec.get("/EF")
    stream = files.get_object().get("/F") if isinstance(files, generic.DictionaryObject) else None
    stream = stream.get_object() if stream is not None else None
    if not isinstance(stream, generic.StreamObject):
        raise EmbeddedDataError(f"the PDF names a file {name} but does not carry its content")
    filters = stream.get("/Filter")
    if isinstance(filters, generic.ArrayObject):
        filters = filters[0] if len(filters) == 1 else filters
    if "/DecodeParms" in stream or filters not in (None, "/FlateDecode"):
        raise EmbeddedDataError(f"the {name} embedded in the PDF is encoded in a way this program does not read")
    raw = stream.encoded_data
    if filters is None:
        data = bytes(raw)
    else:
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, limit + 1)
        except zlib.error:
            raise EmbeddedDataError(f"the {name} embedded in the PDF is damaged") from None
        if len(data) <= limit and not inflater.eof:
            raise EmbeddedDataError(f"the {name} embedded in the PDF is cut short")
    if len(data) > limit:
        raise EmbeddedDataError(f"the {name} embedded in the PDF is larger than a return can be")
    return data
