"""Errors of the SAM ID-card reader, each with a stable key translated in ``assets/i18n/*/idcard.yaml``.

Tree (all under :class:`devices.errors.DeviceError`)::

    ReaderAbsent(DeviceAbsent)        idcard.absent            port missing, reader unplugged
    ReaderTimeout(DeviceTimeout)      idcard.timeout           no (complete) answer in time
    ReaderUrlError(DeviceError)       idcard.bad_url           a reader URL we cannot use
    FrameError(ProtocolError)         idcard.frame.*           bytes that break the framing
        FrameChecksumError                idcard.frame.checksum
        FrameTruncated                    idcard.frame.truncated   part of a frame, then silence
        FrameTooLong                      idcard.frame.oversized   length field beyond any real frame
        FrameMalformed                    idcard.frame.malformed   length or content not as specified
    CardDataError(ProtocolError)      idcard.card_data         a text block we cannot parse
    SamStatusError(DeviceError)       idcard.sw3.XX            the reader answered SW3 = XX
        NoCard                            80
        CardSelectFailed                  81
        CardReadFailed                    41 (card moved during the read; worth retrying)
        CardAuthFailed                    31 32 33 47
        CardUnsupported                   40
        SamRejectedRequest(ProtocolError) 10 11 21 23 (the reader rejected OUR frame)
        SamFault                          24 60 66 (the SAM itself is broken or unauthorised)
    PhotoDecodeError(DeviceError)     idcard.photo.decode_failed

SAM status errors carry the code in ``sw3`` (and in ``params['code']`` for messages); their
key is per code (``idcard.sw3.41``), so a technician sees exactly what the reader said.
"""

from __future__ import annotations

from devices.errors import DeviceAbsent, DeviceError, DeviceTimeout, ProtocolError


class ReaderAbsent(DeviceAbsent):
    key = "idcard.absent"


class ReaderTimeout(DeviceTimeout):
    key = "idcard.timeout"


class ReaderUrlError(DeviceError):
    key = "idcard.bad_url"


class FrameError(ProtocolError):
    key = "idcard.frame.malformed"


class FrameChecksumError(FrameError):
    key = "idcard.frame.checksum"


class FrameTruncated(FrameError):
    key = "idcard.frame.truncated"


class FrameTooLong(FrameError):
    key = "idcard.frame.oversized"


class FrameMalformed(FrameError):
    key = "idcard.frame.malformed"


class CardDataError(ProtocolError):
    key = "idcard.card_data"


class PhotoDecodeError(DeviceError):
    key = "idcard.photo.decode_failed"


class SamStatusError(DeviceError):
    """The reader answered with a status other than the one the command expects."""

    key = "idcard.sw3.unknown"

    def __init__(
        self, detail: str = "", *, sw3: int, sw1: int = 0, sw2: int = 0, key: str | None = None
    ) -> None:
        super().__init__(detail, key=key, code=f"{sw3:02X}", sw1=f"{sw1:02X}", sw2=f"{sw2:02X}")
        self.sw3 = sw3
        self.sw1 = sw1
        self.sw2 = sw2


class NoCard(SamStatusError):
    pass


class CardSelectFailed(SamStatusError):
    pass


class CardReadFailed(SamStatusError):
    pass


class CardAuthFailed(SamStatusError):
    pass


class CardUnsupported(SamStatusError):
    pass


class SamRejectedRequest(SamStatusError, ProtocolError):
    pass


class SamFault(SamStatusError):
    pass
