"""Errors of the document camera; each key has a message in ``assets/i18n/*/camera.yaml``."""

from __future__ import annotations

from devices.errors import DeviceAbsent, DeviceError


class CameraError(DeviceError):
    """Something went wrong with the document camera."""

    key = "camera.error"


class CameraUrlError(CameraError):
    """The camera URL names no source we know how to open."""

    key = "camera.bad_url"
    exit_code = 2


class CameraAbsent(DeviceAbsent, CameraError):
    """The camera cannot be opened or stopped delivering frames (unplugged)."""

    key = "camera.absent"


class CameraFault(CameraError):
    """The camera is there but its frames are unusable (unreadable image, empty frames)."""

    key = "camera.fault"


class NoDocumentError(CameraError):
    """A capture was asked for but no page could be found in the frame."""

    key = "camera.quality.no_document"


class MaterialFull(CameraError):
    """A material already has as many pages as it may hold."""

    key = "camera.material.full"


class BadPageKind(CameraError):
    """The page kind is not one the enhancer knows."""

    key = "camera.kind.invalid"
    exit_code = 2
