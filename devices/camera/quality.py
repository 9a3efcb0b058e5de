"""Can this frame make a readable copy? Reasons a citizen can act on, measured at one fixed scale.

All measures are taken on the working image (``detect.WORK_WIDTH`` wide) so thresholds do not
depend on the camera's resolution (a plain variance of the Laplacian changes with scale, per
platform notes §6). Sharpness is the Laplacian energy over the gradient energy inside the page:
unlike the bare Laplacian variance it does not depend on how much print the page carries or on
its contrast, so one threshold fits a dense lease, a sparse ID copy and a dim page alike (a
blur of sigma s divides it by about s²). Thresholds were calibrated on the simulator's pages and
should be re-checked against the real camera at installation time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cv2
import numpy as np

from devices.camera.detect import Detection, WorkImage
from devices.camera.geometry import shrink


class QualityReason(enum.Enum):
    """Each value is the i18n key of what the screen says."""

    NO_DOCUMENT = "camera.quality.no_document"
    TOO_DARK = "camera.quality.too_dark"
    CUT_OFF = "camera.quality.cut_off"
    GLARE = "camera.quality.glare"
    BLURRED = "camera.quality.blurred"


@dataclass(frozen=True)
class QualityThresholds:
    min_sharpness: float = 0.05  # Laplacian energy / gradient energy inside the page
    min_gradient_energy: float = 150.0  # below this the page is blank and blur cannot be judged
    min_brightness: float = 90.0  # mean grey level of the page
    max_glare_fraction: float = 0.006  # share of page pixels that are blown out
    glare_level: int = 252
    edge_margin: float = 0.008  # corners closer than this (share of the frame side) are cut off


@dataclass(frozen=True)
class QualityReport:
    """``reasons`` are in the order a citizen should fix them; empty means good to capture."""

    reasons: tuple[QualityReason, ...]
    sharpness: float = 0.0
    brightness: float = 0.0
    glare_fraction: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(reason.value for reason in self.reasons)


def _cut_off(corners: np.ndarray, width: int, height: int, margin: float) -> bool:
    mx, my = margin * width, margin * height
    xs, ys = corners[:, 0], corners[:, 1]
    return bool((xs < mx).any() or (ys < my).any() or (xs > width - 1 - mx).any() or (ys > height - 1 - my).any())


def assess(work: WorkImage, detection: Detection | None, thresholds: QualityThresholds = QualityThresholds()) -> QualityReport:
    """Judge one frame; ``detection`` corners are in frame pixels as :func:`detect_in_work` gives."""
    gray = work.gray
    if detection is None:
        brightness = float(gray.mean())
        reasons = [QualityReason.NO_DOCUMENT]
        if brightness < thresholds.min_brightness / 2:
            reasons.insert(0, QualityReason.TOO_DARK)
        return QualityReport(tuple(reasons), brightness=brightness)
    corners = detection.corners / work.scale
    h, w = gray.shape
    mask = np.zeros_like(gray)
    cv2.fillConvexPoly(mask, np.round(shrink(corners, 0.04)).astype(np.int32), 255)
    pixels = gray[mask > 0]
    if pixels.size == 0:
        return QualityReport((QualityReason.NO_DOCUMENT,))
    brightness = float(pixels.mean())
    # Smoothed first, so that isolated noisy pixels do not count as glare; a glare spot does.
    smooth = cv2.blur(gray, (5, 5))
    glare_fraction = float(np.count_nonzero(smooth[mask > 0] >= thresholds.glare_level)) / pixels.size
    sharpness, gradient_energy = _sharpness(gray, mask)
    reasons: list[QualityReason] = []
    if brightness < thresholds.min_brightness:
        reasons.append(QualityReason.TOO_DARK)
    if _cut_off(corners, w, h, thresholds.edge_margin):
        reasons.append(QualityReason.CUT_OFF)
    if glare_fraction > thresholds.max_glare_fraction:
        reasons.append(QualityReason.GLARE)
    if gradient_energy >= thresholds.min_gradient_energy and sharpness < thresholds.min_sharpness:
        reasons.append(QualityReason.BLURRED)
    return QualityReport(tuple(reasons), sharpness, brightness, glare_fraction)


def _sharpness(gray: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    image = gray.astype(np.float32)
    laplacian = cv2.Laplacian(image, cv2.CV_32F, ksize=1)
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3)
    inside = mask > 0
    gradient_energy = float(np.mean(gx[inside] ** 2 + gy[inside] ** 2))
    laplacian_energy = float(np.mean(laplacian[inside] ** 2))
    return laplacian_energy / max(gradient_energy, 1e-6), gradient_energy
