"""Optional spoken prompts in Mandarin: espeak-ng (voice ``cmn-latn-pinyin``) to WAV, played by aplay.

``-v cmn`` and ``-v zh`` read hanzi as English-spelled pinyin, so only ``cmn-latn-pinyin`` is
used. :class:`Speaker` never blocks its caller: prompts go to one worker thread and the latest
prompt wins (a newer prompt drops the waiting one and cuts off the one playing). If espeak-ng or
the player is missing the speaker stays silent; speech is a help, never a requirement.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from wire.errors import ExitCode, KioskError

log = logging.getLogger(__name__)

VOICE = "cmn-latn-pinyin"
DEFAULT_SPEED = 150  # words per minute; espeak's 175 is fast for elderly listeners
MAX_PROMPT_CHARS = 500


class SpeechError(KioskError):
    """espeak-ng is missing or failed to synthesise a prompt."""

    key = "speech.failed"
    exit_code = ExitCode.SPEECH


@cache
def known_voices(espeak: str) -> frozenset[str]:
    """Language codes espeak-ng knows (``espeak-ng --voices``)."""
    listing = subprocess.run([espeak, "--voices"], capture_output=True, timeout=10, check=False)
    lines = listing.stdout.decode(errors="replace").splitlines()[1:]
    return frozenset(line.split()[1] for line in lines if len(line.split()) > 1)


def synthesize(
    text: str,
    wav_path: Path,
    *,
    voice: str = VOICE,
    speed: int = DEFAULT_SPEED,
    espeak: str | None = None,
) -> Path:
    """Write ``text`` spoken by espeak-ng to ``wav_path`` (22.05 kHz mono 16-bit)."""
    if not text.strip():
        raise SpeechError("nothing to say", key="speech.empty")
    if len(text) > MAX_PROMPT_CHARS:
        raise SpeechError(f"prompt longer than {MAX_PROMPT_CHARS} characters", key="speech.too_long")
    binary = espeak or shutil.which("espeak-ng")
    if binary is None:
        raise SpeechError("espeak-ng is not installed", key="speech.unavailable")
    # Given an unknown voice with text on stdin, espeak-ng silently speaks English instead.
    if voice not in known_voices(binary):
        raise SpeechError(f"espeak-ng has no voice {voice!r}")
    # The text goes through stdin so that a prompt starting with "-" is never read as an option.
    result = subprocess.run(
        [binary, "-v", voice, "-s", str(speed), "-w", str(wav_path)],
        input=text.encode(),
        capture_output=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        raise SpeechError(f"espeak-ng exited {result.returncode}: {result.stderr.decode(errors='replace')}")
    if not wav_path.is_file() or wav_path.stat().st_size <= 44:  # 44 bytes: a header, no sound
        raise SpeechError("espeak-ng wrote no audio")
    return wav_path


def wav_duration(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def default_player() -> list[str] | None:
    """``aplay -q`` if installed, else None (no playback)."""
    aplay = shutil.which("aplay")
    return [aplay, "-q"] if aplay else None


class Speaker:
    """Speaks prompts in a worker thread; ``say`` returns at once and the latest prompt wins.

    ``on_played(text, finished)`` is called from the worker after each playback attempt;
    ``finished`` is False when a newer prompt cut it off.
    """

    def __init__(
        self,
        enabled: bool,
        *,
        voice: str = VOICE,
        speed: int = DEFAULT_SPEED,
        player: Sequence[str] | None = None,
        on_played: Callable[[str, bool], None] | None = None,
    ) -> None:
        self._espeak = shutil.which("espeak-ng")
        self._player = list(player) if player is not None else default_player()
        self.voice = voice
        self.speed = speed
        self.enabled = bool(enabled and self._espeak and self._player)
        self._on_played = on_played
        self._cond = threading.Condition()
        self._pending: str | None = None
        self._busy = False
        self._playing: subprocess.Popen[bytes] | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._dir: Path | None = None
        if enabled and not self.enabled:
            log.info("speech off: espeak-ng or an audio player (aplay) is missing")

    def say(self, text: str) -> None:
        """Queue ``text`` to be spoken, replacing any prompt not yet spoken; never blocks."""
        if not self.enabled or not text.strip():
            return
        with self._cond:
            if self._closed:
                return
            self._pending = text[:MAX_PROMPT_CHARS]
            self._interrupt_locked()
            if self._thread is None:
                self._dir = Path(tempfile.mkdtemp(prefix="kiosk-speech-"))
                self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def stop(self) -> None:
        """Drop the waiting prompt and cut off the one playing (e.g. when the citizen leaves)."""
        with self._cond:
            self._pending = None
            self._interrupt_locked()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is waiting or playing; False on timeout. For tests and shutdown."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def close(self) -> None:
        """Stop the worker thread and remove its temporary files."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._interrupt_locked()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def _interrupt_locked(self) -> None:
        if self._playing is not None and self._playing.poll() is None:
            self._playing.terminate()

    def _run(self) -> None:
        assert self._dir is not None and self._player is not None
        wav = self._dir / "prompt.wav"
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                text, self._pending = self._pending, None
                self._busy = True
            try:
                self._speak(text or "", wav)
            except (SpeechError, OSError, subprocess.SubprocessError) as exc:
                log.warning("prompt not spoken: %s", exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._playing = None
                    self._cond.notify_all()

    def _speak(self, text: str, wav: Path) -> None:
        synthesize(text, wav, voice=self.voice, speed=self.speed, espeak=self._espeak)
        with self._cond:
            if self._pending is not None or self._closed:
                return  # a newer prompt arrived while synthesising: skip this one
            assert self._player is not None
            self._playing = subprocess.Popen(
                [*self._player, str(wav)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            playing = self._playing
        finished = playing.wait() == 0
        if self._on_played is not None:
            self._on_played(text, finished)
