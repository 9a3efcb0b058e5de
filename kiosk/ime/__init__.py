"""Chinese pinyin input for the touchscreen: librime through ctypes, with the district's own words.

No Kivy here; the on-screen keyboard in ``screens/widgets`` drives a :class:`PinyinEngine`.
"""

from kiosk.ime.deploy import RimeData, ensure_built
from kiosk.ime.engine import KeyOutcome, PinyinEngine
from kiosk.ime.errors import ImeBuildError, ImeError, ImeUnavailable

__all__ = [
    "ImeBuildError",
    "ImeError",
    "ImeUnavailable",
    "KeyOutcome",
    "PinyinEngine",
    "RimeData",
    "ensure_built",
]
