"""The social security card as the alternative on Identify: a real pcscd with the virtual card.

The reader is opened as ``sim://sscard`` (pcscd + vsmartcard-vpcd + our virtual card); where
pcscd cannot run, the reader must be reported absent and Identify must offer the ID card only.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from ui_steps import start_visit

from identity.idnumber import generate_person
from identity.record import CardType
from kiosk.i18n import t

pytestmark = [pytest.mark.kivy, pytest.mark.pcscd]

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


def test_social_security_card_on_identify_prefills_the_applicant(ui: Any, shots: Any) -> None:
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        pytest.skip("pcscd is not installed")
    if not VPCD_DRIVER.exists():
        pytest.skip("vsmartcard-vpcd is not installed")
    app = ui.app
    hub = app.kiosk.devices
    hub.open_sscard("sim://sscard")
    try:
        status = hub.states()["sscard"]
        assert status.usable, status  # pcscd is installed: it must start, not be faked
        person = generate_person(random.Random())
        start_visit(ui, "open_bookstore", card=False)
        screen = app.screen("identify")
        ui.wait(lambda: screen.sscard_ok, what="Identify to offer the social security card")
        assert t("ui.identify.sscard", app.lang) in ui.texts()
        ui.screenshot(shots / "identify-sscard.png")

        assert app.kiosk.devices.sim_place_sscard(person)
        ui.wait(lambda: app.current in ("questions", "results"), timeout=20,
                what="the social security card to be read")
        session = app.kiosk.visit.session
        assert session.identity.card_type is CardType.SOCIAL_SECURITY
        assert session.flow.answers["applicant.id_number"] == person.id_number
        assert session.flow.answers["applicant.name"] == person.name
        hub.sim_remove_sscard()
        ui.wait(lambda: not hub.card_present(), timeout=20, what="the card to be seen gone")
    finally:
        hub.close_sscard()
        app.end_visit("test")

    # A reader pcscd does not list: absent with its reason, and Identify says ID card only.
    hub.open_sscard("pcsc://No Such Reader")
    try:
        status = hub.states()["sscard"]
        assert status.state == "absent" and status.reason.startswith("pcsc.")
        start_visit(ui, "open_bookstore", card=False)
        screen = app.screen("identify")
        ui.pump(2)
        assert not screen.sscard_ok
        assert t("ui.identify.sscard_absent", app.lang) in ui.texts()
    finally:
        hub.close_sscard()
        hub.open_sscard("")
