"""The simulator itself: deterministic, resolutions, runtime control, unplugging."""

from __future__ import annotations

import numpy as np
import pytest

from devices.camera.detect import detect_document
from devices.camera.errors import CameraAbsent
from devices.camera.simulator import SimCamera, SimScene


def test_same_url_same_frames_and_other_seed_other_frames() -> None:
    url = "sim://camera?doc=lease&seed=4&rotate=9&noise=5"
    a, b = SimCamera.from_url(url), SimCamera.from_url(url)
    assert np.array_equal(a.preview_frame(), b.preview_frame())
    assert np.array_equal(a.corners(), b.corners())
    other = SimCamera.from_url("sim://camera?doc=lease&seed=5&rotate=9&noise=5")
    assert not np.array_equal(a.preview_frame(), other.preview_frame())


def test_preview_frames_vary_by_noise_only() -> None:
    sim = SimCamera(SimScene(noise=4))
    first, second = sim.preview_frame(), sim.preview_frame()
    assert not np.array_equal(first, second)
    assert np.abs(first.astype(int) - second.astype(int)).mean() < 8


@pytest.mark.parametrize(("name", "size"), [("8mp", (3264, 2448)), ("13mp", (4208, 3120))])
def test_capture_resolutions(name: str, size: tuple[int, int]) -> None:
    sim = SimCamera.from_url(f"sim://camera?capture={name}&preview=1280x720")
    assert sim.preview_frame().shape == (720, 1280, 3)
    assert sim.capture_frame().shape == (size[1], size[0], 3)
    preview, full = sim.corners(), sim.corners(size)
    assert preview is not None and full is not None
    assert np.linalg.norm(full[2] - full[0]) > 2 * np.linalg.norm(preview[2] - preview[0])


def test_place_remove_move_and_unplug() -> None:
    sim = SimCamera(SimScene(doc=None))
    assert detect_document(sim.preview_frame()) is None
    sim.place_document("certificate", scale=0.45)
    before = detect_document(sim.preview_frame())
    assert before is not None
    sim.move(dx=0.05, rotate=5)
    after = detect_document(sim.preview_frame())
    assert after is not None and after.corners[:, 0].mean() > before.corners[:, 0].mean() + 50
    sim.remove_document()
    assert sim.corners() is None
    sim.unplug()
    with pytest.raises(CameraAbsent):
        sim.preview_frame()
    sim.plug()
    assert sim.preview_frame().shape == (1080, 1920, 3)
