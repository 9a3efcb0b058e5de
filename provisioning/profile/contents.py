"""What the kiosk profile writes (files, relative to the root) and runs (commands, in order).

Pure functions of :class:`ProfileSettings`, so ``--root`` and ``--dry-run`` show exactly what
an install would do and the golden tests compare whole files. ``kiosk-provision doctor`` checks
the same items on the running machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provisioning.systemd_unit import (
    ESCALATION,
    SERVICE,
    VT,
    XSESSION,
    UnitSettings,
    command_line,
    units,
)

# serial readers, the screen (DRM), touch (evdev), usblp printers
DEVICE_GROUPS = ("dialout", "video", "render", "input", "lp")
POLKIT_RULE = "etc/polkit-1/rules.d/50-kiosk-pcscd.rules"
JOURNALD_DROPIN = "etc/systemd/journald.conf.d/50-kiosk.conf"
LOGIND_DROPIN = "etc/systemd/logind.conf.d/50-kiosk.conf"
GRUB_DROPIN = "etc/default/grub.d/50-kiosk.cfg"
XORG_CONF = "etc/X11/xorg.conf.d/50-kiosk.conf"
XWRAPPER = "etc/X11/Xwrapper.config"
USBGUARD_RULES = "etc/usbguard/rules.conf"
AUTO_UPGRADES = "etc/apt/apt.conf.d/20auto-upgrades"
BACKLIGHT_RULE = "etc/udev/rules.d/50-kiosk-backlight.rules"
TIME_SERVICES = {"timesyncd": "systemd-timesyncd.service", "chrony": "chrony.service"}
MASKED = (f"getty@{VT}.service", "ctrl-alt-del.target")


@dataclass(frozen=True)
class ProfileSettings:
    unit: UnitSettings
    create_user: bool = True
    time_sync: str = "timesyncd"
    journal_max: str = "200M"
    usb_allow: tuple[str, ...] = field(default_factory=tuple)  # usbguard rule lines, empty = not offered
    unattended_upgrades: bool = False


def polkit_rule(user: str) -> str:
    return f"""// The kiosk user may use the smart-card daemon (pcscd) without a desktop session.
polkit.addRule(function(action, subject) {{
    if ((action.id == "org.debian.pcsc-lite.access_pcsc" ||
         action.id == "org.debian.pcsc-lite.access_card") &&
        subject.user == "{user}") {{
        return polkit.Result.YES;
    }}
}});
"""


def journald_dropin(max_use: str) -> str:
    return f"""# The kiosk's journal stays small on a small disk and survives reboots.
[Journal]
Storage=persistent
SystemMaxUse={max_use}
SystemKeepFree=1G
MaxRetentionSec=1month
"""


LOGIND = """# No login prompts on other VTs and no power key: the kiosk owns the screen.
[Login]
NAutoVTs=0
ReserveVT=0
HandlePowerKey=ignore
HandleRebootKey=ignore
HandleSuspendKey=ignore
HandleHibernateKey=ignore
HandleLidSwitch=ignore
"""

GRUB = """# The text console never blanks (the kiosk draws over it).
GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT consoleblank=0"
"""

XORG = """# No VT switching, no Ctrl+Alt+Backspace, no blanking or DPMS: the kiosk stays on screen.
Section "ServerFlags"
    Option "DontVTSwitch" "true"
    Option "DontZap" "true"
    Option "BlankTime" "0"
    Option "StandbyTime" "0"
    Option "SuspendTime" "0"
    Option "OffTime" "0"
EndSection

Section "Extensions"
    Option "DPMS" "false"
