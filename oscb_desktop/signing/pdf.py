"""Signed PDFs: the human-readable return, signed with the same key as the bundle.

The signature is a PAdES (ETSI.CAdES.detached) CMS signature made with pyHanko,
so any PDF reader or poppler's ``pdfsig`` can show who signed and whether the
document changed since (DESIGN.md §5). Verification here checks integrity and
coverage only: the signer's certificate is self-signed or organisation-issued,
and whether it is trusted for an agency is decided by fingerprint elsewhere.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko import stamp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import KeyUsageConstraints, SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from oscb_desktop import paths
from oscb_desktop.signing.errors import PdfSigningError
from oscb_desktop.signing.identity import UnlockedKey
from oscb_desktop.signing.pdf_data import EmbeddedData, embed_data

DEFAULT_FIELD_NAME = "OSCB-Signoff"


#: The document's own font (see :mod:`oscb_desktop.report.fonts`), so the signature reads as part of the page.
STAMP_FONT = ("fonts", "DejaVuSans.ttf")
STAMP_TEXT = "Digitally signed by\n%(signer)s\n%(ts)s"
STAMP_TEXT_NO_NAME = "Digitally signed\n%(ts)s"
_INK = (0x1F / 255, 0x29 / 255, 0x37 / 255)
#: Every character the stamp may need besides the signer's own: Latin with its accents, punctuation, and the
#: words, digits and zone names of the time.
_STAMP_CHARS = "".join(chr(c) for c in range(0x20, 0x250)) + "‐–—‘’“”…"


def _stamp(signer: str = "") -> stamp.TextStampStyle:
    """The visible signature: who signed and when, in the document's Unicode font, without a frame of its own
    (the page draws the box it sits in) or pyHanko's logo behind the text.

    The signer is named from the certificate (``%(signer)s``); ``signer`` (its subject) says which characters
    that takes. The time is pyHanko's signing time in the computer's time zone, named as people read it (GMT, BST).
    """
    name = _common_name(signer)
    shown = _font_covers(name)
    font = _DocumentFont("".join(sorted(set(_STAMP_CHARS + (name if shown else "")))))
    return stamp.TextStampStyle(
        # A name the font cannot draw (Chinese, say) is left out rather than drawn as empty boxes; the sign-off
        # page and every reader's signature panel name the signer in full.
        stamp_text=STAMP_TEXT if shown else STAMP_TEXT_NO_NAME,
        timestamp_format="%d %B %Y, %H:%M %Z",
        text_box_style=TextBoxStyle(font=font, font_size=10, leading=14, text_color=_INK),
        border_width=0,
        background=None,
    )


def _common_name(subject: str) -> str:
    """The CN of an RFC 4514 subject ("CN=Jane Doe,O=…"), unescaped; the whole string if it has none."""
    found = re.search(r"(?:^|,)CN=((?:\\.|[^,\\])*)", subject)
    return re.sub(r"\\(.)", r"\1", found.group(1)) if found else subject


@functools.lru_cache(maxsize=1)
def _font_characters() -> frozenset[int]:
    with TTFont(str(paths.resource(*STAMP_FONT)), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _font_covers(text: str) -> bool:
    return all(ord(ch) in _font_characters() for ch in text)


class _DocumentFont(FontEngineFactory):
    """DejaVu Sans for pyHanko's text box, cut to the characters the stamp uses.

    pyHanko writes glyph widths in the font's own units, and PDF reads them as thousandths of the type size;
    DejaVu's em is 2,048 units, so its letters came out twice as far apart. The copy handed over is scaled to
    1,000 units per em.
    """

    def __init__(self, chars: str) -> None:
        self.chars = chars

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer, font_handle=BytesIO(_font_bytes(self.chars)), font_size=10, obj_stream=obj_stream
        )


@functools.lru_cache(maxsize=8)
def _font_bytes(chars: str) -> bytes:
    """The stamp's font, subset to ``chars`` and scaled to 1,000 units per em (about 0.3 s; kept per process)."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.glyph_names = True
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: fontTools says it cannot subset them, on stderr
    out = BytesIO()
    with TTFont(str(paths.resource(*STAMP_FONT))) as font:
        cutter = subset.Subsetter(options)
        cutter.populate(text=chars)
        cutter.subset(font)
        scale_upem(font, 1000)
        font.save(out)
    return out.getvalue()


