"""``oscb partnership ...`` exactly as the issue gives it, in fresh processes with no terminal: a Business Unit sets
up a partnership from scratch, adds next year's form and publishes; an agency joins (refused without --trust when
there is no terminal to ask in), lists its partnerships as JSON and sees the pack's form in ``forms list``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.engines import new_place
from helpers.workspaces import run_oscb

from oscb_desktop.packs import check_pack

SHIPPED_S11 = Path(__file__).resolve().parents[2] / "forms" / "section11" / "2026-27.yaml"
NAME = "Buckinghamshire Safeguarding Children Partnership"


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_set_up_publish_join_and_list(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> None:
    """The Business Unit's commands on each engine in turn (``--database`` on PostgreSQL); the agency's on its file."""
    bu, ag = new_place(request, engine, tmp_path / "bu").args, str(tmp_path / "agency")
    secret = tmp_path / "passphrase.txt"
    secret.write_text("correct horse battery\n", encoding="utf-8")
    members = tmp_path / "members.yaml"
    members.write_text(
        "- {name: Buckinghamshire Council, sector: local_authority}\n- {name: Thames Valley Police, sector: police}\n",
        encoding="utf-8",
    )
    form = tmp_path / "s11-2027.yaml"
    form.write_text(
        SHIPPED_S11.read_text(encoding="utf-8")
        .replace('version: "2026.1"', 'version: "2027.1"')
        .replace('period: "2026/27"', 'period: "2027/28"'),
        encoding="utf-8",
    )

    out = ok(run_oscb(*bu, "partnership", "init", "--name", NAME, "--short-name", "BSCP",
                      "--members", str(members), "--passphrase-file", str(secret)))  # fmt: skip
    assert "2 member agencies" in out and "fingerprint" in out
    wrong = run_oscb(*bu, "partnership", "add-form", str(form), "--period", "2028/29")
    assert wrong.returncode == 2 and "not for 2028/29" in wrong.stderr
    out = ok(run_oscb(*bu, "partnership", "add-form", str(form), "--period", "2027/28",
                      "--deadline", "2028-03-31"))  # fmt: skip
    assert "2027.1" in out and "2028-03-31" in out
    pack = tmp_path / "bscp.oscbpack"
    out = ok(run_oscb(*bu, "partnership", "publish", "--out", str(pack), "--passphrase-file", str(secret)))
    assert "pack version 1" in out and pack.exists()
    check = check_pack(pack)
    assert check.ok and check.signer_fingerprint is not None
    assert [f.entry.version for f in check.forms if f.entry.id == "section11"] == ["2026.1", "2027.1"]

    asked = run_oscb("--data-dir", ag, "partnership", "join", str(pack))
    assert asked.returncode == 2 and "--trust" in asked.stderr
    assert check.signer_fingerprint[:4].upper() in asked.stderr, "the fingerprint to compare is shown"
    foreign = run_oscb("--data-dir", ag, "partnership", "join", str(pack), "--trust", "ab" * 32)
    assert foreign.returncode == 2 and "untrusted_signer" in foreign.stderr
    out = ok(run_oscb("--data-dir", ag, "partnership", "join", str(pack), "--trust", check.signer_fingerprint))
    assert out.startswith(f"Join {NAME}")

    listed = json.loads(ok(run_oscb("--data-dir", ag, "partnership", "list", "--json")))
    [entry] = listed["partnerships"]
    assert (entry["name"], entry["short_name"], entry["pack_version"], entry["role"]) == (NAME, "BSCP", 1, "member")
    assert entry["fingerprint"] == check.signer_fingerprint
    assert {"id": "section11", "version": "2027.1", "period": "2027/28", "deadline": "2028-03-31",
            "active": True} in entry["forms"]  # fmt: skip
    forms = ok(run_oscb("--data-dir", ag, "forms", "list"))
    assert any(line.split()[:3] == ["section11", "2027.1", "2027/28"] for line in forms.splitlines())
    bu_list = json.loads(ok(run_oscb(*bu, "partnership", "list", "--json")))
    assert bu_list["partnerships"][0]["role"] == "business_unit"

    tampered = tmp_path / "tampered.oscbpack"
    tampered.write_bytes(pack.read_bytes()[:-100])
    refused = run_oscb("--data-dir", ag, "partnership", "join", str(tampered))
    assert refused.returncode == 2 and "not_zip" in refused.stderr