EndSection
"""

BACKLIGHT_RULE_TEXT = """# The kiosk (group video) may dim the backlight at night (night_dimming in its config).
ACTION=="add", SUBSYSTEM=="backlight", RUN+="/bin/chgrp video $sys$devpath/brightness", RUN+="/bin/chmod g+w $sys$devpath/brightness"
"""

XWRAPPER_TEXT = """# The kiosk service (not a console login) starts Xorg on its VT.
allowed_users=anybody
needs_root_rights=yes
"""

AUTO_UPGRADES_TEXT = """APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
"""


def xsession(exec_start: list[str]) -> str:
    return f"""#!/bin/sh
# The kiosk's X session (run by xinit from {SERVICE}): no blanking, no DPMS, then the kiosk.
xset s off || true
xset s noblank || true
xset -dpms || true
exec {command_line(exec_start)}
"""


def usbguard_rules(lines: tuple[str, ...]) -> str:
    return "# Allowed USB devices, taken from the devices present at install time.\n" + "".join(
        f"{line}\n" for line in lines)


def files(p: ProfileSettings) -> dict[str, str]:
    """Path relative to the root -> content."""
    out = {f"etc/systemd/system/{name}": text for name, text in units(p.unit).items()}
    out[POLKIT_RULE] = polkit_rule(p.unit.user)
    out[JOURNALD_DROPIN] = journald_dropin(p.journal_max)
    out[LOGIND_DROPIN] = LOGIND
    out[GRUB_DROPIN] = GRUB
    out[BACKLIGHT_RULE] = BACKLIGHT_RULE_TEXT
    if p.unit.display == "x11":
        out[XORG_CONF] = XORG
        out[XWRAPPER] = XWRAPPER_TEXT
        out[str(XSESSION).lstrip("/")] = xsession(p.unit.exec_start)
    if p.usb_allow:
        out[USBGUARD_RULES] = usbguard_rules(p.usb_allow)
    if p.unattended_upgrades:
        out[AUTO_UPGRADES] = AUTO_UPGRADES_TEXT
    return out


def commands(p: ProfileSettings, groups_present: tuple[str, ...] | None = None) -> list[list[str]]:
    """What to run after the files are written, in order. ``groups_present`` limits the groups
    to those this machine has (``None``: all of them, as when writing into a folder)."""
    user = p.unit.user
    groups = [g for g in DEVICE_GROUPS if groups_present is None or g in groups_present]
    packages = ["pcscd", "xinit", "xserver-xorg", "x11-xserver-utils"] if p.unit.display == "x11" else ["pcscd"]
    if p.time_sync == "chrony":
        packages.append("chrony")
    else:
        packages.append("systemd-timesyncd")
    if p.usb_allow:
        packages.append("usbguard")
    if p.unattended_upgrades:
        packages.append("unattended-upgrades")
    out: list[list[str]] = [["apt-get", "install", "-y", *packages]]
    if p.create_user:
        out.append(["useradd", "--system", "--create-home", "--home-dir", f"/var/lib/{user}",
                    "--shell", "/usr/sbin/nologin", user])
    out.append(["usermod", "--append", "--groups", ",".join(groups), user])
    out.append(["install", "-d", "-o", user, "-g", user, "-m", "0750", str(p.unit.state_dir)])
    # enrol and configure ran as root before this: the kiosk user must own what they wrote.
    out.append(["chown", "-R", f"{user}:{user}", str(p.unit.state_dir)])
    if p.unit.display == "x11":
        out.append(["chmod", "0755", str(XSESSION)])
    out.append(["systemctl", "mask", *MASKED])
    out.append(["systemctl", "daemon-reload"])
    out.append(["systemctl", "enable", SERVICE])
    out.append(["systemctl", "enable", "--now", TIME_SERVICES[p.time_sync]])
    out.append(["systemctl", "restart", "systemd-journald.service"])
    out.append(["update-grub"])
    out.append(["udevadm", "trigger", "--subsystem-match=backlight", "--action=add"])
    if p.usb_allow:
        out.append(["systemctl", "enable", "--now", "usbguard.service"])
    return out


__all__ = ["ESCALATION", "ProfileSettings", "commands", "files"]