#: Accept either usage that permits signing, matching the check made when a .p12 is imported.
_SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)


@dataclass(frozen=True)
class PdfSignatureReport:
    """What :func:`verify_pdf` found, in a form the verifier can turn into a decision.

    ``problem`` is ``None`` exactly when the PDF carries one signature that is
    intact, cryptographically valid and covers the whole file.
    """

    certificate: x509.Certificate | None
    intact: bool
    valid: bool
    covers_whole_file: bool
    problem: str | None
    #: When the signer's computer says it signed (the signature's own claim, not a trusted timestamp).
    signed_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def sign_pdf(
    pdf_bytes: bytes,
    key: UnlockedKey,
    *,
    field_name: str = DEFAULT_FIELD_NAME,
    reason: str,
    location: str | None,
    box: tuple[float, float, float, float] | None = None,
    page: int = -1,
    embed: Sequence[EmbeddedData] = (),
) -> bytes:
    """Sign a PDF and return the signed file.

    Files in ``embed`` (the return's ``submission.json``) are embedded in the same incremental update as the
    signature, so the signature covers them (:mod:`oscb_desktop.signing.pdf_data`).

    With ``box`` (x1, y1, x2, y2 in PDF points) the signature is drawn on
    ``page`` (negative counts from the end, so -1 is the last page); without it
    the signature is invisible but still shown in a reader's signature panel.
    The signature is added as an incremental update, so the original bytes stay
    intact at the start of the file.
    """
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(key.certificate.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    # pyHanko annotates box as ints but writes the values as PDF reals, so fractional points are fine.
    field_spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box)  # type: ignore[arg-type]
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
        for item in embed:
            embed_data(writer, item)
        pdf_signer = signers.PdfSigner(
            metadata,
            signer=signer,
            stamp_style=_stamp(key.certificate.subject.rfc4514_string()),
            new_field_spec=field_spec,
        )
        output = pdf_signer.sign_pdf(writer)
    except (PdfError, ValueError, IndexError) as error:
        # pyHanko's own signing errors are ValueErrors; IndexError is a page that does not exist.
        raise PdfSigningError(f"The PDF cannot be signed: {error}") from error
    return output.getvalue()


def verify_pdf(pdf_bytes: bytes) -> PdfSignatureReport:
    """Check the single signature of a PDF for integrity and whole-file coverage.

    Never raises for bad input: a bundle may contain anything, and the verifier
    needs a reason to show, not a traceback.
    """
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes))
        # Every signed signature field, also those pyHanko leaves out of embedded_signatures (a SubFilter it
        # does not know: it logs a traceback, which goes to the log file, and skips the signature).
        signed_fields = len(list(fields.enumerate_sig_fields(reader, filled_status=True)))
        signatures = reader.embedded_signatures
    except Exception:  # any parse failure of untrusted input means the same thing to the user
        return _failure("the PDF cannot be read")
    if signed_fields > 1 or len(signatures) > 1:
        return _failure(f"the PDF has {max(signed_fields, len(signatures))} signatures; exactly one was expected")
    if not signatures:
        return _failure(
            "the PDF's signature is damaged or of an unknown kind" if signed_fields else "the PDF is not signed"
        )

    embedded = signatures[0]
    try:
        signer_cert = embedded.signer_cert
        # Trusting the signer's own certificate lets pyHanko build a path, so the
        # result reflects integrity and coverage only; trust is decided by fingerprint.
        context = ValidationContext(trust_roots=[signer_cert], allow_fetching=False)
        status = validate_pdf_signature(embedded, context, key_usage_settings=_SIGNER_KEY_USAGE, skip_diff=True)
        certificate = x509.load_der_x509_certificate(signer_cert.dump())
        signed_at = embedded.self_reported_timestamp
    except Exception:  # a damaged signature structure is a verdict, not a crash
        return _failure("the PDF signature cannot be read")

    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not status.intact:
        problem: str | None = "the PDF was changed after it was signed"
    elif not status.valid:
        problem = "the PDF signature is damaged or was not made with the key of its certificate"
    elif not covers_whole_file:
        problem = "something was added to the PDF after it was signed"
    else:
        problem = None
    return PdfSignatureReport(
        certificate=certificate,
        intact=status.intact,
        valid=status.valid,
        covers_whole_file=covers_whole_file,
        problem=problem,
        signed_at=signed_at,
    )


