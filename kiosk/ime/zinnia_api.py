"""A thin ctypes binding of libzinnia's C API (``zinnia.h``), the online handwriting recogniser.

Only the calls handwriting input needs: open a model, build a character from strokes, classify
it, read the results. Pointers are opaque (``c_void_p``); every ``*_new`` has its ``*_destroy``.
Debian: ``libzinnia0`` for the library, ``tegaki-zinnia-simplified-chinese`` for the model.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from ctypes import c_char_p, c_float, c_int, c_size_t, c_void_p
from functools import cache

from kiosk.ime.errors import HandwritingUnavailable

LIBRARY_NAMES = ("libzinnia.so.0", "zinnia")

_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "zinnia_recognizer_new": (c_void_p, []),
    "zinnia_recognizer_destroy": (None, [c_void_p]),
    "zinnia_recognizer_open": (c_int, [c_void_p, c_char_p]),
    "zinnia_recognizer_strerror": (c_char_p, [c_void_p]),
    "zinnia_recognizer_classify": (c_void_p, [c_void_p, c_void_p, c_size_t]),
    "zinnia_character_new": (c_void_p, []),
    "zinnia_character_destroy": (None, [c_void_p]),
    "zinnia_character_set_width": (None, [c_void_p, c_size_t]),
    "zinnia_character_set_height": (None, [c_void_p, c_size_t]),
    "zinnia_character_add": (c_int, [c_void_p, c_size_t, c_int, c_int]),
    "zinnia_result_value": (c_char_p, [c_void_p, c_size_t]),
    "zinnia_result_score": (c_float, [c_void_p, c_size_t]),
    "zinnia_result_size": (c_size_t, [c_void_p]),
    "zinnia_result_destroy": (None, [c_void_p]),
}


@cache
def load_library() -> ctypes.CDLL:
    """libzinnia with the signatures above set; :class:`HandwritingUnavailable` when missing."""
    for name in LIBRARY_NAMES:
        path = name if name.endswith(".0") else ctypes.util.find_library(name)
        if not path:
            continue
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for function, (restype, argtypes) in _SIGNATURES.items():
            call = getattr(library, function)
            call.restype = restype
            call.argtypes = argtypes
        return library
    raise HandwritingUnavailable("libzinnia is not installed (Debian package libzinnia0)")
