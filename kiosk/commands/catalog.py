"""``kiosk catalog check|list|guide``: validate the catalog, list its scenarios, render 办事指南."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

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

    guide = actions.add_parser(
        "guide", help="render a scenario's 办事指南 (service guide) as HTML and PDF for the hall to sign off"
    )
    guide.add_argument("scenario", nargs="?", help="scenario id (see 'kiosk catalog list')")
    guide.add_argument("--all", action="store_true", help="render every scenario")
    guide.add_argument("--out", required=True, help="folder to write SCENARIO.html and SCENARIO.pdf into")
    guide.add_argument("--lang", default="zh_CN", help="zh_CN (default) or en")
    guide.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    guide.add_argument("--dir", help="catalog folder (default: the installed assets/catalog)")
    guide.set_defaults(handler=_guide)


def _check(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(args.dir)
    except CatalogError as error:
        for problem in error.problems:
            print(problem)
        print(f"{len(error.problems)} problem(s) found", file=sys.stderr)
        return 1
    for warning in catalog.warnings:
        print(f"warning: {warning}")
    print(f"catalog OK: {len(catalog.scenarios)} scenarios, {len(catalog.items)} items, "
          f"{len(catalog.fields)} shared fields; {len(catalog.warnings)} warning(s) about missing sources")
    return 0


def _guide(args: argparse.Namespace) -> int:
    from kiosk.catalog.guide import build_guide, render_html
    from kiosk.catalog.guide_pdf import write_pdf

    try:
        catalog = load_catalog(args.dir)
    except CatalogError as error:
        print("the catalog has problems; run 'kiosk catalog check' first", file=sys.stderr)
        for problem in error.problems[:10]:
            print(problem, file=sys.stderr)
        return 1
    if args.all == bool(args.scenario):
        print("name one SCENARIO or give --all", file=sys.stderr)
        return 2
    ids = list(catalog.scenarios) if args.all else [args.scenario]
    unknown = [i for i in ids if i not in catalog.scenarios]
    if unknown:
        print(f"unknown scenario {unknown[0]!r}; known: {', '.join(catalog.scenarios)}", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"cannot create {out}: {error.strerror}", file=sys.stderr)
        return 1
    for scenario_id in ids:
        guide = build_guide(catalog, scenario_id, args.lang)
        html_text = render_html(guide)
        (out / f"{scenario_id}.html").write_text(html_text, encoding="utf-8")
        line = f"{scenario_id}: {out / (scenario_id + '.html')}"
        if not args.no_pdf:
            pages = write_pdf(html_text, out / f"{scenario_id}.pdf")
            line += f", {out / (scenario_id + '.pdf')} ({pages} page(s))"
        print(f"{line}; {len(guide.review)} point(s) to verify")
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