def _failure(problem: str) -> PdfSignatureReport:
    return PdfSignatureReport(certificate=None, intact=False, valid=False, covers_whole_file=False, problem=problem)


# The visible signature for viewers that do not draw form widgets ----------------------------------------


def displayable_pdf(pdf_bytes: bytes) -> bytes:
    """A copy of the PDF with the normal appearance of every printable widget drawn into its page.

    Only the copy that QtPdf renders is changed, as an incremental update. A PDF without widgets is
    returned as it is; so is one this cannot process (it then prints without its widgets).
    """
    if b"/Widget" not in pdf_bytes:
        return pdf_bytes
    try:
        return _burn_in(pdf_bytes)
    except Exception:  # a damaged PDF is reported by QtPdf itself; a quirky one still prints
        return pdf_bytes


def _burn_in(pdf_bytes: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    changed = False
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page_ref, _resources = writer.find_page_for_modification(index)
        page = page_ref.get_object()
        annots = page.get("/Annots")
        if annots is None:
            continue
        drawing: list[bytes] = []
        xobjects = generic.DictionaryObject()
        for annot_ref in annots.get_object():
            annot = annot_ref.get_object()
            flags = int(annot.get("/F", 0))
            if annot.get("/Subtype") != "/Widget" or not flags & 4 or flags & 2:  # Print set, Hidden not set
                continue
            appearance = annot.get("/AP")
            if appearance is None or "/N" not in appearance:
                continue
            normal_ref = appearance.raw_get("/N")
            normal = normal_ref.get_object()
            if isinstance(normal, generic.DictionaryObject) and not isinstance(normal, generic.StreamObject):
                state = annot.get("/AS")  # a check box or radio button: one appearance per state
                if state is None or state not in normal:
                    continue
                normal_ref = normal.raw_get(state)
                normal = normal_ref.get_object()
            if not isinstance(normal_ref, generic.IndirectObject) or "/BBox" not in normal:
                continue
            placement = _appearance_placement(
                [float(v) for v in normal["/BBox"]],
                [float(v) for v in normal.get("/Matrix", [1, 0, 0, 1, 0, 0])],
                [float(v) for v in annot["/Rect"]],
            )
            if placement is None:
                continue
            name = f"/OSCBPrint{len(xobjects)}"
            xobjects[generic.NameObject(name)] = normal_ref
            drawing.append(f"q {' '.join(f'{v:.6f}' for v in placement)} cm {name} Do Q\n".encode("ascii"))
        if not drawing:
            continue
        before = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
        after = writer.add_object(generic.StreamObject(stream_data=b"Q\n" + b"".join(drawing)))
        writer.add_stream_to_page(index, before, prepend=True)
        writer.add_stream_to_page(index, after, resources=generic.DictionaryObject({"/XObject": xobjects}))
        changed = True
    if not changed:
        return pdf_bytes
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _appearance_placement(bbox: list[float], matrix: list[float], rect: list[float]) -> list[float] | None:
    """The ``cm`` that puts an appearance stream on its annotation rectangle (ISO 32000-1, 12.5.5)."""
    a, b, c, d, e, f = matrix
    corners = [(bbox[0], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[1]), (bbox[2], bbox[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    box_w, box_h = max(xs) - min(xs), max(ys) - min(ys)
    left, right = sorted((rect[0], rect[2]))
    bottom, top = sorted((rect[1], rect[3]))
    if box_w <= 0 or box_h <= 0 or right <= left or top <= bottom:
        return None
    sx, sy = (right - left) / box_w, (top - bottom) / box_h
    return [sx, 0.0, 0.0, sy, left - sx * min(xs), bottom - sy * min(ys)]
