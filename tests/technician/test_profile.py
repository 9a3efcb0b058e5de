"""The kiosk profile written by ``install-service --root``: golden files, strict parsing,
``systemd-analyze verify`` on every unit, and the user checks (missing user refused, root refused).

Golden files: ``KIOSK_UPDATE_GOLDEN=1 pytest tests/technician`` rewrites them; review the diff.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provisioning.cli import main

GOLDEN = Path(__file__).parent / "golden"
EXEC = f"{sys.executable} -m screens.cli run"


def _install(root: Path, *extra: str) -> int:
    return main(["install-service", "--root", str(root), "--exec", EXEC,
                 "--state-dir", "/var/lib/kiosk", *extra])


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text().replace(sys.executable, "@PYTHON@")
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("display", ["kmsdrm", "x11"])
def test_profile_matches_golden_files(tmp_path: Path, display: str, capsys) -> None:
    extra = ["--display", display]
    if display == "x11":
        extra += ["--time-sync", "chrony", "--unattended-upgrades"]
    assert _install(tmp_path, *extra) == 0
    out = capsys.readouterr().out.replace(sys.executable, "@PYTHON@").replace(str(tmp_path), "@ROOT@")
    written = _tree(tmp_path) | {"(commands printed)": out}
    golden = GOLDEN / display
    if os.environ.get("KIOSK_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for rel, text in written.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_text(text)
    expected = {str(p.relative_to(golden)): p.read_text() for p in sorted(golden.rglob("*")) if p.is_file()}
    assert sorted(written) == sorted(expected)
    for rel, text in expected.items():
        assert written[rel] == text, rel


def test_profile_is_written_once(tmp_path: Path, capsys) -> None:
    assert _install(tmp_path) == 0
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert _install(tmp_path) == 0
    out = capsys.readouterr().out
    assert ": written" not in out
    assert out.count("unchanged") == len(before)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before


def test_dry_run_writes_nothing_and_shows_commands(tmp_path: Path, capsys) -> None:
    assert _install(tmp_path / "root", "--dry-run") == 0
    out = capsys.readouterr().out
    assert not (tmp_path / "root").exists()
    for line in ("TTYPath=/dev/tty1", "PAMName=login", "SDL_VIDEODRIVER=kmsdrm",
                 "systemctl mask getty@tty1.service ctrl-alt-del.target", "useradd --system"):
        assert line in out


def _units(root: Path) -> list[Path]:
    return sorted((root / "etc/systemd/system").glob("*.service"))


@pytest.mark.parametrize("display", ["kmsdrm", "x11"])
def test_units_parse_strictly(tmp_path: Path, display: str) -> None:
    assert _install(tmp_path, "--display", display) == 0
    for unit in _units(tmp_path):
        parser = configparser.RawConfigParser(strict=False, delimiters=("=",), interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(unit.read_text())  # raises on anything that is not INI
        assert parser.sections() == ["Unit", "Service"] + (["Install"] if unit.name == "kiosk.service" else [])
        assert parser["Service"]["ExecStart"]
    escalation = (tmp_path / "etc/systemd/system/kiosk-escalate.service").read_text()
    assert "User=root" in escalation
    assert "User=kiosk" in (tmp_path / "etc/systemd/system/kiosk.service").read_text()


@pytest.mark.parametrize("display", ["kmsdrm", "x11"])
def test_systemd_analyze_verifies_every_unit(tmp_path: Path, display: str) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    if display == "x11" and not Path("/usr/bin/xinit").exists():
        pytest.skip("xinit is not installed (apt-get install xinit): verify checks ExecStart exists")
    assert _install(tmp_path, "--display", display) == 0
    units = _units(tmp_path)
    assert len(units) == 2
    env = {**os.environ, "SYSTEMD_LOG_LEVEL": "notice",
           "SYSTEMD_UNIT_PATH": f"{tmp_path / 'etc/systemd/system'}:"}
    result = subprocess.run([analyze, "verify", "--man=no", *map(str, units)],
                            capture_output=True, text=True, env=env, check=False)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if str(tmp_path) in line or "kiosk" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_missing_user_not_to_be_created_is_refused(tmp_path: Path, capsys) -> None:
    assert _install(tmp_path, "--user", "nosuchkiosk", "--no-create-user") == 50
    err = capsys.readouterr().err
    assert "no such user" in err and "useradd --system --create-home nosuchkiosk" in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())
    # The units-only path refuses it too (it used to accept any name).
    assert main(["install-service", "--unit-dir", str(tmp_path / "u"), "--user", "nosuchkiosk"]) == 50
    assert "no such user" in capsys.readouterr().err


def test_root_and_bad_names_are_refused(tmp_path: Path, capsys) -> None:
    assert _install(tmp_path, "--user", "root") == 50
    assert "must not run as root" in capsys.readouterr().err
    assert _install(tmp_path, "--user", "Bad Name") == 50
    assert "not a valid user name" in capsys.readouterr().err


def test_existing_user_is_not_created_again(tmp_path: Path, capsys) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text("kiosk:x:990:990::/var/lib/kiosk:/usr/sbin/nologin\n")
    assert _install(tmp_path, "--no-create-user") == 0
    out = capsys.readouterr().out
    assert "useradd" not in out and "usermod --append --groups dialout,video,render,input,lp kiosk" in out


def test_usbguard_rules_come_from_present_devices(tmp_path: Path) -> None:
    from provisioning.commands.service import usb_allow_rules

    for name, vid, pid in (("1-1", "0403", "6001"), ("1-2", "04b8", "0202"), ("1-3", "0403", "6001")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "idVendor").write_text(vid + "\n")
        (tmp_path / name / "idProduct").write_text(pid + "\n")
    (tmp_path / "1-0:1.0").mkdir()  # an interface, no ids
    assert usb_allow_rules(tmp_path) == ("allow id 0403:6001", "allow id 04b8:0202")
