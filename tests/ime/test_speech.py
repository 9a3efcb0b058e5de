"""Spoken prompts through the real espeak-ng; playback through a stand-in player (no sound card here)."""

from __future__ import annotations

import shutil
import sys
import threading
import wave
from pathlib import Path

import pytest

from kiosk.i18n import t
from kiosk.speech import MAX_PROMPT_CHARS, Speaker, SpeechError, synthesize, wav_duration

PROMPT = "请将身份证放在读卡区"


def test_synthesize_writes_a_plausible_wav(tmp_path: Path) -> None:
    path = synthesize(PROMPT, tmp_path / "prompt.wav")
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert wav.getframerate() in (16000, 22050)
    # 10 syllables: about 3 s at espeak's pace, never a blip and never a minute
    assert 1.5 < wav_duration(path) < 10
    longer = synthesize(PROMPT + "，然后按确定键", tmp_path / "longer.wav")
    assert wav_duration(longer) > wav_duration(path)


def test_text_starting_with_a_dash_is_spoken_not_parsed(tmp_path: Path) -> None:
    path = synthesize("-v 请取走回执", tmp_path / "dash.wav")
    assert wav_duration(path) > 0.5


@pytest.mark.parametrize(
    ("text", "key"),
    [("", "speech.empty"), ("   ", "speech.empty"), ("好" * (MAX_PROMPT_CHARS + 1), "speech.too_long")],
)
def test_bad_prompts_are_clear_errors(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(SpeechError) as caught:
        synthesize(text, tmp_path / "x.wav")
    assert caught.value.key == key
    assert t(key) != key and t(key, "en") != key


def test_unknown_voice_fails(tmp_path: Path) -> None:
    with pytest.raises(SpeechError) as caught:
        synthesize(PROMPT, tmp_path / "x.wav", voice="no-such-voice")
    assert caught.value.key == "speech.failed"


def recording_player(tmp_path: Path, hold: bool) -> list[str]:
    """A stand-in for aplay: copies the WAV it is given; with ``hold`` it then waits to be cut off."""
    script = tmp_path / "player.py"
    script.write_text(
        "import shutil, sys, time, itertools, pathlib\n"
        f"out = pathlib.Path({str(tmp_path / 'played')!r}); out.mkdir(exist_ok=True)\n"
        "n = len(list(out.iterdir()))\n"
        "shutil.copy(sys.argv[-1], out / f'{n:03d}.wav')\n"
        f"time.sleep(60 if {hold} and n == 0 else 0)\n"
    )
    return [sys.executable, str(script)]


def test_say_does_not_block_and_the_latest_prompt_wins(tmp_path: Path) -> None:
    played: list[tuple[str, bool]] = []
    started = threading.Event()

    def on_played(text: str, finished: bool) -> None:
        played.append((text, finished))

    speaker = Speaker(True, player=recording_player(tmp_path, hold=True), on_played=on_played)
    try:
        speaker.say("第一条")
        # wait (bounded) until the first prompt is really playing, then queue two more
        for _ in range(200):
            if (tmp_path / "played").exists() and any((tmp_path / "played").iterdir()):
                started.set()
                break
            threading.Event().wait(0.05)
        assert started.is_set()
        speaker.say("第二条")
        speaker.say("请取走您的回执")
        assert speaker.wait_idle(timeout=30)
    finally:
        speaker.close()
    assert played[0] == ("第一条", False)  # cut off by the newer prompts
    assert played[-1] == ("请取走您的回执", True)
    assert ("第二条", True) not in played  # overtaken while waiting
    files = sorted((tmp_path / "played").iterdir())
    assert all(f.read_bytes()[:4] == b"RIFF" for f in files)


def test_disabled_or_missing_player_stays_silent(tmp_path: Path) -> None:
    off = Speaker(False, player=recording_player(tmp_path, hold=False))
    off.say(PROMPT)
    assert off.wait_idle(timeout=1)
    off.close()
    assert not (tmp_path / "played").exists()
    # player=None means "find aplay"; this machine has no aplay, so speech stays off
    assert Speaker(True, player=None).enabled is (shutil.which("aplay") is not None)
