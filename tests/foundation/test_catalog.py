"""Loading the catalog, and every kind of broken catalog reported as file:line: reason."""

import shutil
from pathlib import Path

import pytest

from kiosk.catalog import DEFAULT_DIR, load_catalog
from kiosk.errors import CatalogError
from screens.cli import main


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    return info.value.problems


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_shipped_catalog_has_the_new_enterprise_flow_and_twenty_five_one_thing_scenarios():
    catalog = load_catalog()
    kinds = [s.kind for s in catalog.scenarios.values()]
    assert kinds.count("new-enterprise") == 1
    assert kinds.count("one-thing") == 25
    seven = [ref.item.id for ref in catalog.scenarios["new_enterprise"].items]
    assert seven == [
        "name_declaration", "setup_registration", "seal_engraving", "invoice_tax",
        "social_insurance", "housing_fund", "bank_account",
    ]
    assert catalog.scenarios["open_restaurant"].initials == "wykcg"


def test_yaml_syntax_error(catalog_copy):
    path = catalog_copy / "items" / "permits.yaml"
    text = path.read_text().replace("  legal_days: 45\n", "  legal_days: [45\n", 1)
    path.write_text(text)
    problem = problems_of(catalog_copy)[0]  # the items of that file are then unknown, too
    line = line_of(path, "legal_days: [45")
    assert problem.startswith(f"catalog/items/permits.yaml:{line + 1}: YAML error")


def test_duplicate_item_id(catalog_copy):
    path = catalog_copy / "items" / "permits.yaml"
    path.write_text(path.read_text().replace("- id: medical_institution_license", "- id: signboard_filing"))
    problems = problems_of(catalog_copy)
    lines = [i for i, text in enumerate(path.read_text().splitlines(), 1) if text == "- id: signboard_filing"]
    assert f"catalog/items/permits.yaml:{lines[1]}: duplicate item id 'signboard_filing'" in problems


def test_unknown_item_in_a_scenario(catalog_copy):
    path = catalog_copy / "scenarios" / "03-lifecycle-one-thing.yaml"
    path.write_text(path.read_text().replace("    - bank_account_closing", "    - bank_account_closed"))
    [problem] = problems_of(catalog_copy)
    assert problem.startswith("catalog/scenarios/03-lifecycle-one-thing.yaml:")
    assert "unknown item 'bank_account_closed'" in problem


def test_bad_expression(catalog_copy):
    path = catalog_copy / "items" / "enterprise.yaml"
    path.write_text(path.read_text().replace('applies_when: "invoices == \'yes\'"', 'applies_when: "invoices = yes"'))
    [problem] = problems_of(catalog_copy)
    line = line_of(path, 'applies_when: "invoices = yes"')
    assert problem.startswith(f"catalog/items/enterprise.yaml:{line}: bad expression")


def test_expression_with_an_unknown_name(catalog_copy):
    path = catalog_copy / "items" / "enterprise.yaml"
    path.write_text(path.read_text().replace("applies_when: \"hiring == 'yes'\"", "applies_when: \"hire == 'yes'\"", 1))
    problems = problems_of(catalog_copy)
    assert any("unknown name 'hire'" in p and p.startswith("catalog/items/enterprise.yaml:") for p in problems)


def test_conflicting_field_definitions(catalog_copy):
    path = catalog_copy / "items" / "permits.yaml"
    path.write_text(
        path.read_text().replace(
            "      label: {zh: 总质量4.5吨以上货车数量（辆）, en: Trucks over 4.5 t}",
            "      label: {zh: 总质量4.5吨以上货车数量（辆）, en: Trucks over 4.5 t}\n    - id: staff.count\n"
            "      type: text\n      page: staff\n      label: {zh: 员工, en: Staff}",
        )
    )
    problems = problems_of(catalog_copy)
    assert any("field 'staff.count' is defined differently at catalog/fields.yaml:" in p for p in problems)


def test_unknown_page_and_type_and_a_missing_file(catalog_copy):
    path = catalog_copy / "fields.yaml"
    path.write_text(path.read_text().replace("page: premises", "page: premisses", 1).replace("type: mobile", "type: cellphone", 1))
    (catalog_copy / "pages.yaml").rename(catalog_copy / "pages.yml")
    problems = problems_of(catalog_copy)
    assert any(p.startswith("catalog/pages.yaml:1: missing file") for p in problems)
    assert any("unknown field type 'cellphone'" in p for p in problems)


def test_catalog_check_command(catalog_copy, capsys):
    assert main(["catalog", "check", str(catalog_copy)]) == 0
    path = catalog_copy / "scenarios" / "04-citizen-one-thing.yaml"
    path.write_text(path.read_text().replace("- id: retirement", "- id: newborn"))
    assert main(["catalog", "check", str(catalog_copy)]) == 1
    out = capsys.readouterr().out
    assert "catalog/scenarios/04-citizen-one-thing.yaml:" in out and "duplicate scenario id 'newborn'" in out


def _rename_delivery_question(folder: Path, new_id: str) -> None:
    for path in [*(folder / "scenarios").glob("*.yaml"), folder / "fields.yaml"]:
        path.write_text(path.read_text().replace("- id: delivery\n", f"- id: {new_id}\n")
                        .replace("delivery == 'mail'", f"{new_id} == 'mail'"))


def test_the_core_finds_the_delivery_question_by_its_declared_role_not_its_id(catalog_copy):
    import random

    from kiosk.engine import Flow
    from kiosk.sample_answers import fill_form

    _rename_delivery_question(catalog_copy, "handover")
    catalog = load_catalog(catalog_copy)
    question = catalog.scenarios["newborn"].question_for("delivery")
    assert question is not None and question.id == "handover"
    assert question.label_of("mail", "zh_CN") == "免费邮寄"
    flow = Flow(catalog, "newborn")
    flow.answer("married", "yes")
    flow.answer("handover", "mail")
    assert flow.situation_for("delivery") == "mail"
    fill_form(flow, random.Random(3))
    for need in flow.materials():
        flow.attach(need.material.id, [b"\xff\xd8page"])
    document = flow.submission("K-TEST", "24小时自助区")
    assert document["delivery"]["method"] == "mail"
    assert document["delivery"]["address"]  # the address field of the declared question's "mail"


def test_a_question_role_is_checked_where_it_is_declared(catalog_copy):
    path = catalog_copy / "scenarios" / "04-citizen-one-thing.yaml"
    text = path.read_text()
    path.write_text(text.replace("      role: delivery\n", "      role: posting\n", 1))
    line = line_of(path, "role: posting")
    assert f"catalog/scenarios/04-citizen-one-thing.yaml:{line}: unknown question role 'posting' (known: bank, delivery)" \
        in problems_of(catalog_copy)
    path.write_text(text.replace("        - {value: mail, label: {zh: 免费邮寄, en: Free postal delivery}}\n",
                                 "        - {value: post, label: {zh: 免费邮寄, en: Free postal delivery}}\n", 1))
    line = line_of(path, "role: delivery")
    assert f"catalog/scenarios/04-citizen-one-thing.yaml:{line}: a 'delivery' question needs the options mail" \
        in problems_of(catalog_copy)
