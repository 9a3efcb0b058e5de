"""Is the page holding still? Corner movement across recent preview frames, for auto-capture."""

from __future__ import annotations

from collections import deque

import numpy as np

from devices.camera.geometry import diagonal, order_corners


class SteadinessTracker:
    """Feed each frame's corners (None when no page); ``steadiness`` is 1.0 for a page that has
    not moved over the window and falls to 0.0 as the largest corner movement reaches
    ``moving`` (a share of the page diagonal)."""

    def __init__(self, window: int = 6, steady: float = 0.004, moving: float = 0.03) -> None:
        self._corners: deque[np.ndarray] = deque(maxlen=window)
        self._steady = steady
        self._moving = moving
        self.steadiness = 0.0

    def update(self, corners: np.ndarray | None) -> float:
        if corners is None:
            self._corners.clear()
            self.steadiness = 0.0
            return 0.0
        self._corners.append(order_corners(corners))
        if len(self._corners) < 2:
            self.steadiness = 0.0
            return 0.0
        stack = np.stack(self._corners)
        movement = float(np.max(np.linalg.norm(stack - stack[-1], axis=2))) / max(diagonal(stack[-1]), 1.0)
        self.steadiness = float(np.clip(1.0 - (movement - self._steady) / (self._moving - self._steady), 0.0, 1.0))
        if len(self._corners) < (self._corners.maxlen or 0):
            self.steadiness = min(self.steadiness, 0.99)
        return self.steadiness

    @property
    def steady(self) -> bool:
        return self.steadiness >= 1.0

    def reset(self) -> None:
        self._corners.clear()
        self.steadiness = 0.0
