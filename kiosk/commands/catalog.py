"""``kiosk catalog check|list``: validate the catalog and list its scenarios."""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.catalog import load_catalog
from kiosk.engine import Flow
from kiosk.errors import CatalogError


def register(sub: argparse._SubParsersAction) -> None:
    catalog = sub.add_parser("catalog", help="check or list the catalog of items and scenarios")
    actions = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="validate the catalog; print every problem as file:line: reason")
    check.add_argument("dir", nargs="?", help="catalog folder (default: the installed assets/catalog)")
    check.set_defaults(handler=_check)

    listing = actions.add_parser("list", help="list every scenario with its items, questions and form pages")
    listing.add_argument("dir", nargs="?", help="catalog folder (default: the installed assets/catalog)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=_list)


def _check(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(args.dir)
    except CatalogError as error:
        for problem in error.problems:
            print(problem)
        print(f"{len(error.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"catalog OK: {len(catalog.scenarios)} scenarios, {len(catalog.items)} items, "
          f"{len(catalog.fields)} shared fields")
    return 0


def _page_counts(flow: Flow) -> tuple[int, int]:
    """The fewest and most form pages the scenario can have over its 情形 answers."""
    counts: list[int] = []

    def explore(current: Flow, depth: int) -> None:
        question = current.next_question()
        if question is None or depth > 12 or len(counts) > 400:
            counts.append(len(current.pages()))
            return
        for option in question.options:
            branch = Flow(current.catalog, current.scenario_id, situation=dict(current.situation))
            branch.answer(question.id, option.value)
            explore(branch, depth + 1)

    explore(flow, 0)
    return min(counts), max(counts)


def _list(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.dir)
    rows = []
    for scenario in catalog.scenarios.values():
        low, high = _page_counts(Flow(catalog, scenario.id))
        rows.append(
            {
                "id": scenario.id,
                "title": scenario.title.zh,
                "title_en": scenario.title.en,
                "kind": scenario.kind,
                "items": [ref.item.id for ref in scenario.items],
                "questions": len(scenario.questions),
                "form_pages": {"min": low, "max": high},
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{'ID':<26} {'KIND':<15} {'Q':>2} {'PAGES':>6} {'ITEMS':>5}  TITLE")
    for row in rows:
        pages = f"{row['form_pages']['min']}-{row['form_pages']['max']}"
        print(f"{row['id']:<26} {row['kind']:<15} {row['questions']:>2} {pages:>6} "
              f"{len(row['items']):>5}  {row['title']}")
    return 0
