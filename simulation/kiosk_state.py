"""A simulated kiosk's state folder: simulator URLs in its config, enrolled with a centre."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Protocol

from kiosk import config as kiosk_config
from kiosk.enrolment import enrol

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


class Centre(Protocol):
    """What the harness needs of a running central server (``central.embedded.EmbeddedCentral``)."""

    url: str

    def pairing_code(self, ttl_seconds: int = 3600) -> str: ...

    def token(self, role: str = "admin") -> str: ...


def pcscd_installed() -> bool:
    """Whether the virtual social security card can run here (pcscd and vsmartcard-vpcd)."""
    return bool(shutil.which("pcscd") or Path("/usr/sbin/pcscd").exists()) and VPCD_DRIVER.exists()


def use_simulators(config: kiosk_config.Config, receipts: Path | None) -> None:
    """Point every device of ``config`` at its simulator (and load the simulators' sim:// schemes)."""
    from devices.simulators import register_all

    register_all()
    config.simulation = True
    config.devices.idcard = "sim://idcard?card=none"  # the developer places a card (F2 or the button)
    config.devices.camera = "sim://camera?capture=1080p"
    config.devices.printer = f"sim://printer?png_dir={receipts}" if receipts else "sim://printer"
    # Without pcscd the reader is simply not fitted; with it, a start failure shows as "absent".
    config.devices.sscard = "sim://sscard" if pcscd_installed() else ""


def prepare_state(folder: Path, centre: Centre, receipts: Path | None = None) -> kiosk_config.Config:
    """Write a simulated kiosk's config into ``folder`` and enrol it with ``centre``."""
    config = kiosk_config.Config()
    use_simulators(config, receipts)
    kiosk_config.save(config, folder)
    return enrol(folder, centre.url, centre.pairing_code()).config
