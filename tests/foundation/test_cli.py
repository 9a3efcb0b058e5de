"""``kiosk catalog list`` and ``kiosk flow walk`` as a person would run them."""

import json
import random

from identity.idnumber import generate_person
from kiosk.catalog import load_catalog
from kiosk.engine import Flow
from kiosk.sample_answers import answer_questions, fill_form
from screens.cli import main


def test_catalog_list_json(capsys):
    assert main(["catalog", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 26
    restaurant = next(r for r in rows if r["id"] == "open_restaurant")
    assert restaurant["kind"] == "one-thing" and "food_business_license" in restaurant["items"]
    assert restaurant["questions"] > 0 and restaurant["form_pages"]["min"] >= 1


def answers_file(tmp_path, scenario_id, *, break_mobile=False):
    rng = random.Random(1)
    flow = Flow(load_catalog(), scenario_id)
    person = generate_person(rng)
    flow.prefill({"applicant.name": person.name, "applicant.id_number": person.id_number})
    answer_questions(flow, rng)
    fill_form(flow, rng)
    (tmp_path / "page1.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    data = {
        "situation": flow.situation,
        "answers": flow.answers,
        "attachments": {m.material.id: ["page1.jpg"] for m in flow.missing_materials()},
    }
    if break_mobile:
        data["answers"]["applicant.mobile"] = "123"
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def test_flow_walk_prints_the_submission(tmp_path, capsys):
    path = answers_file(tmp_path, "open_convenience_store")
    assert main(["flow", "walk", "open_convenience_store", "--answers", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result["submission"]["reference"].startswith("GJZ-")
    assert result["form"] and result["materials"]
    person = generate_person(random.Random(1))  # the applicant answers_file() wrote
    assert person.id_number not in out and person.name not in out  # masked without --show-pii
    args = ["flow", "walk", "open_convenience_store", "--answers", str(path), "--json", "--show-pii"]
    assert main(args) == 0
    assert person.id_number in capsys.readouterr().out


def test_cli_errors_never_print_personal_data(capsys):
    import argparse

    from kiosk.cli_support import run
    from wire.errors import KioskError

    number = generate_person(random.Random(2)).id_number

    def fails(_args):
        raise KioskError(f"card says {number}, phone 13912345678", key="device.protocol")

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=fails)
    assert run(parser, []) == 1
    err = capsys.readouterr().err
    assert number not in err and "13912345678" not in err
    assert number[:3] + "*" * 13 + number[-2:] in err


def test_flow_walk_reports_problems_in_plain_words(tmp_path, capsys):
    path = answers_file(tmp_path, "retirement", break_mobile=True)
    assert main(["flow", "walk", "retirement", "--answers", str(path)]) == 1
    assert "applicant.mobile: Please enter an 11-digit mobile number." in capsys.readouterr().out


def test_flow_walk_with_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["flow", "walk", "retirement", "--answers", str(bad)]) == 50
    assert "cannot read the answers" in capsys.readouterr().err
    good = answers_file(tmp_path, "retirement")
    assert main(["flow", "walk", "no_such_thing", "--answers", str(good)]) == 31
