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
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", tempfile.gettempdir())
# sim:// device URLs open the simulators (devices.registry loads this module on first use).
os.environ.setdefault("KIOSK_DEVICE_HANDLERS", "devices.simulators")

