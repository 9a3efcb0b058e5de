"""Each kiosk's outbox depth over its last heartbeats, and when that counts as "queue growing".

The depths are one JSON list per kiosk (``kiosks.queue_trend``, oldest first), appended and
trimmed inside the heartbeat's own UPDATE, so the fleet's most frequent request costs no extra
statement. A healthy kiosk delivers within seconds and reports 0; a queue that stays above 0
and never goes down over the last :data:`GROWTH_BEATS` beats means nothing is getting through,
long before it reaches :data:`ALERT_DEPTH`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from sqlalchemy import TextClause, text

TREND_BEATS = 12  # depths kept per kiosk (what the Fleet page draws)
GROWTH_BEATS = 4  # "growing": above 0 and never down for this many beats
ALERT_DEPTH = 10  # a queue this deep is an alert however it got there

_SQLITE = (
    "CASE WHEN json_array_length(COALESCE(queue_trend, '[]')) >= {keep} "
    "THEN json_insert(json_remove(COALESCE(queue_trend, '[]'), '$[0]'), '$[#]', :{name}) "
    "ELSE json_insert(COALESCE(queue_trend, '[]'), '$[#]', :{name}) END"
)
_POSTGRESQL = (
    "CAST(jsonb_path_query_array(COALESCE(CAST(queue_trend AS jsonb), CAST('[]' AS jsonb)) "
    "|| to_jsonb(CAST(:{name} AS integer)), '$[last-{last} to last]') AS json)"
)


def append_sql(dialect: str, name: str = "queue_depth") -> str:
    """SQL for the new ``queue_trend``: the old one plus the bound ``:name``, last TREND_BEATS."""
    if dialect == "postgresql":
        return _POSTGRESQL.format(name=name, last=TREND_BEATS - 1)
    return _SQLITE.format(name=name, keep=TREND_BEATS)


def appended(dialect: str, depth: int) -> TextClause:
    """The same as a clause for ``update().values(queue_trend=...)``."""
    return text(append_sql(dialect, "trend_depth")).bindparams(trend_depth=int(depth))


def growing(trend: Sequence[int], beats: int = GROWTH_BEATS) -> bool:
    """True when the queue has not drained for the last ``beats`` heartbeats: never down, and
    above 0 at each of them (so one application caught in flight by a beat is no alert)."""
    window = [int(depth) for depth in trend[-(beats + 1):]]
    if len(window) < beats + 1:
        return False
    never_down = all(later >= earlier for earlier, later in pairwise(window))
    return never_down and min(window[1:]) > 0


def problem(trend: Sequence[int], depth: int) -> str:
    """Why the queue needs a look (for the alert's detail), or "" when it does not."""
    if growing(trend):  # the depths beat by beat, readable in any language: 0→1→2→2→3
        return "→".join(str(depth) for depth in trend[-(GROWTH_BEATS + 1):])
    if depth >= ALERT_DEPTH:
        return str(depth)
    return ""
