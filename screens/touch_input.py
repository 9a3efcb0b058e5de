"""The ``touch:`` config as Kivy ``[input]`` providers: the touchscreen read from the kernel
(``mtdev`` or ``hidinput``) with its rotation, inversion and calibration, instead of Kivy's
desktop defaults (the mouse provider, and probesysfs guessing at every multi-touch device).

Kivy's providers turn a reading their own way (``invert_x/invert_y``, then a ``rotation`` that
for 90 and 270 swaps the axes), and ``hidinput`` inverts y unless told otherwise; so the
orientation the config asks for (:func:`kiosk.touch.orient`) is translated into the one of
Kivy's settings that gives the same result, and both inversions are always spelled out.
Call :func:`apply` before the window opens (Kivy reads ``[input]`` when the app starts).
"""

from __future__ import annotations

import logging
import os

from kiosk.config import Touch
from kiosk.touch import orient

INPUT_KEY = "kiosk_touch"
_PROBES: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))


def _kivy_place(point: tuple[float, float], rotation: int, invert_x: bool, invert_y: bool) -> tuple[float, float]:
    """Where Kivy's mtdev/hidinput put a panel fraction (``assign_coord`` in their reading
    loops), as a fraction of the screen from the top left."""
    placed: dict[str, float] = {}

    def assign(value: float, invert: bool, own: str, other: str) -> None:
        value = 1.0 - value if invert else value
        if rotation == 0:
            placed[own] = value
        elif rotation == 90:
            placed[other] = value
        elif rotation == 180:
            placed[own] = 1.0 - value
        else:
            placed[other] = 1.0 - value

    assign(point[0], invert_x, "x", "y")
    assign(1.0 - point[1], invert_y, "y", "x")  # Kivy counts y from the bottom
    return placed["x"], 1.0 - placed["y"]


def kivy_orientation(touch: Touch) -> tuple[int, bool, bool]:
    """Kivy's (rotation, invert_x, invert_y) that place touches as the config says."""
    want = [orient(p, touch) for p in _PROBES]
    for rotation in (0, 90, 180, 270):
        for invert_x in (False, True):
            for invert_y in (False, True):
                if [_kivy_place(p, rotation, invert_x, invert_y) for p in _PROBES] == want:
                    return rotation, invert_x, invert_y
    raise AssertionError(f"no Kivy orientation for {touch}")  # the eight cover every case


def provider_options(touch: Touch) -> list[str]:
    """``key=value`` options for Kivy's provider."""
    rotation, invert_x, invert_y = kivy_orientation(touch)
    options = [f"rotation={rotation}", f"invert_x={int(invert_x)}", f"invert_y={int(invert_y)}"]
    c = touch.calibration
    axes = ("position",) if touch.provider == "mtdev" else ("position", "abs")  # hidinput: multi or single touch
    for axis in ("x", "y"):
        low, high = getattr(c, f"min_{axis}"), getattr(c, f"max_{axis}")
        if low is not None and high is not None:
            for kind in axes:
                options += [f"min_{kind}_{axis}={low}", f"max_{kind}_{axis}={high}"]
    return options


def provider_line(touch: Touch) -> str:
    """The ``[input]`` value: ``mtdev,/dev/input/event3,rotation=0,…``, or for ``auto`` the
    probesysfs line that hands the same options to every multi-touch panel it finds."""
    options = provider_options(touch)
    if touch.device == "auto":
        return ",".join([f"probesysfs,provider={touch.provider}"] + [f"param={o}" for o in options])
    return ",".join([touch.provider, touch.device, *options])


def apply(touch: Touch) -> str | None:
    """Put the configured touchscreen in Kivy's ``[input]``, in place of the desktop defaults.
    Nothing changes when no touch device is configured. Returns the line set."""
    if not touch.device:
        return None
    from kivy.config import Config

    for option in Config.options("input"):
        Config.remove_option("input", option)
    line = provider_line(touch)
    Config.set("input", INPUT_KEY, line)
    return line


def use_touchscreen(touch: Touch) -> None:
    """:func:`apply`, saying in the log what Kivy will read and whether the device is there."""
    line = apply(touch)
    if line is None:
        return
    log = logging.getLogger("screens.touch")
    log.info("touch input: %s", line)
    if touch.device != "auto" and not os.path.exists(touch.device):
        log.warning("the touchscreen %s is missing: the screen will not answer to touch until it is back and "
                    "the kiosk restarts (check its cable; kiosk-provision detect lists the panels)", touch.device)
