"""Opening sources by URL: still images, folders, the simulator, missing devices, bad URLs."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from devices.camera import CameraAbsent, CameraFault, CameraUrlError, DocumentCamera
from devices.camera.simulator import SimCamera, SimScene
from devices.status import DeviceState


def _write_page(path: Path, **scene: object) -> None:
    frame = SimCamera(SimScene(**scene), capture=(2048, 1536)).capture_frame()  # type: ignore[arg-type]
    assert cv2.imwrite(str(path), frame)


def test_a_still_image_file_is_captured(tmp_path: Path) -> None:
    _write_page(tmp_path / "page.jpg", doc="lease", rotate=4)
    camera = DocumentCamera((tmp_path / "page.jpg").as_uri())
    assert camera.open().state is DeviceState.DEGRADED  # 3 MP is below what small print needs
    assert camera.status.reason == "camera.state.low_resolution"
    assert camera.resolution() == (2048, 1536)
    preview = camera.preview_once()
    assert preview.detection is not None and preview.frame.shape[1] == 1920
    assert camera.capture_page().quality.ok


def test_a_folder_gives_one_image_per_capture(tmp_path: Path) -> None:
    _write_page(tmp_path / "1.jpg", doc="lease", seed=1)
    _write_page(tmp_path / "2.jpg", doc="id_copy", seed=2)
    (tmp_path / "notes.txt").write_text("not an image")
    camera = DocumentCamera(tmp_path.as_uri())
    camera.open()
    first, second = camera.capture_page(), camera.capture_page("id_copy")
    assert first.jpeg != second.jpeg
    assert first.height > first.width and second.kind.value == "id_copy"


def test_missing_file_and_missing_device_are_absent(tmp_path: Path) -> None:
    for url in ((tmp_path / "none.jpg").as_uri(), "camera://37", "camera:///dev/video37"):
        camera = DocumentCamera(url)
        with pytest.raises(CameraAbsent) as info:
            camera.open()
        assert info.value.key == "camera.absent"
        assert camera.status.state is DeviceState.ABSENT


def test_an_unreadable_image_is_a_fault(tmp_path: Path) -> None:
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    camera = DocumentCamera((tmp_path / "broken.jpg").as_uri())
    with pytest.raises(CameraFault) as info:
        camera.open()
    assert info.value.key == "camera.unreadable_image"
    assert camera.status.state is DeviceState.FAULT


@pytest.mark.parametrize(
    "url",
    ["ftp://host/x", "camera://front", "camera://", "sim://printer", "sim://camera?doc=poster",
     "sim://camera?rotate=lots", "sim://camera?capture=99x99999", "file://"],
)
def test_bad_urls_are_refused_with_a_key(url: str) -> None:
    with pytest.raises(CameraUrlError) as info:
        DocumentCamera(url)
    assert info.value.key == "camera.bad_url"
