"""Signed PDFs: checked by poppler's ``pdfsig`` and by :func:`verify_pdf`, including tampering."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from oscb_desktop.signing import (
    DEFAULT_FIELD_NAME,
    PdfSigningError,
    UnlockedKey,
    create_identity,
    displayable_pdf,
    sign_pdf,
    unlock,
    verify_pdf,
)

BOX = (72.0, 72.0, 288.5, 136.0)


@pytest.fixture(scope="module")
def signed_pdf(small_pdf: bytes, unlocked: UnlockedKey) -> bytes:
    return sign_pdf(small_pdf, unlocked, reason="Section 11 sign-off", location="Oxford", box=BOX)


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        pytest.skip("poppler's pdfsig is not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run([pdfsig, str(path)], capture_output=True, text=True, check=True).stdout


def test_pdfsig_accepts_the_visible_signature(signed_pdf: bytes, tmp_path: Path) -> None:
    output = _pdfsig(signed_pdf, tmp_path)
    assert "Signature is Valid." in output
    assert "Total document signed" in output
    assert f"Signature Field Name: {DEFAULT_FIELD_NAME}" in output
    assert "Signer Certificate Common Name: Jane Doe" in output
    assert "Signing Hash Algorithm: SHA-256" in output


def test_pdfsig_accepts_an_invisible_rsa_signature(small_pdf: bytes, rsa_unlocked: UnlockedKey, tmp_path: Path) -> None:
    signed = sign_pdf(small_pdf, rsa_unlocked, field_name="Approval", reason="Approved", location=None)
    output = _pdfsig(signed, tmp_path)
    assert "Signature is Valid." in output
    assert "Total document signed" in output
    assert "Signature Field Name: Approval" in output


def test_visible_signature_is_on_the_last_page(signed_pdf: bytes) -> None:
    first, last = PdfFileReader(BytesIO(signed_pdf)).root["/Pages"]["/Kids"]
    assert "/Annots" not in first.get_object()
    (widget,) = last.get_object()["/Annots"]
    assert widget.get_object()["/T"] == DEFAULT_FIELD_NAME
    assert [float(x) for x in widget.get_object()["/Rect"]] == list(BOX)


def test_verify_signed_pdf(signed_pdf: bytes, unlocked: UnlockedKey) -> None:
    report = verify_pdf(signed_pdf)
    assert report.problem is None
    assert report.ok
    assert report.intact
    assert report.valid
    assert report.covers_whole_file
    assert report.certificate == unlocked.certificate


def test_verify_rsa_signed_pdf(small_pdf: bytes, rsa_unlocked: UnlockedKey) -> None:
    report = verify_pdf(sign_pdf(small_pdf, rsa_unlocked, reason="Approved", location=None))
    assert report.ok
    assert report.certificate == rsa_unlocked.certificate


def test_incremental_update_after_signing_is_not_covered(signed_pdf: bytes) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    writer.root["/OSCBNote"] = generic.TextStringObject("added after signing")
    writer.update_root()
    output = BytesIO()
    writer.write(output)

    report = verify_pdf(output.getvalue())
    assert report.intact
    assert report.valid
    assert not report.covers_whole_file
    assert report.problem == "something was added to the PDF after it was signed"


def test_flipped_byte_in_signed_content_is_not_intact(signed_pdf: bytes) -> None:
    assert signed_pdf.count(b"Example Agency)") == 1
    tampered = signed_pdf.replace(b"Example Agency)", b"Example Agencz)")

    report = verify_pdf(tampered)
    assert not report.intact
    assert report.problem == "the PDF was changed after it was signed"


def test_damaged_signature_value_is_not_valid(signed_pdf: bytes) -> None:
    contents = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", signed_pdf)
    assert contents is not None
    # /Contents is the CMS DER in hex, zero-padded; the signature value ends just before the padding.
    position = contents.start(1) + len(contents.group(1).rstrip(b"0")) - 2
    replacement = b"2" if signed_pdf[position : position + 1] == b"1" else b"1"
    damaged = signed_pdf[:position] + replacement + signed_pdf[position + 1 :]

    report = verify_pdf(damaged)
    assert report.intact
    assert not report.valid
    assert report.problem == "the PDF signature is damaged or was not made with the key of its certificate"


@pytest.mark.parametrize("garbage", [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF\n"])
def test_unreadable_pdf_is_a_problem_not_an_exception(garbage: bytes) -> None:
    report = verify_pdf(garbage)
    assert report.problem == "the PDF cannot be read"
    assert not report.ok
    assert report.certificate is None


def test_truncated_signed_pdf_is_a_problem_not_an_exception(signed_pdf: bytes) -> None:
    assert verify_pdf(signed_pdf[: len(signed_pdf) // 2]).problem is not None


def test_unsigned_pdf(small_pdf: bytes) -> None:
    assert verify_pdf(small_pdf).problem == "the PDF is not signed"


def test_two_signatures_are_refused(signed_pdf: bytes, unlocked: UnlockedKey) -> None:
    twice = sign_pdf(signed_pdf, unlocked, field_name="Second", reason="Again", location=None)
    assert verify_pdf(twice).problem == "the PDF has 2 signatures; exactly one was expected"


def test_signing_garbage_or_a_missing_page_fails_clearly(small_pdf: bytes, unlocked: UnlockedKey) -> None:
    with pytest.raises(PdfSigningError, match="cannot be signed"):
        sign_pdf(b"not a pdf", unlocked, reason="r", location=None)
    with pytest.raises(PdfSigningError, match="cannot be signed"):
        sign_pdf(small_pdf, unlocked, reason="r", location=None, box=BOX, page=7)


@pytest.mark.parametrize("name", ["Zoë O'Brien", "Łukasz Żółć-Brontë", "Ελένη Παπαδοπούλου", "李小龍"])
def test_any_signatory_name_signs_and_the_stamp_names_those_its_font_can_show(
    small_pdf: bytes, name: str, tmp_path: Path
) -> None:
    key = unlock(create_identity(name, "Director", "Example Agency", None, "passphrase 1"), "passphrase 1")
    signed = sign_pdf(small_pdf, key, reason="Sign-off", location=None, box=(72, 72, 360, 144), page=0)
    assert verify_pdf(signed).ok
    assert "Signature is Valid." in _pdfsig(signed, tmp_path)
    # What a reader sees: the stamp drawn into the page, as text.
    shown = _page_text(displayable_pdf(signed), tmp_path)
    if name == "李小龍":  # DejaVu Sans has no Chinese: the name is left out rather than drawn as empty boxes
        assert "Digitally signed" in shown and "Digitally signed by" not in shown
    else:
        assert "Digitally signed by" in shown and name in shown


def test_the_stamp_is_set_in_the_documents_font_without_a_frame(signed_pdf: bytes) -> None:
    [sig] = PdfFileReader(BytesIO(signed_pdf)).embedded_signatures
    appearance = sig.sig_field["/AP"]["/N"]
    fonts = _fonts_of(appearance)
    assert fonts and all("DejaVuSans" in f for f in fonts), fonts
    stream = appearance.data
    assert b"Courier" not in stream and b" re S" not in stream and b" d\n" not in stream  # no frame, no dashes
    # Glyph widths per 1,000 units of the type size, as PDF reads them (DejaVu's own em is 2,048 units).
    [font] = _font_objects(appearance)
    widths = font["/DescendantFonts"][0].get_object()["/W"]
    numbers = [int(w) for n in range(1, len(widths), 2) for w in widths[n]]
    assert numbers and max(numbers) < 1100


def _page_text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler's pdftotext is not installed")
    path = tmp_path / "shown.pdf"
    path.write_bytes(pdf)
    return subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _font_objects(xobject: generic.StreamObject) -> list[generic.DictionaryObject]:
    """Every font used by an appearance stream, its nested forms included."""
    found = []
    resources = xobject.get("/Resources", generic.DictionaryObject()).get_object()
    for font in resources.get("/Font", generic.DictionaryObject()).get_object().values():
        found.append(font.get_object())
    for inner in resources.get("/XObject", generic.DictionaryObject()).get_object().values():
        found.extend(_font_objects(inner.get_object()))
    return found


def _fonts_of(xobject: generic.StreamObject) -> list[str]:
    return [str(f["/BaseFont"]) for f in _font_objects(xobject)]


SUBFILTER = b"/ETSI.CAdES.detached"
UNKNOWN_SUBFILTER = b"/ETSI.XAdES.detached"  # same length: every offset and the signed byte range stay right


def test_a_signature_of_an_unknown_kind_is_not_called_missing(signed_pdf: bytes) -> None:
    """pyHanko skips a signature whose SubFilter it does not know (logging a traceback): there is a signature,
    so the PDF is not "not signed"; its signature is damaged or of a kind this program cannot check."""
    assert signed_pdf.count(SUBFILTER) == 1
    report = verify_pdf(signed_pdf.replace(SUBFILTER, UNKNOWN_SUBFILTER))
    assert report.problem == "the PDF's signature is damaged or of an unknown kind"
    assert not report.ok and report.certificate is None
