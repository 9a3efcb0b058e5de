"""Settings every test needs before any library is imported."""

import os
import tempfile

# Kivy reads these at import time; tests that open a window do so offscreen, with no X server.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
# Frames follow one another without the 60 fps sleep (Kivy reads this when kivy.config is first
# imported, before any test could call screens.boot.prepare_window).
os.environ.setdefault("KCFG_GRAPHICS_MAXFPS", "0")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
# Per process, not inherited from pytest-xdist's controller: Kivy writes its config.ini and
# python-escpos its capabilities pickle on first import, and two workers doing that in one folder
# at once read half-written files (a fresh CI machine failed with "EOFError: Ran out of input").
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")
os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = tempfile.mkdtemp(prefix="escpos-caps-")
# sim:// device URLs open the simulators (devices.registry loads this module on first use).
os.environ.setdefault("KIOSK_DEVICE_HANDLERS", "devices.simulators")

