"""A thin ctypes binding of librime's C API, reached through the ``RimeApi`` table of ``rime_get_api()``.

The struct layouts follow ``/usr/include/rime_api.h`` of librime 1.8.5 (Debian 12). The function
table only ever grows at its end between librime versions, so :func:`load_api` checks that the
library's table is at least as large as ours (its ``data_size``) before any pointer is used.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_int,
    c_size_t,
    c_uint64,
    c_void_p,
)
from functools import cache
from typing import TypeVar

from kiosk.ime.errors import ImeUnavailable

Bool = c_int
_S = TypeVar("_S", bound=Structure)
SessionId = c_uint64  # uintptr_t on x86_64 / aarch64


class RimeTraits(Structure):
    _fields_ = [
        ("data_size", c_int),
        ("shared_data_dir", c_char_p),
        ("user_data_dir", c_char_p),
        ("distribution_name", c_char_p),
        ("distribution_code_name", c_char_p),
        ("distribution_version", c_char_p),
        ("app_name", c_char_p),
        ("modules", POINTER(c_char_p)),
        ("min_log_level", c_int),
        ("log_dir", c_char_p),
        ("prebuilt_data_dir", c_char_p),
        ("staging_dir", c_char_p),
    ]


class RimeComposition(Structure):
    _fields_ = [
        ("length", c_int),
        ("cursor_pos", c_int),
        ("sel_start", c_int),
        ("sel_end", c_int),
        ("preedit", c_char_p),
    ]


class RimeCandidate(Structure):
    _fields_ = [("text", c_char_p), ("comment", c_char_p), ("reserved", c_void_p)]


class RimeMenu(Structure):
    _fields_ = [
        ("page_size", c_int),
        ("page_no", c_int),
        ("is_last_page", Bool),
        ("highlighted_candidate_index", c_int),
        ("num_candidates", c_int),
        ("candidates", POINTER(RimeCandidate)),
        ("select_keys", c_char_p),
    ]


class RimeCommit(Structure):
    _fields_ = [("data_size", c_int), ("text", c_char_p)]


class RimeContext(Structure):
    _fields_ = [
        ("data_size", c_int),
        ("composition", RimeComposition),
        ("menu", RimeMenu),
        ("commit_text_preview", c_char_p),
        ("select_labels", POINTER(c_char_p)),
    ]


class RimeCandidateListIterator(Structure):
    _fields_ = [("ptr", c_void_p), ("index", c_int), ("candidate", RimeCandidate)]


def new_struct(cls: type[_S]) -> _S:
    """A zeroed struct with ``data_size`` set the way ``RIME_STRUCT_INIT`` does."""
    value = cls()
    value.data_size = ctypes.sizeof(cls) - ctypes.sizeof(c_int)  # type: ignore[attr-defined]
    return value


_Ptr = c_void_p
# (name, restype, argtypes) in header order; None marks a slot we never call.
_SLOTS: list[tuple[str, object, tuple[object, ...]] | str] = [
    ("setup", None, (POINTER(RimeTraits),)),
    "set_notification_handler",
    ("initialize", None, (POINTER(RimeTraits),)),
    ("finalize", None, ()),
    "start_maintenance",
    "is_maintenance_mode",
    "join_maintenance_thread",
    "deployer_initialize",
    "prebuild",
    "deploy",
    "deploy_schema",
    "deploy_config_file",
    "sync_user_data",
    ("create_session", SessionId, ()),
    ("find_session", Bool, (SessionId,)),
    ("destroy_session", Bool, (SessionId,)),
    "cleanup_stale_sessions",
    "cleanup_all_sessions",
    ("process_key", Bool, (SessionId, c_int, c_int)),
    ("commit_composition", Bool, (SessionId,)),
    ("clear_composition", None, (SessionId,)),
    ("get_commit", Bool, (SessionId, POINTER(RimeCommit))),
    ("free_commit", Bool, (POINTER(RimeCommit),)),
    ("get_context", Bool, (SessionId, POINTER(RimeContext))),
    ("free_context", Bool, (POINTER(RimeContext),)),
    "get_status",
    "free_status",
    ("set_option", None, (SessionId, c_char_p, Bool)),
    ("get_option", Bool, (SessionId, c_char_p)),
    "set_property",
    "get_property",
    "get_schema_list",
    "free_schema_list",
    "get_current_schema",
    ("select_schema", Bool, (SessionId, c_char_p)),
    "schema_open",
    "config_open",
    "config_close",
    "config_get_bool",
    "config_get_int",
    "config_get_double",
    "config_get_string",
    "config_get_cstring",
    "config_update_signature",
    "config_begin_map",
    "config_next",
    "config_end",
    "simulate_key_sequence",
    "register_module",
    "find_module",
    "run_task",
    "get_shared_data_dir",
    "get_user_data_dir",
    "get_sync_dir",
    "get_user_id",
    "get_user_data_sync_dir",
    "config_init",
    "config_load_string",
    "config_set_bool",
    "config_set_int",
    "config_set_double",
    "config_set_string",
    "config_get_item",
    "config_set_item",
    "config_clear",
    "config_create_list",
    "config_create_map",
    "config_list_size",
    "config_begin_list",
    ("get_input", c_char_p, (SessionId,)),
    ("get_caret_pos", c_size_t, (SessionId,)),
    ("select_candidate", Bool, (SessionId, c_size_t)),
    ("get_version", c_char_p, ()),
    "set_caret_pos",
    "select_candidate_on_current_page",
    "candidate_list_begin",
    ("candidate_list_next", Bool, (POINTER(RimeCandidateListIterator),)),
    ("candidate_list_end", None, (POINTER(RimeCandidateListIterator),)),
    "user_config_open",
    (
        "candidate_list_from_index",
        Bool,
        (SessionId, POINTER(RimeCandidateListIterator), c_int),
    ),
    "get_prebuilt_data_dir",
    "get_staging_dir",
    "commit_proto",
    "context_proto",
    "status_proto",
    "get_state_label",
    "delete_candidate",
    "delete_candidate_on_current_page",
]


def _field(slot: tuple[str, object, tuple[object, ...]] | str) -> tuple[str, object]:
    if isinstance(slot, str):
        return (slot, _Ptr)
    name, restype, argtypes = slot
    return (name, CFUNCTYPE(restype, *argtypes))


class RimeApi(Structure):
    _fields_ = [("data_size", c_int), *(_field(slot) for slot in _SLOTS)]  # type: ignore[misc]


FUNCTION_COUNT = len(_SLOTS)


@cache
def load_api() -> RimeApi:
    """librime's function table, after checking it is at least as large as the one we declare."""
    name = ctypes.util.find_library("rime") or "librime.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise ImeUnavailable(f"librime could not be loaded ({exc}); install librime1") from exc
    get_api = lib.rime_get_api
    get_api.restype = POINTER(RimeApi)
    get_api.argtypes = []
    pointer = get_api()
    if not pointer:
        raise ImeUnavailable("rime_get_api() returned NULL")
    api = pointer.contents
    expected = ctypes.sizeof(RimeApi) - ctypes.sizeof(c_int)
    if api.data_size < expected:
        raise ImeUnavailable(
            f"librime's RimeApi has {api.data_size} bytes of functions, this binding needs "
            f"{expected} (librime older than 1.8?)"
        )
    return api


def library_version() -> str:
    """librime's own version string, e.g. ``1.8.5``."""
    return (load_api().get_version() or b"").decode()
