"""Spoken prompts (config.speech): off by default; when on, key screens queue their prompt.

The prompts are really synthesised by espeak-ng; playback goes to ``true`` instead of an audio
device, so the test needs no sound card.
"""

from __future__ import annotations

import queue
import shutil
from typing import Any

import pytest
from ui_steps import start_visit

from kiosk.speech import Speaker

pytestmark = pytest.mark.kivy


def test_prompts_are_off_by_default_and_spoken_on_key_screens_when_on(ui: Any) -> None:
    app = ui.app
    kiosk = app.kiosk
    assert kiosk.config.speech is False and kiosk.visit.speaker is None
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    played: queue.Queue[str] = queue.Queue()
    speaker = Speaker(True, player=["true"], on_played=lambda text, _done: played.put(text))
    assert speaker.enabled
    kiosk.visit.speaker = speaker
    try:
        start_visit(ui, "open_gym", card=False)
        assert played.get(timeout=20) == app.t("ui.identify.instruction")
        app.kiosk.devices.sim_place_card()
        ui.wait_screen("questions")
        question = app.screen("questions").question
        ui.wait(lambda: speaker.wait_idle(0.05), timeout=20, what="the question to be spoken")
        spoken = []
        while not played.empty():
            spoken.append(played.get())
        assert question.text.get(app.lang) in spoken
    finally:
        kiosk.visit.speaker = None
        speaker.close()
