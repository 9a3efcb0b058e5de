"""devices.registry: one URL parser for every device, and schemes registered by their owners.

The import checks run in a fresh interpreter with no handler modules named, as a production
kiosk starts: no simulator module may be loaded by the drivers, the hub or the CLI's probe,
and a ``sim://`` URL is then refused in words that say what to do. Printer models are read from
python-escpos's database without importing ``escpos.capabilities`` (which sets up root logging).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devices import registry
from devices.printer.errors import PrinterUrlError
from devices.simulators import SIMULATOR_MODULES, register_all
from devices.status import DeviceKind

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "scheme", "target", "options"),
    [
        ("serial:///dev/ttyUSB0?baud=9600", "serial", "/dev/ttyUSB0", {"baud": "9600"}),
        ("/dev/ttyUSB0", "serial", "/dev/ttyUSB0", {}),
        ("/dev/pts/7?baud=57600", "serial", "/dev/pts/7", {"baud": "57600"}),
        ("socket://10.0.0.5:9100?width=58", "socket", "10.0.0.5:9100", {"width": "58"}),
        ("usb://0416:5011", "usb", "0416:5011", {}),
        ("pcsc://Virtual PCD 00 00", "pcsc", "Virtual PCD 00 00", {}),
        ("pcsc://ACR122%20U", "pcsc", "ACR122 U", {}),
        ("pcsc://", "pcsc", "", {}),
        ("camera://0", "camera", "0", {}),
        ("camera:///dev/video2", "camera", "/dev/video2", {}),
        ("file:///scans/", "file", "/scans/", {}),
        ("SIM://printer?paper=out&png_dir=", "sim", "printer", {"paper": "out", "png_dir": ""}),
    ],
)
def test_one_parser_for_every_device(url: str, scheme: str, target: str, options: dict[str, str]) -> None:
    parsed = registry.parse_url(url)
    assert (parsed.scheme, parsed.target, dict(parsed.options)) == (scheme, target, options)
    assert parsed.text == url


def test_each_device_knows_its_own_schemes() -> None:
    register_all()
    assert registry.schemes("printer") == ["file", "serial", "sim", "socket", "usb"]
    assert registry.schemes("camera") == ["camera", "file", "http", "https", "rtsp", "sim"]
    assert registry.schemes("sscard") == ["pcsc", "sim"]
    assert {"serial", "loop", "socket", "sim"} <= set(registry.schemes("idcard"))


def test_an_unknown_scheme_is_refused_with_the_devices_own_error() -> None:
    with pytest.raises(PrinterUrlError, match=r"camera://.*known: file://, serial://"):
        registry.open_device(DeviceKind.PRINTER, "camera://0", timeout=1.0)
    with pytest.raises(PrinterUrlError, match="unknown option"):
        registry.open_device(DeviceKind.PRINTER, "socket://127.0.0.1:9?paper=out", timeout=1.0)


def test_a_registered_opener_replaces_the_old_one_and_gets_the_parsed_url() -> None:
    seen: list[registry.DeviceUrl] = []

    def opener(url: registry.DeviceUrl, **options: object) -> str:
        seen.append(url)
        return f"opened {url.target} with {options}"

    registry.register("camera", ["test"], opener)
    assert registry.open_device("camera", "test://x?a=1", preview_width=5) == "opened x with {'preview_width': 5}"
    assert seen[0].options == {"a": "1"}


def _fresh_python(code: str, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k != registry.HANDLERS_ENV}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


PRODUCTION_IMPORTS = """
import json, sys
import devices.idcard.factory, devices.idcard.sam_poller, devices.printer.driver
import devices.camera.camera, devices.pcsc.sscard, kiosk.device_hub, provisioning.device_probe
from devices.errors import KioskError
from devices.idcard.factory import make_reader
refused = ""
try:
    make_reader("sim://idcard")
except KioskError as error:
    refused = f"{error.key} | {error.detail}"
from devices.printer.profile import profile_from_options
assert profile_from_options({"profile": "TM-T88V"}).dots == 512
sims = SIMS + ("escpos.capabilities",)  # its import calls logging.basicConfig()
print(json.dumps({"loaded": [m for m in sims if m in sys.modules], "refused": refused}))
""".replace("SIMS", repr(SIMULATOR_MODULES))


def test_production_modules_import_no_simulator_and_refuse_sim_urls_clearly() -> None:
    result = _fresh_python(PRODUCTION_IMPORTS)
    assert result["loaded"] == []
    assert str(result["refused"]).startswith("idcard.bad_url | ")
    assert "simulators, which are not loaded" in str(result["refused"])
    assert "KIOSK_DEVICE_HANDLERS=devices.simulators" in str(result["refused"])


def test_the_handler_variable_loads_the_simulators_on_first_use() -> None:
    code = """
import json, sys
from devices.idcard.factory import open_reader
reader = open_reader("sim://idcard?card=resident&seed=3")
record = reader.read_card()
reader.close()
print(json.dumps({"type": record.card_type.value, "sim": "devices.idcard.sam_simulator" in sys.modules}))
"""
    result = _fresh_python(code, KIOSK_DEVICE_HANDLERS="devices.simulators")
    assert result == {"type": "resident", "sim": True}
