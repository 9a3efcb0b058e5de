"""The handwriting pad: a square the citizen writes one hanzi in with a finger.

Each touch draws a stroke; when a stroke ends the pad asks its recogniser (a
:class:`kiosk.ime.handwriting.HandwritingRecognizer`) for candidates and sets ``candidates``, which
the on-screen keyboard shows in its candidate bar. ``clear()`` starts a new character.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.graphics import Color, InstructionGroup, Line
from kivy.lang import Builder
from kivy.properties import ListProperty, NumericProperty, ObjectProperty
from kivy.uix.widget import Widget

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

INK = (0.08, 0.08, 0.1, 1)


class HandwritingPad(Widget):
    """Strokes in, candidates out; points are kept with y pointing down, as the recogniser expects."""

    recognizer = ObjectProperty(None, allownone=True)
    candidates = ListProperty([])
    ink_width = NumericProperty(4)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._ink: list[InstructionGroup] = []

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        self.strokes.append([self._point(touch)])
        line = Line(points=list(touch.pos), width=self.ink_width, cap="round", joint="round")
        stroke = InstructionGroup()
        stroke.add(Color(*INK))
        stroke.add(line)
        self.canvas.add(stroke)
        self._ink.append(stroke)
        touch.ud[self] = line
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_move(touch)
        if self.collide_point(*touch.pos):
            self.strokes[-1].append(self._point(touch))
            touch.ud[self].points += list(touch.pos)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        self.recognise()
        return True

    def recognise(self) -> None:
        """Ask the recogniser about the strokes so far (after every stroke)."""
        self.candidates = self.recognizer.classify(self.strokes) if self.recognizer and self.strokes else []

    def undo(self) -> None:
        """Take back the last stroke."""
        if self.strokes:
            self.strokes.pop()
            self.canvas.remove(self._ink.pop())
            self.recognise()

    def clear(self) -> None:
        """Forget the strokes and the candidates (a character was chosen, or 重写)."""
        for stroke in self._ink:
            self.canvas.remove(stroke)
        self._ink = []
        self.strokes = []
        self.candidates = []

    def _point(self, touch: Any) -> tuple[float, float]:
        return touch.x - self.x, self.top - touch.y
