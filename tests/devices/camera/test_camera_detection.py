"""Page outline detection against the simulator's ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from devices.camera.detect import detect_document
from devices.camera.geometry import corner_error, diagonal, order_corners
from devices.camera.simulator import SimCamera, SimScene


def test_corners_within_one_percent_of_the_diagonal_over_twenty_varied_frames(varied_scenes) -> None:  # type: ignore[no-untyped-def]
    errors = []
    for scene in varied_scenes(20):
        sim = SimCamera(scene)
        detection = detect_document(sim.preview_frame())
        truth = sim.corners()
        assert detection is not None, scene
        errors.append(corner_error(detection.corners, truth) / diagonal(truth))
    assert max(errors) < 0.01, [round(e * 100, 2) for e in errors]


@pytest.mark.parametrize(("doc", "rotate", "seed"), [("lease", 8, 1), ("id_copy", -12, 2), ("lease", -4, 3), ("certificate", 10, 4)])
def test_clutter_over_the_page_edge_falls_back_and_still_finds_the_page(doc: str, rotate: float, seed: int) -> None:
    scale = 0.45 if doc == "certificate" else 0.6
    sim = SimCamera(SimScene(doc=doc, rotate=rotate, seed=seed, clutter=True, scale=scale))
    detection = detect_document(sim.preview_frame())
    assert detection is not None
    assert detection.method in ("bright_region", "min_area_rect")
    truth = sim.corners()
    assert corner_error(detection.corners, truth) / diagonal(truth) < 0.03


def test_a_bare_desk_has_no_page(sim_frame) -> None:  # type: ignore[no-untyped-def]
    frame, truth = sim_frame(doc=None)
    assert truth is None
    assert detect_document(frame) is None


def test_detection_works_at_capture_resolution_too() -> None:
    sim = SimCamera(SimScene(doc="lease", rotate=6, tilt=0.1), capture=(3264, 2448))
    frame = sim.capture_frame()
    detection = detect_document(frame)
    assert detection is not None
    truth = sim.corners(sim.capture_size)
    assert corner_error(detection.corners, truth) / diagonal(truth) < 0.01


def test_order_corners_is_independent_of_input_order() -> None:
    quad = np.float32([[10, 12], [200, 5], [210, 300], [5, 290]])
    for shift in range(4):
        np.testing.assert_array_equal(order_corners(np.roll(quad, shift, axis=0)), quad)
