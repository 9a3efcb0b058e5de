"""The document camera (高拍仪): capture, live preview with page detection, quality checks.

Open one with :class:`DocumentCamera` from a URL (``camera://0``, ``camera:///dev/video0``,
``file:///scans/``, ``sim://camera?doc=lease``); pages come back as in-memory JPEG bytes
gathered per material in a :class:`MaterialCapture`.
"""

from devices.camera.camera import DocumentCamera
from devices.camera.capture import CapturedPage, MaterialCapture, PageKind
from devices.camera.errors import CameraAbsent, CameraError, CameraFault, CameraUrlError
from devices.camera.quality import QualityReason, QualityReport

__all__ = [
    "CameraAbsent",
    "CameraError",
    "CameraFault",
    "CameraUrlError",
    "CapturedPage",
    "DocumentCamera",
    "MaterialCapture",
    "PageKind",
    "QualityReason",
    "QualityReport",
]
