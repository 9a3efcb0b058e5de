"""Quadrilateral helpers: corner order, page size from a perspective quad, scaling."""

from __future__ import annotations

import numpy as np

A4_ASPECT = 297 / 210
_SNAP_TOLERANCE = 0.07


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (image orientation)."""
    pts = np.asarray(points, np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates, starting near the left
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def diagonal(corners: np.ndarray) -> float:
    c = np.asarray(corners, np.float32)
    return float(max(np.linalg.norm(c[0] - c[2]), np.linalg.norm(c[1] - c[3])))


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    """Largest distance between matching corners, both put in the same order first."""
    return float(np.max(np.linalg.norm(order_corners(found) - order_corners(truth), axis=1)))


def page_size(corners: np.ndarray, max_side: int) -> tuple[int, int]:
    """Width and height of the flattened page; snapped to A4 when the quad is close to it."""
    tl, tr, br, bl = np.asarray(corners, np.float32)
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    long_side, short_side = max(width, height), max(min(width, height), 1.0)
    if abs(long_side / short_side - A4_ASPECT) / A4_ASPECT < _SNAP_TOLERANCE:
        short_side = long_side / A4_ASPECT
    scale = min(1.0, max_side / long_side)
    long_px, short_px = round(long_side * scale), round(short_side * scale)
    return (long_px, short_px) if width >= height else (short_px, long_px)


def shrink(corners: np.ndarray, fraction: float) -> np.ndarray:
    """The quad pulled towards its centre by ``fraction`` (to sample the page, not its edge)."""
    c = np.asarray(corners, np.float32)
    centre = c.mean(axis=0)
    return centre + (c - centre) * (1 - fraction)
