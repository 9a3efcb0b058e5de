"""The Kivy application: window, theme, screen manager, and the bridge to the runtime's services
(:class:`kiosk.runtime.Kiosk`).

The services' events may arrive on device threads; :meth:`KioskApp._on_kiosk_event` re-posts each one
onto the Kivy thread with ``Clock.schedule_once`` before any widget is touched. The app tells
systemd it is ready once the devices are started, and pings its watchdog from the Kivy clock,
so a frozen UI (no more clock ticks) gets the service restarted.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from kiosk import watchdog
from kiosk.events import (
    CardError,
    CardRemoved,
    Event,
    Identified,
    IdleCleared,
    IdleWarning,
    ServiceChanged,
    VisitEnded,
    VisitStarted,
)
from kiosk.i18n import t
from kiosk.navigator import Step
from kiosk.runtime import Kiosk
from screens.base import KioskScreen
from screens.navigation import STEP_SCREENS, Place
from screens.night_dimming import NightDimming
from screens.theme import Theme, register_fonts

if TYPE_CHECKING:
    from kivy.clock import ClockEvent
    from kivy.core.window import WindowBase
    from kivy.input.motionevent import MotionEvent

    from screens.components.visit import ConfirmExit, HelpPanel
    from screens.idle_warning import IdleWarning as IdleWarningView

# (screen name, module under screens/, class name), in the order a visit goes through them.
SCREENS: tuple[tuple[str, str, str], ...] = (
    ("attract", "attract", "AttractScreen"),
    ("home", "home", "HomeScreen"),
    ("identify", "identify", "IdentifyScreen"),
    ("questions", "questions", "QuestionsScreen"),
    ("results", "results", "ResultsScreen"),
    ("guide", "guide", "GuideScreen"),
    ("form", "form", "FormScreen"),
    ("materials", "materials", "MaterialsScreen"),
    ("check", "check", "CheckScreen"),
    ("submitting", "submitting", "SubmittingScreen"),
    ("receipt", "receipt", "ReceiptScreen"),
    ("rating", "rating", "RatingScreen"),
    ("done", "done", "DoneScreen"),
    ("track", "track", "TrackScreen"),
    ("out_of_service", "out_of_service", "OutOfServiceScreen"),
    ("maintenance", "maintenance", "MaintenanceScreen"),
)

# Screens where nobody is being served, so idle rules and the out-of-service switch do not apply.
RESTING = frozenset({Place.ATTRACT, Place.OUT_OF_SERVICE, Place.MAINTENANCE})
# Screens that night dimming may darken (not maintenance: a technician is at work there).
DIMMABLE = frozenset({Place.ATTRACT, Place.OUT_OF_SERVICE})
WATCHDOG_TICK_S = 0.5


class KioskApp(App):
    """The touchscreen front end of one kiosk."""

    lang = StringProperty("zh_CN")
    entered = StringProperty("")  # the screen whose on_enter has run (what a citizen now sees)
    theme = ObjectProperty(None)
    sim = BooleanProperty(False)
    title = "kiosk24"

    def __init__(self, kiosk: Kiosk, *, sim: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.kiosk = kiosk
        self.sim = sim
        self.theme = Theme()
        self.sm: ScreenManager | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._ticker: ClockEvent | None = None
        self._pinger: ClockEvent | None = None
        self._idle_view: IdleWarningView | None = None
        self._exit_view: ConfirmExit | None = None
        self._help_view: HelpPanel | None = None
        self._last_oos: str | None = None
        self.night: NightDimming | None = None
        self.step: Step | None = None  # the visit's step on screen now (None outside a visit)

    # ----- building ----------------------------------------------------------------------
    def build(self) -> ScreenManager:
        register_fonts()
        # A form page of shareholder rows nests minimum_height boxes four deep (page, editor, row,
        # chip grid); one resize settles in more than Kivy's default 10 clock passes, which Kivy
        # then reports as a warning (and the journey explorer as a fault). 30 settles every page.
        Clock.max_iteration = max(Clock.max_iteration, 30)
        import screens.components.controls  # loads the shared kv rules
        import screens.components.keyboard_dock
        import screens.components.visit  # noqa: F401  (StageBar, HelpPanel, ConfirmExit for the kv files)

        Window.clearcolor = self.theme.bg
        self.theme.fit(*Window.size)
        Window.bind(size=lambda _w, size: self.theme.fit(*size))
        self.theme.bind(bg=lambda _t, bg: setattr(Window, "clearcolor", bg))
        sm = ScreenManager(transition=NoTransition())
        for name, module, cls in SCREENS:
            screen_cls = getattr(importlib.import_module(f"screens.{module}"), cls)
            screen = screen_cls(name=name)
            screen.bind(on_enter=self._entered, on_pre_leave=self._leaving)
            sm.add_widget(screen)
        self.sm = sm
        self.night = NightDimming(self.kiosk.config.night_dimming)
        Window.bind(on_touch_down=self._any_touch, on_key_down=self._on_key)
        self._unsubscribe = self.kiosk.subscribe(self._on_kiosk_event)
        self._ticker = Clock.schedule_interval(self._tick, 1.0)
        return sm

    def on_start(self) -> None:
        from screens import remote

        remote.attach(self)  # screenshot and restart, before the worker can hand them out
        self.kiosk.start()
        self._apply_service_state(self.kiosk.maintenance.out_of_service_reason())
        watchdog.ready()
        # ping() rate-limits itself to half of systemd's interval; it only runs while the UI does.
        self._pinger = Clock.schedule_interval(lambda _dt: watchdog.ping(), WATCHDOG_TICK_S)

    def on_stop(self) -> None:
        watchdog.stopping()
        for event in (self._ticker, self._pinger):
            if event is not None:
                event.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.night is not None:
            self.night.wake()  # a stopped kiosk leaves the backlight as it found it
        self.kiosk.stop()

    def _entered(self, screen: Screen) -> None:
        self.entered = screen.name

    def _leaving(self, screen: Screen) -> None:
        if self.entered == screen.name:
            self.entered = ""

    # ----- language and display modes ----------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh_CN" else "zh_CN"
        self.kiosk.visit.lang = self.lang

    def toggle_large_text(self) -> None:
        self.theme.large_text = not self.theme.large_text
        self.kiosk.visit.large_text = self.theme.large_text

    def toggle_contrast(self) -> None:
        self.theme.high_contrast = not self.theme.high_contrast
        self.kiosk.visit.high_contrast = self.theme.high_contrast

    def on_lang(self, _app: KioskApp, _lang: str) -> None:
        if self.sm is not None and isinstance(self.sm.current_screen, KioskScreen):
            self.sm.current_screen.refresh()

    # ----- navigation --------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self.sm.current if self.sm else ""

    def go(self, name: str) -> None:
        """Show the screen ``name`` (a :class:`Place`; steps go through :meth:`show`)."""
        if self.sm is not None and self.sm.current != name:
            self.sm.current = name

    def has_screen(self, name: str) -> bool:
        return self.sm is not None and self.sm.has_screen(name)

    def show(self, step: Step) -> None:
        """Show ``step`` on its screen; a screen already showing gets ``show_step(step)``."""
        self.step = step
        name = STEP_SCREENS[step.kind]
        if self.current == name:
            self.screen(name).show_step(step)
        else:
            self.go(name)

    def screen(self, name: str) -> Any:
        return self.sm.get_screen(name)

    def abandon_flow(self) -> None:
        """Back to the home screen from a flow: its data is dropped, the visit goes on."""
        self.kiosk.visit.abandon()
        keep_lang = self.lang
        self._wipe_screens()
        self.lang = keep_lang
        self.step = None
        self.go(Place.HOME)

    def confirm_exit(self) -> None:
        """结束办理: ask "确定结束？您填写的内容将被清除" first; only "确定结束" ends and wipes the visit."""
        from screens.components.visit import ConfirmExit

        if self._exit_view is None:
            self._exit_view = ConfirmExit()
            self._exit_view.bind(on_dismiss=lambda *_: setattr(self, "_exit_view", None))
            self._exit_view.open()

    def call_help(self) -> None:
        """呼叫工作人员: tell the back office which screen (and step) called, and say what to do now."""
        from screens.components.visit import HelpPanel

        screen = self.sm.current_screen if self.sm else None
        step = screen.help_step() if isinstance(screen, KioskScreen) else ""
        try:
            session = self.kiosk.visit.session
            scenario = session.scenario_id if session is not None else ""
            sent = self.kiosk.reporting.call_help(self.current, scenario, step) is not None
        except Exception:  # the panel must open whatever happens to the outbox
            sent = False
        if self._help_view is None:
            self._help_view = HelpPanel()
            self._help_view.bind(on_dismiss=lambda *_: setattr(self, "_help_view", None))
            self._help_view.open()
        self._help_view.show(self.kiosk.visit.help_advice(), sent)

    def end_visit(self, reason: str) -> None:
        self.kiosk.visit.end(reason)
        self._reset_after_visit()

    def _reset_after_visit(self) -> None:
        self._close_idle_warning()
        for view in (self._exit_view, self._help_view):
            if view is not None:
                view.dismiss()
        self.lang = "zh_CN"
        self.theme.large_text = False
        self.theme.high_contrast = False
        self._wipe_screens()
        _forget_rendered_text()
        _release_freed_memory()
        self.step = None
        reason = self.kiosk.maintenance.out_of_service_reason()
        self.go(Place.OUT_OF_SERVICE if reason else Place.ATTRACT)

    def _wipe_screens(self, keep: str = "") -> None:
        if self.sm is None:
            return
        for screen in self.sm.screens:
            if isinstance(screen, KioskScreen) and screen.name != keep:
                screen.wipe()

    # ----- events from the runtime -------------------------------------------------------
    def _on_kiosk_event(self, event: Event) -> None:
        Clock.schedule_once(lambda _dt: self.handle_event(event), 0)

    def handle_event(self, event: Event) -> None:
        if isinstance(event, Identified | CardError | CardRemoved | VisitStarted) and self.night is not None:
            self.night.wake()
        match event:
            case IdleWarning(remaining=remaining):
                self._show_idle_warning(remaining)
            case IdleCleared():
                self._close_idle_warning()
            case VisitEnded(reason="completed"):
                self._wipe_screens(keep=self.current)  # the done screen says goodbye first
            case VisitEnded():
                self._reset_after_visit()
            case ServiceChanged(reason=reason):
                self._apply_service_state(reason)
        screen = self.sm.current_screen if self.sm else None
        if isinstance(screen, KioskScreen):
            screen.on_kiosk_event(event)

    def _apply_service_state(self, reason: str | None) -> None:
        self._last_oos = reason
        if self.sm is None:
            return
        if reason and self.current == Place.ATTRACT:
            self.screen(Place.OUT_OF_SERVICE).reason = reason
            self.go(Place.OUT_OF_SERVICE)
        elif not reason and self.current == Place.OUT_OF_SERVICE:
            self.go(Place.ATTRACT)
        elif reason:
            self.screen(Place.OUT_OF_SERVICE).reason = reason

    def _tick(self, _dt: float) -> None:
        self.kiosk.visit.tick()
        if self.night is not None and self.night.dimmer.enabled:
            if self.night.dimmed and self.kiosk.devices.card_present():
                self.night.wake()  # a card laid on the reader at rest
            self.night.update(resting=self.current in DIMMABLE and self.step is None)

    def _any_touch(self, _window: WindowBase, _touch: MotionEvent) -> bool:
        if self.night is not None:
            self.night.wake()
        if self.current not in RESTING:
            self.kiosk.visit.touch()
        return False

    def _on_key(self, _window: WindowBase, key: int, _scancode: int, _text: str, modifiers: list[str]) -> bool:
        if key == 293 and self.sim:  # F12: the maintenance screen (the hidden gesture's keyboard twin)
            self.screen(Place.MAINTENANCE).open_from_gesture()
            return True
        if key == 283 and self.sim:  # F2: the developer places a generated card
            self.kiosk.devices.sim_place_card()
            return True
        if key == 284 and self.sim:  # F3: … or a generated social security card
            self.kiosk.devices.sim_place_sscard()
            return True
        return False

    # ----- idle warning ------------------------------------------------------------------
    def _show_idle_warning(self, remaining: float) -> None:
        if self._idle_view is None:
            from screens.idle_warning import IdleWarning

            self._idle_view = IdleWarning()
            self._idle_view.open()
        self._idle_view.remaining = round(remaining)

    def _close_idle_warning(self) -> None:
        if self._idle_view is not None:
            self._idle_view.dismiss()
            self._idle_view = None

    def more_time(self) -> None:
        self.kiosk.visit.touch()
        self._close_idle_warning()


def _forget_rendered_text() -> None:
    """Empty Kivy's caches of rendered text: TextInput keeps each line's texture for 60 s in a
    cache keyed by the text itself, so a citizen's name and ID number would outlive the visit."""
    from kivy.cache import Cache

    for category in ("textinput.label", "textinput.width"):
        Cache.remove(category)


def _release_freed_memory() -> None:
    """Hand memory freed by the visit back to the system (glibc keeps it otherwise, and a kiosk
    that serves hundreds of visits a day would look like it leaks)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)
