"""Reads a QR code in a camera frame (OpenCV's detector), e.g. a receipt held under the camera.

Returns the decoded text; what it means (a tracking URL with a reference) is the caller's business.
A frame is tried as it is and, failing that, at twice the size when it is a small preview frame
(a receipt's QR modules are then only two or three pixels wide, too few for the detector).
"""

from __future__ import annotations

import cv2
import numpy as np

SMALL_WIDTH = 1280  # frames narrower than this are also tried at twice the size
_detector = cv2.QRCodeDetector()


def decode_qr(frame: np.ndarray) -> str | None:
    """The text of the first readable QR code in ``frame`` (BGR or grey), or None."""
    if frame is None or frame.size == 0:
        return None
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    tries = [grey]
    if grey.shape[1] < SMALL_WIDTH:
        tries.append(cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    for image in tries:
        try:
            text, points, _ = _detector.detectAndDecode(image)
        except cv2.error:
            continue
        if text and points is not None:
            return text
    return None
