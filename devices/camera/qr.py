"""Reads a QR code in a camera frame (OpenCV's detector), e.g. a receipt held under the camera.

Returns the decoded text; what it means (a tracking URL with a reference) is the caller's business.
A frame is tried as it is and, failing that, as grey with its contrast stretched, which is what
thermal-paper receipts under a document camera's light need.
"""

from __future__ import annotations

import cv2
import numpy as np

_detector = cv2.QRCodeDetector()


def decode_qr(frame: np.ndarray) -> str | None:
    """The text of the first readable QR code in ``frame`` (BGR or grey), or None."""
    if frame is None or frame.size == 0:
        return None
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    for image in (grey, cv2.normalize(grey, None, 0, 255, cv2.NORM_MINMAX)):
        try:
            text, points, _ = _detector.detectAndDecode(image)
        except cv2.error:
            continue
        if text and points is not None:
            return text
    return None
