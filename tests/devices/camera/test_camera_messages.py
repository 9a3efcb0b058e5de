"""Every key the camera can raise or report has a message in Chinese and in English."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from devices.camera import errors
from devices.camera.quality import QualityReason

ROOT = Path(__file__).resolve().parents[3] / "assets" / "i18n"
STATE_KEYS = ["camera.state.ok", "camera.state.closed", "camera.state.absent", "camera.state.disconnected",
              "camera.state.fault", "camera.state.low_resolution", "camera.quality.ok", "camera.unreadable_image"]
ERROR_KEYS = [cls.key for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.CameraError)]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_camera_key_has_a_message(lang: str) -> None:
    messages = yaml.safe_load((ROOT / lang / "camera.yaml").read_text(encoding="utf-8"))
    keys = [reason.value for reason in QualityReason] + STATE_KEYS + ERROR_KEYS
    missing = [key for key in keys if not messages.get(key)]
    assert not missing
    if lang == "zh_CN":
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in messages[key]) for key in keys)
