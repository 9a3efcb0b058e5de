"""From a full-resolution frame and page corners to a clean, upright page image and its JPEG.

``text`` pages become black on white (background flattened, then an adaptive threshold);
``color`` pages (certificates, ID copies) keep their colour with a white balance taken from the
paper. A small residual skew (photocopy on the page, a corner found a little off) is removed
by a projection-profile search on a reduced copy.
"""

from __future__ import annotations

import cv2
import numpy as np

from devices.camera.geometry import page_size

MAX_PAGE_SIDE = 2480  # A4 at 300 dpi; more only makes bigger files
JPEG_QUALITY = 85
EDGE_TRIM = 0.005
_SKEW_WIDTH = 500
_SKEW_STEP = 0.25
_SKEW_RANGE = 3.0


def warp_page(frame: np.ndarray, corners: np.ndarray, max_side: int = MAX_PAGE_SIDE) -> np.ndarray:
    """The page flattened to a rectangle (corners TL, TR, BR, BL in frame pixels)."""
    width, height = page_size(corners, max_side)
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    matrix = cv2.getPerspectiveTransform(np.asarray(corners, np.float32), target)
    page = cv2.warpPerspective(frame, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # A corner a pixel off leaves a sliver of desk along the edge; trim it.
    m = max(1, round(EDGE_TRIM * min(width, height)))
    return page[m:-m, m:-m]


def estimate_skew(page: np.ndarray) -> float:
    """Degrees to rotate the page by (counter-clockwise positive) so its text lines are level."""
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    scale = _SKEW_WIDTH / gray.shape[1]
    small = cv2.resize(gray, (_SKEW_WIDTH, max(1, round(gray.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15).astype(np.float32)
    centre = (small.shape[1] / 2, small.shape[0] / 2)
    best_angle, best_score = 0.0, -1.0
    for angle in np.arange(-_SKEW_RANGE, _SKEW_RANGE + 1e-9, _SKEW_STEP):
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        rotated = cv2.warpAffine(ink, matrix, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        score = float(np.var(rotated.sum(axis=1)))  # level text lines give the spikiest row profile
        if score > best_score:
            best_angle, best_score = float(angle), score
    return best_angle


def deskew(page: np.ndarray, min_angle: float = 0.3) -> tuple[np.ndarray, float]:
    angle = estimate_skew(page)
    if abs(angle) < min_angle:
        return page, 0.0
    h, w = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(page, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), angle


def _background(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness without the print: a dilation (removes dark strokes) then a blur,
    done at a quarter size because lighting changes slowly."""
    small = cv2.resize(gray, (max(1, gray.shape[1] // 4), max(1, gray.shape[0] // 4)), interpolation=cv2.INTER_LINEAR)
    small = cv2.dilate(small, np.ones((7, 7), np.uint8))
    small = cv2.blur(small, (15, 15))
    return cv2.resize(small, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)


def enhance_text(page: np.ndarray) -> np.ndarray:
    """Clean black print on white paper (one channel)."""
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    flat = cv2.divide(gray, _background(gray), scale=255)
    block = max(15, (gray.shape[1] // 50) | 1)
    return cv2.adaptiveThreshold(flat, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 18)


def enhance_color(page: np.ndarray) -> np.ndarray:
    """Colour kept: per channel, the paper is mapped to neutral white and the darkest print to
    near black. No background division here, since large dark areas (a photo on an ID copy)
    would glow."""
    sample = page.reshape(-1, 3)[:: max(1, page.size // 3 // 40000)]
    paper = np.percentile(sample, 92, axis=0)
    ink = np.percentile(sample, 1, axis=0)
    levels = np.arange(256, dtype=np.float32)
    channels = []
    for c in range(3):
        span = max(float(paper[c] - ink[c]), 1.0)
        lut = np.clip((levels - ink[c]) * (240.0 / span) + 8.0, 0, 255).astype(np.uint8)
        channels.append(cv2.LUT(page[:, :, c], lut))
    return cv2.merge(channels)


def encode_jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()
