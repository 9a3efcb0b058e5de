"""Window settings that must be made before Kivy creates its window (size, fullscreen, cursor).

Import and call :func:`prepare_window` before anything imports ``kivy.core.window``.
"""

from __future__ import annotations

from collections.abc import Iterable

from screens.theme import REFERENCE_SIZE


def covering(sizes: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The smallest window size that holds each of ``sizes``. Create the window at this size when
    it will be resized: an offscreen window (SDL's pbuffer) keeps the size it was made with, and
    one that grows past it draws, and screenshots, only its bottom-left part."""
    sizes = list(sizes) or [REFERENCE_SIZE]
    return max(w for w, _ in sizes), max(h for _, h in sizes)


def prepare_window(size: tuple[int, int] = REFERENCE_SIZE, *, fullscreen: bool = False, paced: bool = True) -> None:
    """``paced=False`` for scripted walks and tests: frames follow one another without the 60 fps
    sleep (a quarter of a scripted walk's time went to it), animations still run on real time."""
    from kivy.config import Config

    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    # Anti-aliasing doubles the cost of every frame on llvmpipe and buys nothing on flat UI shapes.
    Config.set("graphics", "multisamples", "0")
    Config.set("graphics", "maxfps", "60" if paced else "0")
    Config.set("kivy", "exit_on_escape", "0")  # a citizen must not close the kiosk from a keyboard
    Config.set("input", "mouse", "mouse,disable_multitouch")
