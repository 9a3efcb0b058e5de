"""PinyinEngine on the real librime with our district dictionary."""

from __future__ import annotations

import pytest

from kiosk.ime import ImeError, PinyinEngine, RimeData
from kiosk.ime.rime_api import load_api


def top(engine: PinyinEngine, letters: str, n: int = 5) -> list[str]:
    engine.clear()
    engine.type_letters(letters)
    return engine.candidates(0)[:n]


def test_common_words_come_first(engine: PinyinEngine) -> None:
    assert top(engine, "shangmao", 3)[0] == "商贸"
    assert top(engine, "youxiangongsi", 1) == ["有限公司"]
    assert top(engine, "ganjingziqu", 1) == ["甘井子区"]
    assert "汽车" in top(engine, "qiche", 2)


def test_our_dictionary_joins_into_one_phrase(engine: PinyinEngine) -> None:
    assert top(engine, "dalianxinyuanshangmaoyouxiangongsi", 1) == ["大连鑫源商贸有限公司"]
    # 鑫源 (a trade name of ours) before the stock 心愿
    assert top(engine, "xinyuan", 1) == ["鑫源"]
    assert top(engine, "huabeilu", 1) == ["华北路"]


def test_abbreviations(engine: PinyinEngine) -> None:
    assert "什么" in top(engine, "sm")
    assert "商贸" in top(engine, "sm")
    assert "环保" in top(engine, "hb")


def test_preedit_shows_syllables(engine: PinyinEngine) -> None:
    engine.type_letters("ganjingziqu")
    assert engine.preedit == "gan jing zi qu"
    assert engine.input == "ganjingziqu"


def test_paging_returns_distinct_pages(engine: PinyinEngine) -> None:
    engine.type_letters("shi")
    first, second = engine.candidates(0), engine.candidates(1)
    assert len(first) == engine.page_size == len(second)
    assert not set(first) & set(second)
    assert engine.has_page(5)
    assert not engine.has_page(-1)
    engine.clear()
    engine.type_letters("youxiangongsi")
    last = 0
    while engine.has_page(last + 1):
        last += 1
    assert 0 < len(engine.candidates(last)) <= engine.page_size
    assert engine.candidates(last + 1) == []


def test_select_on_a_later_page_commits_that_word(engine: PinyinEngine) -> None:
    engine.type_letters("shi")
    word = engine.candidates(2)[3]
    assert engine.select(2 * engine.page_size + 3) == word
    assert not engine.composing
    assert engine.candidates(0) == []


def test_select_part_then_rest(engine: PinyinEngine) -> None:
    engine.type_letters("dalianxinyuan")
    assert engine.candidates(0)[1] == "大连"
    assert engine.select(1) == ""  # only the first word chosen, rest still composing
    assert engine.preedit == "大连xin yuan"
    assert engine.candidates(0)[0] == "鑫源"
    assert engine.select(0) == "大连鑫源"
    assert not engine.composing


def test_select_out_of_range(engine: PinyinEngine) -> None:
    with pytest.raises(IndexError):
        engine.select(0)  # nothing composed
    engine.type_letters("shangmao")
    with pytest.raises(IndexError):
        engine.select(-1)


def test_space_commits_first_and_enter_commits_letters(engine: PinyinEngine) -> None:
    engine.type_letters("shangmao")
    assert engine.confirm() == "商贸"
    engine.type_letters("shangmao")
    assert engine.commit_input() == "shangmao"
    assert engine.confirm() == "" and engine.commit_input() == ""


def test_backspace(engine: PinyinEngine) -> None:
    engine.type_letters("shang")
    assert engine.backspace() is True
    assert engine.input == "shan"
    for _ in range(4):
        assert engine.backspace() is True
    assert engine.input == ""
    # Nothing left to compose: the caller deletes in the text field instead.
    assert engine.backspace() is False


def test_only_pinyin_letters(engine: PinyinEngine) -> None:
    with pytest.raises(ValueError):
        engine.type_letters("abc1")
    engine.clear()
    assert engine.type_letters("xi'an") == ""
    assert "西安" in engine.candidates(0)[:3]


def test_user_learning_is_off(rime_data: RimeData) -> None:
    with PinyinEngine(rime_data) as first:
        first.type_letters("shi")
        before = first.candidates(0)
        rare = first.candidates(3)[2]
        assert first.select(3 * first.page_size + 2) == rare
        first.type_letters("shi")
        assert first.candidates(0) == before  # not even within the same session
    with PinyinEngine(rime_data) as second:
        second.type_letters("shi")
        assert second.candidates(0) == before
    assert not list(rime_data.user_dir.glob("*.userdb*"))


def test_reset_and_clear_leave_no_composition(engine: PinyinEngine) -> None:
    engine.type_letters("dalianxin")
    engine.select(1)
    old_session = engine.session_id
    engine.reset()
    assert not load_api().find_session(old_session)  # the citizen's session is destroyed
    assert load_api().find_session(engine.session_id)
    assert engine.input == "" and engine.preedit == "" and engine.candidates(0) == []
    assert engine.confirm() == ""
    engine.type_letters("shang")
    engine.clear()
    assert not engine.composing and engine.candidates(0) == []


def test_closed_engine_refuses_use(rime_data: RimeData) -> None:
    engine = PinyinEngine(rime_data)
    engine.close()
    with pytest.raises(ImeError) as caught:
        engine.type_letters("a")
    assert caught.value.key == "ime.error"


def test_two_sessions_are_independent(rime_data: RimeData) -> None:
    with PinyinEngine(rime_data) as a, PinyinEngine(rime_data) as b:
        a.type_letters("shang")
        b.type_letters("qiche")
        assert a.input == "shang" and b.input == "qiche"
        a.clear()
        assert b.candidates(0)[0] == "汽车"
