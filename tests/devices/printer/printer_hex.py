"""Commented hex for golden ESC/POS bytes."""


def hexbytes(text: str) -> bytes:
    """Bytes from commented hex: ``1b 40  # ESC @`` per line."""
    return bytes.fromhex(" ".join(line.split("#", 1)[0] for line in text.splitlines()))
