"""``oscb verify FILE.oscb... [--json] [--trusted-certs DIR]``: check signed bundles without a workspace.

One line per bundle, in the order given: ``OK`` with what the return is and who signed it, or ``FAILED`` with the
verifier's code and plain reason. Exit 0 when every bundle passed, 1 otherwise, 2 for a usage error.

Without ``--trusted-certs`` a bundle can be intact and still made by anyone with a key of their own, so an ``OK``
line then says the signer was not checked and shows the whole fingerprint, to be confirmed with the agency.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from oscb_desktop.bundle import (
    Manifest,
    Trust,
    TrustedCertsDir,
    TrustPolicy,
    VerifyResult,
    verify_bundle,
    verify_return_pdf,
)
from oscb_desktop.cli.common import CommandError
from oscb_desktop.forms import FormRegistry
from oscb_desktop.signing import format_fingerprint
from oscb_desktop.textsafe import json_text, shown

#: Groups of four hex digits shown for a signer already checked against the trusted certificates.
SHORT_FINGERPRINT_GROUPS = 4


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "verify",
        help="check signed bundles (.oscb) without opening a workspace",
        description=(
            "Check that each bundle is intact and signed: its members, the signature over its manifest, the signed "
            "PDF, that the PDF carries the same answers, and the return itself (docs/bundle-format.md). A .pdf "
            "is checked as a signed submission PDF on its own. With --trusted-certs, also that the signer's "
            "certificate is registered for the agency the bundle names. Exit status 0 when every bundle passed, "
            "1 when any failed, 2 for a usage error."
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE.oscb", help="bundles to check, reported in this order")
    p.add_argument("--json", action="store_true", help="print JSON instead of one line per bundle")
    p.add_argument(
        "--trusted-certs",
        type=Path,
        metavar="DIR",
        help=(
            "folder of trusted certificates (*.pem, each trusted for the agency in its O= field); certificates "
            "in its revoked/ subfolder are refused. Without it, who signed is not checked."
        ),
    )
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    trusted = _trust_policy(args.trusted_certs)
    forms = FormRegistry.load()
    if forms.errors:
        print(
            f"oscb: warning: {len(forms.errors)} installed form definition(s) did not load; bundles answering them "
            "will fail as unknown_form (see `oscb forms list`)",
            file=sys.stderr,
        )
    results = [(file, _verify(file, forms, trusted)) for file in args.files]
    if args.json:
        out = [_as_json(file, result) for file, result in results]
        print(json_text({"results": out}))
    else:
        for file, result in results:
            print(_line(file, result, checked_trust=trusted is not None))
    return 0 if all(result.ok for _, result in results) else 1


def _verify(file: str, forms: FormRegistry, trusted: TrustPolicy | None) -> VerifyResult:
    """A bundle, or a signed submission PDF on its own (by its name, as the import decides)."""
    if file.lower().endswith(".pdf"):
        return verify_return_pdf(file, forms=forms, trusted=trusted)
    return verify_bundle(file, forms=forms, trusted=trusted)


def _trust_policy(folder: Path | None) -> TrustPolicy | None:
    if folder is None:
        return None
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise CommandError(f"--trusted-certs {folder} {what}; give the folder that holds the trusted .pem files.")
    policy = TrustedCertsDir(folder)
    for problem in policy.problems:
        print(shown(f"oscb: warning: {folder}: {problem} (skipped)"), file=sys.stderr)
    if not policy.trusted:
        print(
            f"oscb: warning: {folder} holds no trusted certificates, so no bundle can pass the signer check",
            file=sys.stderr,
        )
    return policy


def _line(file: str, result: VerifyResult, *, checked_trust: bool) -> str:
    if not result.ok:
        return _one_line(f"FAILED  {file}  — {result.code}: {result.reason}")
    manifest = _manifest(result)
    signatory = manifest.signatory
    fingerprint = format_fingerprint(result.signer_fingerprint or "")
    if checked_trust:
        short = " ".join(fingerprint.split()[:SHORT_FINGERPRINT_GROUPS])
        signer = f"trusted signer, fingerprint {short} …"
    else:
        signer = f"signer not checked against trusted certificates; fingerprint {fingerprint}"
    return _one_line(
        f"OK      {file}  — {manifest.agency.name}, {manifest.form_title} {manifest.form.version}, {manifest.period}, "
        f"v{manifest.submission.version}, signed by {signatory.name} ({signatory.role}), {signer}"
        + ("" if result.pdf_carries_data else "; made before signed PDFs carried the answers (format version 1)")
        + ("; a signed PDF alone: no evidence files or answer history" if result.source == "pdf" else "")
    )


def _as_json(file: str, result: VerifyResult) -> dict[str, Any]:
    """One result; what the return is (agency, form, ...) only for a bundle that passed, since a failed one's
    manifest is an unproven claim. The fingerprint and trust decision are facts as soon as the verifier got them."""
    manifest = _manifest(result) if result.ok else None
    return {
        "file": file,
        "ok": result.ok,
        "code": str(result.code),
        "reason": result.reason,
        "agency": manifest.agency.name if manifest else None,
        "form_id": manifest.form.id if manifest else None,
        "form_version": manifest.form.version if manifest else None,
        "period": manifest.period if manifest else None,
        "submission_id": result.submission_id if manifest else None,
        "version": result.submission_version if manifest else None,
        "signer_fingerprint": result.signer_fingerprint,
        "trust": Trust(result.trust).value if result.trust is not None else None,
        "pdf_carries_data": result.pdf_carries_data,
        "source": result.source,
    }


def _manifest(result: VerifyResult) -> Manifest:
    assert result.manifest is not None, "the verifier fills the manifest of every bundle that passed"
    return result.manifest


def _one_line(text: str) -> str:
    """File names and reasons may hold line breaks or other control characters: escape them."""
    return shown(text)
