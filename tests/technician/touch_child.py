"""A kiosk window whose touchscreens are FIFOs: run by ``test_touch_input.py`` in its own process
(Kivy reads ``[input]`` once per process), it puts each panel's ``touch:`` config into Kivy's
``[input]`` through :mod:`screens.touch_input`, runs a real Kivy app with the real ``hidinput``
provider reading ``input_event`` structs from the FIFOs, and prints the touches that reached the
window as JSON.

The kernel here has no uinput, so nothing can create a real event device: only the evdev
ioctls (the panel's name, capability bits and axis ranges, which a FIFO cannot answer) are
answered from the panel's description. Every event the provider reads is a real
``struct input_event`` through the FIFO.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import sys
import threading
from typing import Any

EV_SYN, EV_KEY, EV_ABS = 0x00, 0x01, 0x03
SYN_REPORT, SYN_MT_REPORT = 0, 2
ABS_X, ABS_Y, ABS_MT_POSITION_X, ABS_MT_POSITION_Y, ABS_MT_TRACKING_ID = 0x00, 0x01, 0x35, 0x36, 0x39
BTN_TOUCH = 0x14A
EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux: timeval, type, code, value


def event(kind: int, code: int, value: int) -> bytes:
    return EVENT.pack(0, 0, kind, code, value)


def tap(x: int, y: int, number: int, multitouch: bool) -> bytes:
    """One touch down and up at raw (x, y), as a panel reports it."""
    if multitouch:
        return b"".join([event(EV_ABS, ABS_MT_TRACKING_ID, number), event(EV_ABS, ABS_MT_POSITION_X, x),
                         event(EV_ABS, ABS_MT_POSITION_Y, y), event(EV_SYN, SYN_MT_REPORT, 0),
                         event(EV_SYN, SYN_REPORT, 0), event(EV_SYN, SYN_REPORT, 0)])  # no contact: up
    return b"".join([event(EV_ABS, ABS_X, x), event(EV_ABS, ABS_Y, y), event(EV_KEY, BTN_TOUCH, 1),
                     event(EV_SYN, SYN_REPORT, 0), event(EV_KEY, BTN_TOUCH, 0), event(EV_SYN, SYN_REPORT, 0)])


class EvdevIoctls:
    """Answers the evdev ioctls hidinput asks (EVIOCGNAME, EVIOCGBIT, EVIOCGABS) for the FIFOs
    standing in for panels; anything else goes to the real ``fcntl``."""

    def __init__(self, panels: dict[str, dict[str, Any]]) -> None:
        self.panels = panels

    def __getattr__(self, name: str) -> Any:
        return getattr(fcntl, name)

    def ioctl(self, fd: Any, request: int, arg: Any = 0, *rest: Any) -> Any:
        panel = self.panels.get(getattr(fd, "name", None))
        if panel is None or (request >> 8) & 0xFF != ord("E"):
            return fcntl.ioctl(fd, request, arg, *rest)
        number, size = request & 0xFF, (request >> 16) & 0x3FFF
        axes = {ABS_MT_POSITION_X: "x", ABS_MT_POSITION_Y: "y", ABS_MT_TRACKING_ID: None} if panel["multitouch"] \
            else {ABS_X: "x", ABS_Y: "y"}
        if number == 0x06:  # EVIOCGNAME
            return panel["name"].encode().ljust(size, b"\0")[:size]
        if number == 0x20:  # EVIOCGBIT(0): event types
            return struct.pack("Q", 1 << EV_SYN | 1 << EV_KEY | 1 << EV_ABS)
        if number == 0x20 + EV_ABS:
            return struct.pack("Q", sum(1 << code for code in axes))
        if 0x40 <= number < 0x80:  # EVIOCGABS(code)
            axis = axes.get(number - 0x40)
            low, high = panel["range"][axis] if axis else (0, 65535)
            return struct.pack("6i", 0, low, high, 0, 0, 0)
        raise OSError(25, "not an evdev request the stand-in knows")


def main() -> int:
    spec = json.loads(sys.argv[1])
    from screens.boot import prepare_window

    prepare_window(tuple(spec["size"]))

    import kivy.input.providers.hidinput as hidinput
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.config import Config
    from kivy.uix.widget import Widget

    from kiosk.config import Touch, TouchCalibration
    from screens import touch_input

    hidinput.fcntl = EvdevIoctls({p["fifo"]: p for p in spec["panels"]})
    lines = {}
    for n, panel in enumerate(spec["panels"]):
        settings = dict(panel["touch"], calibration=TouchCalibration(**panel["touch"].get("calibration", {})))
        touch = Touch(device=panel["fifo"], **{k: v for k, v in settings.items() if k != "device"})
        if n == 0:
            touch_input.apply(touch)  # as `kiosk run` does; the others beside it under their own keys
            lines[touch_input.INPUT_KEY] = panel["name"]
        else:
            Config.set("input", panel["name"], touch_input.provider_line(touch))
    input_section = dict(Config.items("input"))
    expected = sum(len(p["taps"]) for p in spec["panels"])
    seen: list[dict[str, Any]] = []

    class Recorder(Widget):
        def on_touch_down(self, touch: Any) -> bool:
            seen.append({"panel": lines.get(touch.device, touch.device), "x": touch.x, "y": touch.y,
                         "kind": type(touch).__name__})
            if len(seen) >= expected:
                Clock.schedule_once(lambda _dt: App.get_running_app().stop(), 0.2)
            return True

    class TouchApp(App):
        def build(self) -> Widget:
            Clock.schedule_once(lambda _dt: self.stop(), spec.get("timeout", 20))
            return Recorder()

    def feed() -> None:
        for panel in spec["panels"]:  # opening a FIFO waits for the provider to open its end
            with open(panel["fifo"], "wb") as fifo:
                for number, (x, y) in enumerate(panel["taps"], start=1):
                    fifo.write(tap(x, y, number, panel["multitouch"]))

    threading.Thread(target=feed, daemon=True).start()
    app = TouchApp()
    app.run()
    from kivy.core.window import Window

    print(json.dumps({"input": input_section, "touches": seen, "window": list(Window.size)}))
    sys.stdout.flush()
    os._exit(0)  # the providers' reading threads block on their FIFOs


if __name__ == "__main__":
    sys.exit(main())
