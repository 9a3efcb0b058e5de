"""``kiosk-provision doctor``: every missing piece reported in plain words with its fix, and a
complete profile (written by ``install-service --root`` plus what its commands do) found clean."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from provisioning.cli import main


def _doctor(capsys, *argv: str) -> tuple[int, str]:
    code = main(["doctor", *argv])
    return code, capsys.readouterr().out


def test_doctor_on_this_machine_reports_what_is_missing(capsys) -> None:
    # This container has no kiosk user, no kiosk units and no screen: each is said, with its fix.
    code, out = _doctor(capsys, "--user", "nokioskuser")
    assert code == 4
    assert "PROBLEM  user nokioskuser: there is no user 'nokioskuser'" in out
    assert "fix: useradd --system --create-home --home-dir /var/lib/nokioskuser" in out
    assert "the unit kiosk.service is not installed\n         fix: kiosk-provision install-service" in out
    assert "'nokioskuser' is not in the 'input' group, so it cannot use the touchscreen" in out
    assert "fix: usermod --append --groups input nokioskuser" in out
    if not any(Path("/dev/dri").glob("card*")):
        assert "there is no screen device (/dev/dri/card*)" in out
    assert "Traceback" not in out


def test_doctor_on_an_empty_root_names_every_item_with_a_fix(tmp_path: Path, capsys) -> None:
    code, out = _doctor(capsys, "--root", str(tmp_path))
    assert code == 4
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    fixes = [line for line in out.splitlines() if line.strip().startswith("fix: ")]
    assert len(problems) == len(fixes) >= 18
    for words in ("does not start at boot", "would run as root", "does not own the screen on tty1",
                  "mouse pointer shows", "login prompt would take tty1", "Ctrl+Alt+Del on a keyboard reboots",
                  "blanks after 10 minutes", "nothing keeps the clock right", "journal may fill the disk",
                  "may not use the card reader service (pcscd)", "not in the 'dialout' group"):
        assert words in out, words
    for fix in ("systemctl mask getty@tty1.service", "systemctl mask ctrl-alt-del.target",
                "systemctl enable kiosk.service",
                "apt-get install -y systemd-timesyncd && systemctl enable --now systemd-timesyncd"):
        assert f"fix: {fix}" in out, fix


def _as_if_installed(root: Path) -> None:
    """What the profile's commands do on a real machine (useradd, usermod, mask, enable)."""
    (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nkiosk:x:990:990::/var/lib/kiosk:/usr/sbin/nologin\n")
    (root / "etc/group").write_text("".join(f"{g}:x:{20 + i}:kiosk\n" for i, g in
                                            enumerate(("dialout", "video", "render", "input", "lp"))))
    units = root / "etc/systemd/system"
    for name in ("getty@tty1.service", "ctrl-alt-del.target"):
        os.symlink("/dev/null", units / name)
    for wants, unit in (("multi-user.target.wants", "kiosk.service"),
                        ("sysinit.target.wants", "systemd-timesyncd.service")):
        (units / wants).mkdir()
        os.symlink(f"/etc/systemd/system/{unit}", units / wants / unit)


def test_doctor_finds_an_installed_profile_clean(tmp_path: Path, capsys) -> None:
    for display in ("kmsdrm", "x11"):
        root = tmp_path / display
        assert main(["install-service", "--root", str(root), "--display", display,
                     "--exec", f"{sys.executable} -m screens.cli run"]) == 0
        code, out = _doctor(capsys, "--root", str(root))
        assert code == 4 and "PROBLEM  user kiosk:" in out  # files alone: the commands have not run
        _as_if_installed(root)
        code, out = _doctor(capsys, "--root", str(root))
        assert code == 0, out
        assert "everything is in place" in out
        if display == "x11":
            assert "ok       no VT switching in X" in out
        # Taking one piece away again is noticed.
        (root / "etc/systemd/system/ctrl-alt-del.target").unlink()
        code, out = _doctor(capsys, "--root", str(root))
        assert code == 4 and "fix: systemctl mask ctrl-alt-del.target" in out


def test_doctor_reports_blanking_and_night_dimming_together(tmp_path: Path, capsys) -> None:
    root = tmp_path / "x11"
    assert main(["install-service", "--root", str(root), "--display", "x11",
                 "--exec", f"{sys.executable} -m screens.cli run"]) == 0
    _as_if_installed(root)
    code, out = _doctor(capsys, "--root", str(root))
    assert code == 0, out
    assert "ok       screen brightness: full day and night (no night_dimming in the config)" in out
    assert "ok       screen never switched off in X (DPMS)" in out
    state = root / "var/lib/kiosk"
    state.mkdir(parents=True)
    (state / "config.yaml").write_text("night_dimming: {start: '23:00', end: '06:00', percent: 25}\n")
    code, out = _doctor(capsys, "--root", str(root))
    assert code == 0 and "ok       night dimming 23:00 to 06:00 at 25 %: backlight rule installed" in out
    # A screen with a backlight the kiosk's group may write, then one it may not.
    light = root / "sys/class/backlight/intel_backlight/brightness"
    light.parent.mkdir(parents=True)
    light.write_text("500\n")
    os.chown(light, 0, 21)  # "video" in the fake /etc/group, which has the kiosk user in it
    light.chmod(0o664)
    code, out = _doctor(capsys, "--root", str(root))
    assert code == 0 and "ok       night dimming 23:00 to 06:00 at 25 %: through the backlight" in out
    light.chmod(0o644)
    code, out = _doctor(capsys, "--root", str(root))
    assert code == 4
    assert f"'kiosk' may not write {light}: at night the picture is darkened but the backlight stays" in out
    assert "fix: udevadm trigger --subsystem-match=backlight --action=add" in out
    (root / "etc/udev/rules.d/50-kiosk-backlight.rules").unlink()
    xorg = root / "etc/X11/xorg.conf.d/50-kiosk.conf"
    xorg.write_text(xorg.read_text().replace('"DPMS" "false"', '"DPMS" "true"'))
    code, out = _doctor(capsys, "--root", str(root))
    assert "PROBLEM  night dimming 23:00 to 06:00 at 25 %: backlight rule installed: the kiosk user may not dim" in out
    assert "Xorg switches the screen off when nobody touches it (DPMS)" in out
    (state / "config.yaml").write_text("touch: {device: /dev/input/by-id/usb-eGalax-event-if00}\n")
    (root / "dev/input/by-id").mkdir(parents=True)
    code, out = _doctor(capsys, "--root", str(root))
    assert ("PROBLEM  touchscreen /dev/input/by-id/usb-eGalax-event-if00: the touchscreen "
            "/dev/input/by-id/usb-eGalax-event-if00 in the config is not there") in out
    assert "fix: kiosk-provision detect --write" in out
    (state / "config.yaml").write_text("night_dimming: {start: '23:00', end: '23:00'}\n")
    code, out = _doctor(capsys, "--root", str(root))
    assert "PROBLEM  kiosk config readable: the kiosk would refuse its config:" in out
    assert "the same as start (23:00)" in out and "Traceback" not in out
