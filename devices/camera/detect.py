"""Finding the page outline in a frame, at one fixed working width whatever the frame size.

Main path (per platform notes §6): INTER_LINEAR downscale to ~800 px → grey → blur → Canny →
dilate → external contours → a convex 4-point ``approxPolyDP``. When clutter touching the page
edge merges with the outline, the fallback takes the largest bright region (paper is the
brightest large thing on the desk), fits a quad to its convex hull, and uses ``minAreaRect``
when no clean quad comes out.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from devices.camera.geometry import order_corners

WORK_WIDTH = 800
MIN_AREA_FRACTION = 0.08
PAPER_SOLIDITY = 0.85
PAPER_CONTRAST = 1.5


@dataclass(frozen=True)
class WorkImage:
    """A frame reduced to the working width, with the factor back to frame pixels."""

    gray: np.ndarray
    scale: float  # frame pixels per working pixel
    frame_size: tuple[int, int]  # (width, height) of the original frame


@dataclass(frozen=True)
class Detection:
    """Page corners (TL, TR, BR, BL) in the pixels of the frame given, and how they were found."""

    corners: np.ndarray
    method: str  # "contour", "bright_region" or "min_area_rect"

    def scaled(self, factor: float) -> Detection:
        return Detection(self.corners * factor, self.method)


def work_image(frame: np.ndarray, width: int = WORK_WIDTH) -> WorkImage:
    h, w = frame.shape[:2]
    scale = max(1.0, w / width)
    small = frame if scale == 1.0 else cv2.resize(frame, (round(w / scale), round(h / scale)), interpolation=cv2.INTER_LINEAR)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    return WorkImage(gray, w / gray.shape[1], (w, h))


def _quad_from_contour(contour: np.ndarray, min_area: float) -> np.ndarray | None:
    if cv2.contourArea(contour) < min_area:
        return None
    perimeter = cv2.arcLength(contour, True)
    for eps in (0.02, 0.03):
        approx = cv2.approxPolyDP(contour, eps * perimeter, True)
        if len(approx) == 4 and cv2.isContourConvex(approx) and cv2.contourArea(approx) >= min_area:
            return approx.reshape(4, 2).astype(np.float32)
    return None


def _contour_quad(gray: np.ndarray, min_area: float) -> np.ndarray | None:
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    edges = cv2.Canny(blurred, 75, 200)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        quad = _quad_from_contour(contour, min_area)
        if quad is not None:
            return quad
    return None


def _intersect(p1: np.ndarray, p2: np.ndarray, q1: np.ndarray, q2: np.ndarray) -> np.ndarray | None:
    d1, d2 = p2 - p1, q2 - q1
    denom = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(denom) < 1e-6:
        return None
    t = ((q1[0] - p1[0]) * d2[1] - (q1[1] - p1[1]) * d2[0]) / denom
    return p1 + t * d1


def _quad_from_long_edges(hull: np.ndarray, min_area: float) -> np.ndarray | None:
    """A page corner hidden under clutter shows as an extra short hull edge: keep the four
    longest edges and intersect neighbours, which puts the hidden corner back."""
    hull_area = cv2.contourArea(hull)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.015, 0.025):
        poly = cv2.approxPolyDP(hull, eps * perimeter, True).reshape(-1, 2).astype(np.float64)
        if len(poly) < 5 or len(poly) > 8:
            continue
        edges = [(poly[i], poly[(i + 1) % len(poly)]) for i in range(len(poly))]
        lengths = [float(np.linalg.norm(b - a)) for a, b in edges]
        keep = sorted(sorted(range(len(edges)), key=lambda i: -lengths[i])[:4])
        corners = [_intersect(*edges[keep[k]], *edges[keep[(k + 1) % 4]]) for k in range(4)]
        if any(c is None for c in corners):
            continue
        quad = np.array(corners, np.float32)
        area = cv2.contourArea(quad)
        if cv2.isContourConvex(quad) and area >= min_area and hull_area * 0.97 <= area <= hull_area * 1.35:
            return quad
    return None


def _looks_like_paper(gray: np.ndarray, region: np.ndarray) -> bool:
    """Otsu splits any image in two, even a bare desk: demand a compact region clearly
    brighter than what surrounds it."""
    hull_area = cv2.contourArea(cv2.convexHull(region))
    if cv2.contourArea(region) < PAPER_SOLIDITY * hull_area:
        return False
    mask = np.zeros_like(gray)
    cv2.drawContours(mask, [region], -1, 255, thickness=cv2.FILLED)
    inside = cv2.mean(gray, mask=mask)[0]
    outside = cv2.mean(gray, mask=cv2.bitwise_not(mask))[0]
    return inside >= PAPER_CONTRAST * max(outside, 1.0)


def _bright_region_quad(gray: np.ndarray, min_area: float) -> tuple[np.ndarray, str] | None:
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Close the page's own dark print, then open to cut thin bridges to bright clutter.
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(largest) < min_area or not _looks_like_paper(gray, largest):
        return None
    hull = cv2.convexHull(largest)
    quad = _quad_from_contour(hull, min_area)
    if quad is None:
        quad = _quad_from_long_edges(hull, min_area)
    if quad is not None:
        return quad, "bright_region"
    return cv2.boxPoints(cv2.minAreaRect(largest)).astype(np.float32), "min_area_rect"


def detect_in_work(work: WorkImage) -> Detection | None:
    """Detect on a prepared working image; corners come back in frame pixels."""
    gray = work.gray
    min_area = MIN_AREA_FRACTION * gray.shape[0] * gray.shape[1]
    quad = _contour_quad(gray, min_area)
    method = "contour"
    if quad is None:
        found = _bright_region_quad(gray, min_area)
        if found is None:
            return None
        quad, method = found
    return Detection(order_corners(quad) * work.scale, method)


def detect_document(frame: np.ndarray, width: int = WORK_WIDTH) -> Detection | None:
    """The page outline in ``frame`` (BGR or grey), or None when there is no page."""
    return detect_in_work(work_image(frame, width))
