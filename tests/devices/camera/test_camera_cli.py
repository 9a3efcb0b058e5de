"""``kiosk-provision camera test`` end to end on the simulator and on still images."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from provisioning.cli import main


def test_camera_test_writes_a_page_and_reports_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["camera", "test", "--url", "sim://camera?doc=id_copy&rotate=-8&capture=2048x1536",
               "--out", str(tmp_path), "--kind", "id_copy"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "resolution: 2048x1536" in out and "quality: ok" in out
    (written,) = tmp_path.glob("*.jpg")
    image = cv2.imdecode(np.frombuffer(written.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape[0] > image.shape[1]


@pytest.mark.parametrize(("scene", "word"), [("glare=0.5", "glare"), ("doc=none", "no_document"), ("blur=2", "blurred")])
def test_camera_test_reports_what_is_wrong(scene: str, word: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["camera", "test", "--url", f"sim://camera?{scene}&capture=2048x1536"])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"quality: {word}" in out


def test_camera_test_on_a_missing_camera_fails_in_plain_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["camera", "test", "--url", (tmp_path / "nothing.jpg").as_uri()])
    err = capsys.readouterr().err
    assert rc == 10
    assert "not connected" in err
    assert main(["camera", "test", "--url", "gopher://x"]) == 2
