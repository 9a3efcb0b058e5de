"""``kiosk run --script DIR --scenario … --answers … --display … --size …``: what the options
become, and the plain error for each bad one (before any window opens)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kiosk.catalog import load_catalog
from kiosk.errors import ConfigError
from screens.commands.run import journeys_from_args

CATALOG = load_catalog()


def _args(**options: object) -> argparse.Namespace:
    defaults = {"scenario": None, "answers": None, "display": None, "size": None}
    defaults.update(options)
    return argparse.Namespace(**defaults)


def test_lists_and_repeats_give_each_scenario_in_each_mode_and_size(tmp_path: Path) -> None:
    answers = tmp_path / "llc.json"
    answers.write_text(json.dumps({"situation": {"org_form": "llc", "shareholders": "several"},
                                   "answers": {"enterprise.capital": "80"}}), encoding="utf-8")
    journeys = journeys_from_args(_args(scenario=["new_enterprise,retirement"], answers=[answers],
                                        display=["zh,contrast"], size=["1080x1920"]), CATALOG)
    assert [(j.scenario, j.display, j.size) for j in journeys] == [
        ("new_enterprise", "zh", (1080, 1920)), ("new_enterprise", "contrast", (1080, 1920)),
        ("retirement", "zh", (1080, 1920)), ("retirement", "contrast", (1080, 1920))]
    first = journeys[0]
    assert first.choices["org_form"] == "llc" and first.choices["shareholders"] == "several"
    assert set(first.choices) == {q.id for q in CATALOG.scenarios["new_enterprise"].questions
                                  if q.id in first.choices}  # the rest generated: first options
    assert dict(first.answers) == {"enterprise.capital": "80"}


@pytest.mark.parametrize(("options", "message"), [
    ({"scenario": ["no_such_thing"]}, "not in the catalog"),
    ({"scenario": ["retirement"], "display": ["dark"]}, "use one of zh, en, large, contrast"),
    ({"scenario": ["retirement"], "size": ["big"]}, "WIDTHxHEIGHT"),
    ({"scenario": ["retirement"], "size": ["100x100"]}, "320 to 7680"),
])
def test_bad_options_are_plain_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        journeys_from_args(_args(**options), CATALOG)


def test_bad_answers_files_are_plain_errors(tmp_path: Path) -> None:
    wrong_value = tmp_path / "a.json"
    wrong_value.write_text(json.dumps({"situation": {"has_fund": "maybe"}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="'maybe' is not an answer to 'has_fund'"):
        journeys_from_args(_args(scenario=["retirement"], answers=[wrong_value]), CATALOG)
    not_asked = tmp_path / "b.json"
    not_asked.write_text(json.dumps({"situation": {"org_form": "llc"}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="org_form: not asked in retirement"):
        journeys_from_args(_args(scenario=["retirement"], answers=[not_asked]), CATALOG)
    broken = tmp_path / "c.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read the answers"):
        journeys_from_args(_args(scenario=["retirement"], answers=[broken]), CATALOG)
    with pytest.raises(ConfigError, match="one per scenario"):
        journeys_from_args(_args(scenario=["retirement"], answers=[broken, broken]), CATALOG)
