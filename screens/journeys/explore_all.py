"""``scripts/explore-all``: the journey explorer over the full product, with a coverage report.

Kivy has one window per process, so the sizes are walked by resizing the window between walks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from screens.journeys.explorer import DISPLAY_MODES, EXPLORE_SIZES, covered, expected_features, plan


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="explore-all", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", help="only this scenario (repeat)")
    parser.add_argument("--mode", action="append", choices=DISPLAY_MODES, help="only this display mode (repeat)")
    parser.add_argument("--size", action="append", type=_size, help="only this window size WxH (repeat)")
    parser.add_argument("--every-path", action="store_true", help="every 情形 answer path, not the covering set")
    parser.add_argument("--limit", type=int, default=0, help="stop after N walks")
    parser.add_argument("--shots", type=Path, help="save a screenshot of every screen under DIR")
    parser.add_argument("--plan", action="store_true", help="print the walks and what they cover, run nothing")
    args = parser.parse_args(argv)

    from kiosk.catalog import load_catalog

    catalog = load_catalog()
    modes = args.mode or list(DISPLAY_MODES)
    sizes = args.size or list(EXPLORE_SIZES)
    journeys = plan(catalog, modes=modes, sizes=sizes, full=True, every_path=args.every_path,
                    scenarios=args.scenario)
    if args.limit:
        journeys = journeys[: args.limit]
    print(f"{len(journeys)} walks planned ({len(catalog.scenarios)} scenarios, modes {', '.join(modes)}, "
          f"sizes {', '.join(f'{w}x{h}' for w, h in sizes)})", flush=True)
    if args.plan:
        for journey in journeys:
            print(f"  {journey}")
        return 0

    from screens.journeys.explorer import Explorer
    from screens.journeys.harness import simulated_kiosk

    results = []
    started = time.monotonic()
    from screens.boot import covering

    with simulated_kiosk(sizes[0], largest=covering(sizes)) as (driver, _central):
        explorer = Explorer(driver, shots=args.shots)
        for n, journey in enumerate(journeys, start=1):
            result = explorer.walk(journey)
            results.append(result)
            verdict = "ok" if result.finished and not result.findings else "FAILED"
            print(f"[{n}/{len(journeys)}] {verdict} {journey} ({result.seconds:.0f} s)", flush=True)
            for finding in result.findings:
                print(f"    {finding}", flush=True)
    wanted = expected_features(catalog, args.scenario, modes, sizes)
    done = covered(results, catalog)
    failed = [r for r in results if not r.finished or r.findings]
    print(f"\n{len(results) - len(failed)} of {len(results)} walks passed every check "
          f"in {(time.monotonic() - started) / 60:.1f} min")
    print(f"covered {len(done & wanted)} of {len(wanted)} branches "
          "(answer options, items, scenarios, shareholder counts, modes, sizes)")
    for name in sorted(wanted - done):
        print(f"  not covered: {name}")
    return 1 if failed or wanted - done else 0


if __name__ == "__main__":
    sys.exit(main())
