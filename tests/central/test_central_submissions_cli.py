"""``kiosk-central submissions`` and ``data-key rotate`` as a clerk and an admin use them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from applications_helpers import SEAL_DEPT, applicant, reference, submission
from central_helpers import SignedKiosk

from central.cli import main
from central.embedded import EmbeddedCentral
from central.sealing import DataKeys, load_or_create_data_keys


def _submit(kiosk: SignedKiosk, seed: int) -> str:
    ref = reference()
    body = submission(applicant(seed), ref)
    assert kiosk.post_json("/api/v1/submissions", body, key=body["id"]).status_code == 201
    return ref


@pytest.mark.parametrize("action", ["list", "show", "export", "set-status"])
def test_submissions_commands_explain_themselves(
    action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["submissions", action, "--help"])
    assert stopped.value.code == 0
    assert "usage: kiosk-central submissions" in capsys.readouterr().out


def test_list_show_set_status_and_export(
    central: EmbeddedCentral,
    kiosk: SignedKiosk,
    admin_token: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    refs = [_submit(kiosk, 200 + n) for n in range(2)]
    server = ["--server", central.url, "--token", admin_token]
    assert main(["submissions", "list", "--kiosk", kiosk.kiosk_id, *server]) == 0
    out = capsys.readouterr().out
    assert all(ref in out for ref in refs) and "已提交 (submitted)" in out and "(2 of 2)" in out

    assert main(["submissions", "set-status", refs[0], "needs_correction", *server]) == 43
    assert "correction_incomplete" in capsys.readouterr().err
    assert main(["submissions", "set-status", refs[0], "needs_correction", "--material",
                 "lease_contract", "--reason", "合同页面模糊", *server]) == 0
    assert "submitted → needs_correction" in capsys.readouterr().out
    assert main(["submissions", "set-status", refs[0], "completed", *server]) == 43
    assert "bad_transition" in capsys.readouterr().err

    assert main(["submissions", "show", refs[0], *server]) == 0
    shown = capsys.readouterr().out
    assert "需补正 (needs_correction)" in shown and "materials: lease_contract" in shown
    assert SEAL_DEPT in shown

    assert main(["submissions", "list", "--status", "needs_correction", "--kiosk",
                 kiosk.kiosk_id, "--json", *server]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["reference"] for r in listed["items"]] == [refs[0]]

    out_file = tmp_path / "apps.csv"
    assert main(["submissions", "export", "--kiosk", kiosk.kiosk_id, "--since", "1d",
                 "--out", str(out_file), *server]) == 0
    assert "wrote" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert sorted(r["reference"] for r in rows) == sorted(refs)
    assert main(["submissions", "export", "--format", "json", "--reference", refs[1], *server]) == 0
    assert [r["reference"] for r in json.loads(capsys.readouterr().out)] == [refs[1]]
    assert main(["submissions", "list", "--limit", "0", *server]) == 41
    assert "--limit" in capsys.readouterr().err


def test_clerk_token_needs_a_department(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(tmp_path)]
    assert main(["token", "new", "--role", "clerk", *data]) == 41
    assert "--department" in capsys.readouterr().err
    assert main(["token", "new", "--role", "clerk", "--department", "区税务局", *data]) == 0
    assert capsys.readouterr().out.startswith("kc_")


def test_data_key_rotation_reseals_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIOSK_CENTRAL_DATA_KEYS", raising=False)
    from central_helpers import enrol

    with EmbeddedCentral(data_dir=tmp_path) as central:
        keys_before = load_or_create_data_keys(tmp_path)
        kiosk = enrol(central)
        ref = _submit(kiosk, 300)
        token = central.token("admin")
    assert main(["data-key", "rotate", "--data", str(tmp_path)]) == 0
    assert "re-sealed 4 values" in capsys.readouterr().out
    keys_after = load_or_create_data_keys(tmp_path)
    assert keys_after.keys != keys_before.keys and len(keys_after.keys) == 1
    with EmbeddedCentral(data_dir=tmp_path) as central:
        assert main(["submissions", "show", ref, "--json", "--server", central.url,
                     "--token", token]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["document"]["reference"] == ref
        from central.models_applications import Application

        with central.state.sessions() as db:
            row = db.get(Application, shown["id"])
            assert row is not None
            with pytest.raises(Exception, match="no data key"):
                DataKeys(keys_before.keys).open(row.document_enc)
