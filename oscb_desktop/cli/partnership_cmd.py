"""``oscb partnership init | set | add-form | remove-form | publish | rotate-key | join | list``.

The Business Unit sets its partnership up, keeps its forms and publishes its signed pack; an agency joins from the
pack and takes its updates. Scripts drive exactly these options (docs/pack-format.md); ``list --json`` prints
``{"partnerships": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from oscb_desktop.cli.common import CommandError, iso_date, open_workspace
from oscb_desktop.cli.export_cmd import read_passphrase
from oscb_desktop.fsutil import WriteError
from oscb_desktop.packs import PACK_SUFFIX, PackError
from oscb_desktop.services import partnership_admin, partnerships
from oscb_desktop.services.partnership_admin import PartnershipAdminError
from oscb_desktop.services.partnerships import JoinPreview, PackRefusedError
from oscb_desktop.services.values import PartnershipInfo
from oscb_desktop.signing import IdentityError, format_fingerprint
from oscb_desktop.textsafe import shown


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    top = sub.add_parser("partnership", help="the partnership's profile, forms and signed pack")
    psub = top.add_subparsers(dest="partnership_command", required=True, metavar="ACTION")

    p = psub.add_parser("init", help="make this workspace the Business Unit of a new partnership")
    p.add_argument("--name", required=True, help='e.g. "Buckinghamshire Safeguarding Children Partnership"')
    p.add_argument("--short-name", required=True, help='e.g. "BSCP" (at most 20 characters)')
    p.add_argument("--members", type=Path, metavar="FILE.yaml", help="the member agencies: - {name: ..., sector: ...}")
    p.add_argument("--passphrase-file", type=Path, metavar="F", help="first line: the new signing key's passphrase")
    p.add_argument("--contact-name", default="", help="the Business Unit officer agencies contact")
    p.add_argument("--contact-email", default="")
    p.add_argument("--contact-phone", default="")
    p.set_defaults(func=cmd_init)

    p = psub.add_parser("set", help="change the partnership's name, short name or contact")
    for option in ("--name", "--short-name", "--contact-name", "--contact-email", "--contact-phone"):
        p.add_argument(option)
    p.set_defaults(func=cmd_set)

    p = psub.add_parser("add-form", help="add a form definition (or set its deadline) for the partnership")
    p.add_argument("file", type=Path, metavar="FILE.yaml")
    p.add_argument("--period", help="the reporting period, e.g. 2027/28 (must be the file's)")
    p.add_argument("--deadline", type=iso_date, help="YYYY-MM-DD")
    p.set_defaults(func=cmd_add_form)

    p = psub.add_parser("remove-form", help="take a form out (refused once returns on it exist)")
    p.add_argument("form_id")
    p.add_argument("version")
    p.set_defaults(func=cmd_remove_form)

    p = psub.add_parser("publish", help="write the partnership's signed pack for its member agencies")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.oscbpack")
    p.add_argument("--passphrase-file", type=Path, metavar="F")
    p.set_defaults(func=cmd_publish)

    p = psub.add_parser("rotate-key", help="a new Business Unit key, introduced by a pack signed with the old one")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.oscbpack")
    p.add_argument("--passphrase-file", type=Path, metavar="F", help="the current key's passphrase")
    p.add_argument("--new-passphrase-file", type=Path, required=True, metavar="F", help="the new key's passphrase")
    p.set_defaults(func=cmd_rotate_key)

    p = psub.add_parser("join", help="join a partnership from its pack, or take a newer pack")
    p.add_argument("file", type=Path, metavar="FILE.oscbpack")
    p.add_argument(
        "--trust", metavar="FINGERPRINT", help="the Business Unit's fingerprint, as the partnership published it"
    )
    p.set_defaults(func=cmd_join)

    p = psub.add_parser("list", help="the partnerships of this workspace")
    p.add_argument("--json", action="store_true", help='print {"partnerships": [...]}')
    p.set_defaults(func=cmd_list)


def _admin_errors(exc: BaseException) -> CommandError:
    return CommandError(str(exc))


def cmd_init(args: argparse.Namespace) -> int:
    sectors, members = (None, None)
    if args.members is not None:
        try:
            sectors, members = partnership_admin.read_members_file(args.members)
        except PartnershipAdminError as exc:
            raise _admin_errors(exc) from exc
    with open_workspace(args) as ws:
        try:
            info = partnership_admin.init(
                ws,
                name=args.name,
                short_name=args.short_name,
                passphrase=read_passphrase(args.passphrase_file),
                members=members,
                sectors=sectors,
                contact_name=args.contact_name,
                contact_email=args.contact_email,
                contact_phone=args.contact_phone,
            )
            fingerprint = partnership_admin.current_identity(ws).fingerprint
        except (PartnershipAdminError, IdentityError) as exc:
            raise _admin_errors(exc) from exc
    print(
        shown(f"Set up {info.name} ({info.short_name}): {len(info.members)} member agencies, {len(info.forms)} forms.")
    )
    print(f"Business Unit fingerprint (publish it to the agencies): {format_fingerprint(fingerprint)}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    fields = {
        k: v
        for k, v in {
            "name": args.name,
            "short_name": args.short_name,
            "contact_name": args.contact_name,
            "contact_email": args.contact_email,
            "contact_phone": args.contact_phone,
        }.items()
        if v is not None
    }
    if not fields:
        raise CommandError("Nothing to change: give --name, --short-name or a --contact-… option.")
    with open_workspace(args) as ws:
        try:
            info = partnership_admin.update_profile(ws, **fields)
        except PartnershipAdminError as exc:
            raise _admin_errors(exc) from exc
    print(shown(f"{info.name} ({info.short_name}); contact: {info.contact or 'none'}. Publish the pack to send it."))
    return 0


def cmd_add_form(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        try:
            print(shown(partnership_admin.add_form(ws, args.file, period=args.period, deadline=args.deadline)))
        except PartnershipAdminError as exc:
            raise _admin_errors(exc) from exc
    return 0


def cmd_remove_form(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        try:
            partnership_admin.remove_form(ws, args.form_id, args.version)
        except PartnershipAdminError as exc:
            raise _admin_errors(exc) from exc
    print(f"Removed {args.form_id} {args.version}. Publish the pack to send the change.")
    return 0


def _check_out(out: Path) -> None:
    if out.suffix.lower() != PACK_SUFFIX:
        raise CommandError(f"{out} does not end in {PACK_SUFFIX}; partnership packs are named *{PACK_SUFFIX}.")
    if out.is_dir():
        raise CommandError(f"{out} is a folder; give the pack's file name.")


def cmd_publish(args: argparse.Namespace) -> int:
    _check_out(args.out)
    with open_workspace(args) as ws:
        try:
            result = partnership_admin.publish(ws, args.out, passphrase=read_passphrase(args.passphrase_file))
        except (PartnershipAdminError, IdentityError, PackError, WriteError) as exc:
            raise CommandError(f"{exc} The pack was not written.") from exc
    print(
        f"Wrote {result.path}: pack version {result.pack_version}, {result.members} member agencies, "
        f"{result.forms} forms; signed by {format_fingerprint(result.fingerprint)}."
    )
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    _check_out(args.out)
    with open_workspace(args) as ws:
        try:
            result = partnership_admin.rotate_key(
                ws,
                args.out,
                passphrase=read_passphrase(args.passphrase_file),
                new_passphrase=read_passphrase(args.new_passphrase_file),
            )
            new = partnership_admin.current_identity(ws).fingerprint
        except (PartnershipAdminError, IdentityError, PackError, WriteError) as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
    print(f"Wrote {result.path} (pack version {result.pack_version}), signed with the old key; it introduces the new")
    print(f"key {format_fingerprint(new)}. Send it to every member before publishing with the new key.")
    return 0


def _ask(found: JoinPreview) -> bool:
    """The first join from a terminal: the fingerprint shown, compared by the person."""
    if sys.stdin is None or not sys.stdin.isatty():
        raise CommandError(
            f"Joining {shown(found.name)} needs you to compare the Business Unit's fingerprint with the one the "
            f"partnership published: {format_fingerprint(found.fingerprint)}. Run this in a terminal, or pass "
            "--trust FINGERPRINT. Nothing was changed."
        )
    print(shown(found.describe()))
    print(f"The Business Unit's fingerprint: {format_fingerprint(found.fingerprint)}")
    answer = input("Is it the one the partnership published? Type yes to join: ")
    return answer.strip().lower() in {"y", "yes"}


def cmd_join(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        try:
            result = partnerships.join(ws, args.file, trust=args.trust if args.trust else _ask)
        except PackRefusedError as exc:
            raise CommandError(f"{args.file.name} was refused ({exc.code}): {exc.reason}") from exc
    print(shown(result.message))
    return 0


def _as_json(info: PartnershipInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "short_name": info.short_name,
        "role": "business_unit" if info.own else "member",
        "pack_version": info.pack_version,
        "fingerprint": info.signer_fingerprint,
        "successor_fingerprint": info.successor_fingerprint,
        "contact": {"name": info.contact_name, "email": info.contact_email, "phone": info.contact_phone},
        "members": len(info.members),
        "forms": [
            {
                "id": f.form_id,
                "version": f.version,
                "period": f.period,
                "deadline": f.deadline.isoformat() if f.deadline else None,
                "active": f.active,
            }
            for f in info.forms
        ],
        "joined_at": info.joined_at,
        "updated_at": info.updated_at,
    }


def cmd_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        found = partnerships.list_partnerships(ws)
    if args.json:
        print(json.dumps({"partnerships": [_as_json(p) for p in found]}, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("No partnerships yet: join one with oscb partnership join FILE.oscbpack.")
        return 0
    for p in found:
        role = "Business Unit of" if p.own else "member of"
        forms = ", ".join(f"{f.form_id} {f.version} ({f.period})" for f in p.forms if f.active) or "no forms"
        print(shown(f"{role} {p.name} ({p.short_name}), pack version {p.pack_version}: {forms}"))
        if p.signer_fingerprint:
            print(f"  Business Unit fingerprint {format_fingerprint(p.signer_fingerprint)}")
    return 0
