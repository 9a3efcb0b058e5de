"""Width-aware layout: hanzi take two columns, lines never exceed the paper, characters stay whole."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer import layout

MIXED = st.text(
    alphabet=st.sampled_from(
        list("受理回执企业设立登记，。：；（）ＡＢ１２㐀abcXYZ0123456789 -/.")
    ),
    max_size=120,
)


def test_char_widths() -> None:
    assert [layout.char_width(c) for c in "a受，Ａ·㐀"] == [1, 2, 2, 2, 2, 2]
    assert layout.text_width("SL2024 受理") == 11


@settings(max_examples=200, deadline=None)
@given(text=MIXED, columns=st.sampled_from([32, 48]))
def test_wrap_never_exceeds_width_and_loses_no_character(text: str, columns: int) -> None:
    lines = layout.wrap(text, columns)
    assert all(layout.text_width(line) <= columns for line in lines)
    # Only spaces at a break may disappear.
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@settings(max_examples=100, deadline=None)
@given(key=MIXED, value=MIXED, columns=st.sampled_from([32, 48]))
def test_key_value_never_exceeds_width(key: str, value: str, columns: int) -> None:
    assert all(layout.text_width(line) <= columns for line in layout.key_value(key, value, columns))


def test_wrap_breaks_between_hanzi_not_inside_them() -> None:
    # 17 hanzi = 34 columns: the 17th moves to the next line whole.
    assert layout.wrap("受" * 17, 32) == ["受" * 16, "受"]
    # An odd column left over stays empty rather than splitting a hanzi.
    assert layout.wrap("a" + "受" * 16, 32) == ["a" + "受" * 15, "受"]


def test_closing_punctuation_does_not_start_a_line() -> None:
    lines = layout.wrap("受" * 16 + "。", 32)
    assert lines == ["受" * 15, "受。"]


def test_ascii_words_stay_whole_and_long_ones_are_cut() -> None:
    assert layout.wrap("hello world again", 12) == ["hello world", "again"]
    assert layout.wrap("x" * 40, 32) == ["x" * 32, "x" * 8]


def test_key_value_on_one_line_or_value_below() -> None:
    assert layout.key_value("编号：", "A1", 16) == ["编号：" + " " * 8 + "A1"]
    assert layout.key_value("地址：", "辽宁省大连市甘井子区", 16) == [
        "地址：",
        "  辽宁省大连市甘",
        "  井子区",
    ]  # 14 columns: 7 hanzi


@pytest.mark.parametrize("columns", [32, 48])
def test_table_fills_the_width_and_wraps_cells(columns: int) -> None:
    rows = (
        ("企业设立登记", "市场监督管理局", "3个工作日"),
        ("申领发票及税控设备", "税务局", "即办"),
    )
    lines = layout.table(("事项", "承办部门", "承诺时限"), rows, columns)
    assert all(layout.text_width(line) <= columns for line in lines)
    assert lines[1] == "-" * columns
    joined = "".join(lines).replace(" ", "")
    for cell in ("企业设立登记", "市场监督管理局", "3个工作日", "申领发票及税控设备"):
        assert all(char in joined for char in cell)


def test_table_too_narrow_is_refused() -> None:
    with pytest.raises(ValueError):
        layout.table(("a", "b", "c", "d", "e", "f", "g"), (), 20)
