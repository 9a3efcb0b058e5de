"""The pluggable WLT photo decoder: none installed means no photo; a plugged one is used and checked.

No WLT decoder can run here (they are licensed vendor binaries), so a stand-in module plays
the vendor library; it only exercises the plug-in seam, it does not pretend to decode.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.idcard.errors import PhotoDecodeError
from devices.idcard.photo import BMP_LEN, ENV_VAR, WLT_LEN, decode_photo, find_decoder

VENDOR_MODULE = """
class Decoder:
    name = "stand-in vendor library"

    def decode(self, wlt):
        if wlt == bytes(1024):
            raise RuntimeError("licence check failed")
        return b"BM" + bytes(38860)

decoder = Decoder()
not_a_decoder = object()
"""


@pytest.fixture
def vendor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "wlt_vendor_standin.py").write_text(VENDOR_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "wlt_vendor_standin"


def test_no_decoder_installed_means_no_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    decoder = find_decoder()
    assert decoder is None
    assert decode_photo(b"\x01" * WLT_LEN, decoder) is None


def test_decoder_named_in_the_environment(vendor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, f"{vendor}:decoder")
    decoder = find_decoder()
    assert decoder is not None and decoder.name == "stand-in vendor library"
    image = decode_photo(b"\x01" * WLT_LEN, decoder)
    assert image is not None and len(image) == BMP_LEN == 38862


def test_decoder_failures_become_photo_errors(vendor: str) -> None:
    decoder = find_decoder(f"{vendor}:decoder")
    with pytest.raises(PhotoDecodeError, match="licence"):
        decode_photo(bytes(WLT_LEN), decoder)
    with pytest.raises(PhotoDecodeError, match="expected 1024"):
        decode_photo(b"\x01" * 10, decoder)
    with pytest.raises(PhotoDecodeError, match="not a WLT decoder"):
        find_decoder(f"{vendor}:not_a_decoder")
    with pytest.raises(PhotoDecodeError, match="cannot load"):
        find_decoder("no_such_vendor_module:decoder")
