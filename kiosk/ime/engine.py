"""``PinyinEngine``: one citizen's pinyin composition on top of librime (schema ``luna_pinyin_simp``).

librime is process-global: it is set up once with our data folder (see :mod:`kiosk.ime.deploy`)
and each engine owns one librime session. ``reset()`` destroys that session and opens a fresh one,
so nothing a citizen typed survives the end of their session; user learning is off in our schema
patch, so their choices never reorder the next citizen's candidates.

Not thread-safe: use an engine from one thread (the UI thread).
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

from kiosk.ime import rime_api
from kiosk.ime.deploy import RimeData, ensure_built
from kiosk.ime.errors import ImeError, ImeUnavailable
from kiosk.ime.rime_api import (
    RimeApi,
    RimeCandidateListIterator,
    RimeCommit,
    RimeContext,
    RimeTraits,
    new_struct,
)

SCHEMA = "luna_pinyin_simp"
DEFAULT_PAGE_SIZE = 8

# X11 keysyms, which is what librime's process_key expects.
KEY_BACKSPACE = 0xFF08
KEY_RETURN = 0xFF0D
KEY_ESCAPE = 0xFF1B
KEY_SPACE = 0x20


@dataclass(frozen=True)
class KeyOutcome:
    """What one key did: whether librime used it, and any text it committed."""

    handled: bool
    commit: str = ""


class _Runtime:
    """librime's one-per-process setup; remembers the data folder so a second start can be checked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: RimeData | None = None
        self._keepalive: list[object] = []

    def start(self, api: RimeApi, data: RimeData) -> None:
        with self._lock:
            if self._data is not None:
                # data-<fingerprint>: the same sources built for the same librime, wherever it lies
                same_build = self._data.user_dir.name == data.user_dir.name and self._data.shared_dir == data.shared_dir
                if not same_build:
                    raise ImeError(
                        f"librime already runs with {self._data.user_dir}, cannot switch to "
                        f"{data.user_dir} in the same process"
                    )
                return
            data.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            strings = {
                "shared_data_dir": str(data.shared_dir),
                "user_data_dir": str(data.user_dir),
                "distribution_name": "kiosk",
                "distribution_code_name": "kiosk",
                "distribution_version": "1",
                "app_name": "rime.kiosk",
                "log_dir": str(data.log_dir),
                "prebuilt_data_dir": str(data.prebuilt_dir),
                "staging_dir": str(data.build_dir),
            }
            traits = new_struct(RimeTraits)
            encoded = {name: value.encode() for name, value in strings.items()}
            for name, value in encoded.items():
                setattr(traits, name, value)
            traits.min_log_level = 2  # errors only: INFO lines would name what citizens typed
            self._keepalive = [traits, encoded]
            api.setup(ctypes.byref(traits))
            api.initialize(ctypes.byref(traits))
            # Deliberately no start_maintenance(): the tables were built by ensure_built().
            self._data = data


_runtime = _Runtime()


