"""Scenes for the document-camera tests, all from the simulator (no real camera needed)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

# In pytest's "prepend" mode tests/ goes on sys.path and tests/devices/ would shadow the real
# ``devices`` package as a namespace package; the project root first makes the real one win.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from devices.camera.simulator import SimCamera, SimScene

# Small capture size keeps full-resolution tests quick; 8 MP is used where the size matters.
FAST_CAPTURE = (2048, 1536)


def _varied_scenes(count: int, seed: int = 11) -> list[SimScene]:
    """Pages with varied kind, rotation, keystone, size, position and noise, kept fully in view
    of the 1080p preview (a cut-off page is a different test)."""
    rng = random.Random(seed)
    scenes: list[SimScene] = []
    while len(scenes) < count:
        doc = rng.choice(["lease", "certificate", "id_copy"])
        scene = SimScene(doc=doc, seed=len(scenes), rotate=rng.uniform(-25, 25), tilt=rng.uniform(0, 0.3),
                         scale=rng.uniform(0.4, 0.62) * (0.75 if doc == "certificate" else 1.0),
                         x=rng.uniform(0.4, 0.6), y=rng.uniform(0.45, 0.55), noise=rng.uniform(1, 7))
        corners = SimCamera(scene).corners()
        assert corners is not None
        if corners.min() > 20 and (corners[:, 0].max() < 1900) and corners[:, 1].max() < 1060:
            scenes.append(scene)
    return scenes


@pytest.fixture
def sim_frame() -> Callable[..., tuple[np.ndarray, np.ndarray | None]]:
    """A preview frame and its true corners for a scene given as keyword arguments."""

    def make(**scene: object) -> tuple[np.ndarray, np.ndarray | None]:
        sim = SimCamera(SimScene(**scene))  # type: ignore[arg-type]
        return sim.preview_frame(), sim.corners()

    return make


@pytest.fixture
def varied_scenes() -> Callable[..., list[SimScene]]:
    return _varied_scenes
