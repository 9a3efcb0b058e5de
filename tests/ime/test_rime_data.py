"""Building and finding our Rime data folder; errors when librime's data is missing."""

from __future__ import annotations

import ctypes
import shutil
from pathlib import Path

import pytest

from kiosk.i18n import t
from kiosk.ime import ImeBuildError, ImeError, ImeUnavailable, PinyinEngine, RimeData, ensure_built
from kiosk.ime.deploy import BUILD_STAMP, RIME_ASSETS, fingerprint
from kiosk.ime.rime_api import FUNCTION_COUNT, RimeApi, library_version, load_api


def test_binding_matches_the_installed_struct() -> None:
    api = load_api()
    # rime_get_api() sets data_size = sizeof(RimeApi) - sizeof(int) of the library's own header
    assert api.data_size == ctypes.sizeof(RimeApi) - ctypes.sizeof(ctypes.c_int)
    assert FUNCTION_COUNT == 88
    assert library_version().startswith("1.")


def test_built_folder_holds_our_tables(rime_data: RimeData) -> None:
    assert (rime_data.user_dir / BUILD_STAMP).is_file()
    assert (rime_data.build_dir / "luna_pinyin_kiosk.table.bin").is_file()
    schema = (rime_data.build_dir / "luna_pinyin_simp.schema.yaml").read_text()
    assert "luna_pinyin_kiosk" in schema
    assert "enable_user_dict: false" in schema


def test_a_built_folder_is_reused_without_running_the_deployer(tmp_path: Path) -> None:
    target = tmp_path / f"data-{fingerprint(RIME_ASSETS, 'x')}"
    target.mkdir()
    (target / BUILD_STAMP).write_text("x")
    # A missing shared folder would fail any build: reaching it means no rebuild happened.
    data = ensure_built(tmp_path, shared_dir=tmp_path / "nowhere", librime_version="x")
    assert data.user_dir == target


def test_fingerprint_follows_content_and_version(tmp_path: Path) -> None:
    shutil.copytree(RIME_ASSETS, tmp_path / "rime")
    before = fingerprint(tmp_path / "rime", "1.8.5")
    assert fingerprint(tmp_path / "rime", "1.9.0") != before
    with open(tmp_path / "rime" / "luna_pinyin_kiosk.dict.yaml", "a", encoding="utf-8") as dict_file:
        dict_file.write("泉水\tquan shui\t100000\n")
    assert fingerprint(tmp_path / "rime", "1.8.5") != before


def test_missing_rime_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImeUnavailable) as caught:
        ensure_built(tmp_path / "cache", shared_dir=tmp_path / "empty", librime_version="x")
    assert "rime-data-luna-pinyin" in str(caught.value)
    assert t(caught.value.key) == "中文输入法未安装，请联系工作人员。"
    assert t(caught.value.key, "en").startswith("Chinese input")


def test_broken_dictionary_fails_the_build_and_leaves_no_folder(tmp_path: Path) -> None:
    sources = tmp_path / "rime"
    shutil.copytree(RIME_ASSETS, sources)
    (sources / "luna_pinyin_kiosk.dict.yaml").write_text("---\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(ImeBuildError):
        ensure_built(tmp_path / "cache", sources=sources, librime_version="x")
    assert not list((tmp_path / "cache").glob("data-*"))
    assert not list((tmp_path / "cache").glob("building-*"))


def test_engine_refuses_an_unbuilt_folder(tmp_path: Path) -> None:
    with pytest.raises(ImeUnavailable):
        PinyinEngine(RimeData(user_dir=tmp_path))


def test_engine_refuses_a_second_data_folder(rime_data: RimeData, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(rime_data.user_dir, other)
    PinyinEngine(rime_data).close()  # librime now runs with rime_data
    with pytest.raises(ImeError, match="already runs"):
        PinyinEngine(RimeData(user_dir=other))


def test_every_error_key_has_both_languages() -> None:
    for key in ("ime.error", "ime.unavailable", "ime.build_failed"):
        assert t(key, "zh_CN") != key and t(key, "en") != key


def test_engine_and_speech_do_not_import_kivy() -> None:
    import subprocess
    import sys

    code = "import sys, kiosk.ime, kiosk.speech; print('kivy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
