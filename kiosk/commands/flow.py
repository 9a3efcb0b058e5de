"""``kiosk flow walk``: walk a scenario headless from a JSON file of answers.

The answers file looks like::

    {"situation": {"org_form": "llc", ...},
     "answers": {"applicant.name": "...", ...},
     "attachments": {"premises_proof": ["lease-page1.jpg"]},
     "kiosk_id": "K-TEST", "location": "..."}

Attachment paths are relative to the answers file. Prints the items, the merged form, the
materials and either the submission document (the applicant's data masked as in the logs,
unless ``--show-pii``) or every problem.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.catalog import load_catalog
from kiosk.engine import Flow
from kiosk.errors import ConfigError, FlowError, ValidationError
from kiosk.i18n import t
from kiosk.logs import declare_personal, mask_value


def register(sub: argparse._SubParsersAction) -> None:
    flow = sub.add_parser("flow", help="walk a scenario headless")
    actions = flow.add_subparsers(dest="action", metavar="ACTION", required=True)
    walk = actions.add_parser("walk", help="walk SCENARIO with the answers in FILE.json")
    walk.add_argument("scenario", help="scenario id (see `kiosk catalog list`)")
    walk.add_argument("--answers", required=True, type=Path, help="JSON file of answers")
    walk.add_argument("--catalog", help="catalog folder (default: the installed one)")
    walk.add_argument("--json", action="store_true", help="print one JSON document")
    walk.add_argument("--lang", default="en", choices=["zh_CN", "en"], help="language of messages")
    walk.add_argument("--show-pii", action="store_true",
                      help="print the applicant's data unmasked in the submission document")
    walk.set_defaults(handler=_walk)


def _read_answers(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the answers: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return data


def walk(flow: Flow, data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Apply answers to ``flow`` and describe the outcome as a JSON-ready dict."""
    problems: dict[str, str] = {}
    situation = data.get("situation", {})
    while (question := flow.next_question()) is not None:
        if question.id not in situation:
            problems[question.id] = "unanswered 情形 question"
            break
        flow.answer(question.id, str(situation[question.id]))
    for field_id, value in data.get("answers", {}).items():
        if field_id in {f.id for f in flow.fields()}:
            flow.set(field_id, value)
    for material_id, files in data.get("attachments", {}).items():
        try:
            flow.attach(material_id, [(base / name).read_bytes() for name in files])
        except OSError as error:
            problems[material_id] = f"cannot read attachment: {error}"
    result: dict[str, Any] = {
        "scenario": flow.scenario.id,
        "items": [{"id": i.id, "title": i.title.zh, "department": i.department.zh} for i in flow.items()],
        "form": [
            {"page": p.id, "title": p.title.zh, "fields": [f.id for f in flow.page_fields(p.id)]}
            for p in flow.pages()
        ],
        "materials": [
            {"id": m.material.id, "name": m.material.name.zh, "items": [i.id for i in m.items]}
            for m in flow.materials()
        ],
    }
    if not problems:
        try:
            result["submission"] = flow.submission(data.get("kiosk_id", "K-WALK"), data.get("location", ""))
        except ValidationError as error:
            for field_id, field_error in getattr(error, "errors", {}).items():
                problems[field_id] = field_error.key
            for material_id in getattr(error, "missing", []):
                problems[material_id] = "validation.materials_missing"
    if problems:
        result["errors"] = problems
    return result


def _walk(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    data = _read_answers(args.answers)
    try:
        result = walk(Flow(catalog, args.scenario), data, args.answers.parent)
    except FlowError as error:
        print(f"error: {t(error.key, args.lang)} ({error.detail})")
        return error.exit_code
    if "submission" in result and not args.show_pii:
        declare_personal(catalog.personal_field_ids())
        result["submission"] = mask_value(result["submission"])
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"Scenario {result['scenario']}: {len(result['items'])} items")
        for item in result["items"]:
            print(f"  - {item['title']} ({item['department']})")
        print("Form pages:")
        for page in result["form"]:
            print(f"  [{page['page']}] {page['title']}: {', '.join(page['fields'])}")
        print("Materials:")
        for material in result["materials"]:
            print(f"  - {material['name']}  (for {', '.join(material['items'])})")
        if "submission" in result:
            print(f"Submission {result['submission']['reference']} is complete.")
        for key, reason in result.get("errors", {}).items():
            print(f"  problem: {key}: {t(reason, args.lang) if '.' in reason else reason}")
    return 1 if "errors" in result else 0