class PinyinEngine:
    """Pinyin letters in, simplified-Chinese candidates and committed text out.

    Every method that can commit text returns it ("" when nothing was committed).
    """

    def __init__(
        self,
        data: RimeData | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        schema: str = SCHEMA,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._api = rime_api.load_api()
        self.page_size = page_size
        self.schema = schema
        if data is None:
            data = ensure_built(librime_version=rime_api.library_version())
        if not (data.build_dir / "luna_pinyin_simp.schema.yaml").is_file():
            raise ImeUnavailable(f"{data.build_dir} holds no built schema; run ensure_built() first")
        _runtime.start(self._api, data)
        self._session = self._open_session()

    # --- session ---------------------------------------------------------------------------
    def _open_session(self) -> int:
        session = self._api.create_session()
        if not session:
            raise ImeError("librime could not create a session")
        if not self._api.select_schema(session, self.schema.encode()):
            self._api.destroy_session(session)
            raise ImeUnavailable(f"schema {self.schema} could not be selected")
        return session

    def reset(self) -> None:
        """Forget everything: composition, pending commit and the session's history."""
        if self._session:
            self._api.destroy_session(self._session)
        self._session = self._open_session()

    def close(self) -> None:
        """Release the librime session; the engine cannot be used afterwards."""
        if self._session:
            self._api.destroy_session(self._session)
            self._session = 0

    def __enter__(self) -> PinyinEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def session_id(self) -> int:
        return self._session

    # --- input -----------------------------------------------------------------------------
    def process_key(self, keysym: int, mask: int = 0) -> KeyOutcome:
        """Feed one X11 keysym (letters are their ASCII code)."""
        handled = bool(self._api.process_key(self._require_session(), keysym, mask))
        return KeyOutcome(handled, self._take_commit())

    def type_letters(self, letters: str) -> str:
        """Type pinyin letters a–z (apostrophe separates syllables); returns committed text."""
        commit = []
        for char in letters:
            if not ("a" <= char <= "z" or char == "'"):
                raise ValueError(f"pinyin takes letters a-z and ', not {char!r}")
            commit.append(self.process_key(ord(char)).commit)
        return "".join(commit)

    def backspace(self) -> bool:
        """Delete the last typed letter; False if nothing was being composed (delete in the field)."""
        if not self.composing:
            return False
        return self.process_key(KEY_BACKSPACE).handled

    def confirm(self) -> str:
        """Commit the first candidate (the space key)."""
        if not self.composing:
            return ""
        return self.process_key(KEY_SPACE).commit

    def commit_input(self) -> str:
        """Commit the letters as typed, without converting them."""
        if not self.composing:
            return ""
        return self.process_key(KEY_RETURN).commit

    def clear(self) -> None:
        """Drop the current composition, keep the session."""
        self._api.clear_composition(self._require_session())
        self._take_commit()

    def select(self, index: int) -> str:
        """Choose candidate ``index`` (counted over all pages); returns text if that finished it.

        Choosing a word for only the first part of the input (大连 for ``dalianxinyuan``)
        commits nothing yet: the rest stays in the composition.
        """
        if index < 0:
            raise IndexError("candidate index must not be negative")
        if not self._api.select_candidate(self._require_session(), index):
            raise IndexError(f"no candidate {index}")
        return self._take_commit()

    # --- state -----------------------------------------------------------------------------
    @property
    def input(self) -> str:
        """The raw letters typed so far."""
        raw = self._api.get_input(self._require_session())
        return raw.decode() if raw else ""

    @property
    def composing(self) -> bool:
        return bool(self.input)

    @property
    def preedit(self) -> str:
        """The composition as shown to the citizen, e.g. ``大连 xin yuan``."""
        context = new_struct(RimeContext)
        if not self._api.get_context(self._require_session(), ctypes.byref(context)):
            return ""
        try:
            raw = context.composition.preedit
            return raw.decode() if raw else ""
        finally:
            self._api.free_context(ctypes.byref(context))

    def candidates(self, page: int = 0) -> list[str]:
        """The candidate texts of one page (``page_size`` of them at most)."""
        return self.candidates_from(page * self.page_size, self.page_size)

    def has_page(self, page: int) -> bool:
        """Whether ``page`` has at least one candidate."""
        return page >= 0 and self.has_candidate(page * self.page_size)

    def has_candidate(self, index: int) -> bool:
        return bool(self.candidates_from(index, 1))

    def candidates_from(self, start: int, count: int) -> list[str]:
        """Up to ``count`` candidates from index ``start`` on (for pages sized by the screen)."""
        if start < 0 or count < 1 or not self.composing:
            return []
        iterator = RimeCandidateListIterator()
        found: list[str] = []
        session = self._require_session()
        if not self._api.candidate_list_from_index(session, ctypes.byref(iterator), start):
            return found
        try:
            while len(found) < count and self._api.candidate_list_next(ctypes.byref(iterator)):
                text = iterator.candidate.text
                found.append(text.decode() if text else "")
        finally:
            self._api.candidate_list_end(ctypes.byref(iterator))
        return found

    def _take_commit(self) -> str:
        commit = new_struct(RimeCommit)
        if not self._api.get_commit(self._require_session(), ctypes.byref(commit)):
            return ""
        try:
            return commit.text.decode() if commit.text else ""
        finally:
            self._api.free_commit(ctypes.byref(commit))

    def _require_session(self) -> int:
        if not self._session:
            raise ImeError("the pinyin engine was closed")
        return self._session
