"""The Fleet and Kiosk pages in Debian's chromium (headless, Playwright): a growing queue drawn
and flagged, a revoked kiosk with no stale queue, commands with their state and result, and the
kiosk's screenshot. Desktop and phone screenshots go to out/console-screens/<backend>/."""

from __future__ import annotations

import io
from pathlib import Path

import requests
from central_helpers import SignedKiosk, bearer, enrol
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, expect
from test_central_console_browser import DESKTOP, PHONE, SHOTS, browser  # noqa: F401  (fixture)

from central.embedded import EmbeddedCentral
from wire import signing


def _command(central: EmbeddedCentral, token: str, kiosk_id: str, kind: str) -> str:
    reply = requests.post(f"{central.url}/api/v1/kiosks/{kiosk_id}/commands", json={"kind": kind},
                          headers=bearer(token), timeout=10)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def _upload_screen(kiosk: SignedKiosk, command_id: str) -> None:
    picture = Image.new("RGB", (1280, 720), "#f3f5f9")
    ImageDraw.Draw(picture).rounded_rectangle((40, 360, 800, 700), 24, fill="#ffffff")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    reply = kiosk.send("POST", f"/api/v1/screenshots?command_id={command_id}&screen=attract",
                       buffer.getvalue(), headers={"Content-Type": "image/jpeg",
                                                   signing.HEADER_IDEMPOTENCY: "shot-" + command_id})
    assert reply.status_code == 201, reply.text


def test_fleet_and_kiosk_pages_in_a_browser(central: EmbeddedCentral, browser: Browser) -> None:  # noqa: F811
    token = central.token("admin")
    shots = SHOTS / central.state.engine.dialect.name
    shots.mkdir(parents=True, exist_ok=True)
    growing, revoked, working = enrol(central), enrol(central), enrol(central)
    for depth in (0, 0, 1, 2, 2, 3, 4):
        assert growing.heartbeat(queue_depth=depth).status_code == 200
    assert revoked.heartbeat(queue_depth=6).status_code == 200
    requests.post(f"{central.url}/api/v1/kiosks/{revoked.kiosk_id}/revoke", headers=bearer(token),
                  timeout=10).raise_for_status()
    printed, paper, shot, waiting = (
        _command(central, token, working.kiosk_id, kind)
        for kind in ("print_test_page", "print_test_page", "screenshot", "restart")
    )
    assert working.heartbeat(queue_depth=0).status_code == 200  # hands out all four: "sent"
    _upload_screen(working, shot)
    results = [{"id": printed, "ok": True, "outcome": "printed"},
               {"id": paper, "ok": False, "outcome": "failed: printer.paper_out"},
               {"id": shot, "ok": True, "outcome": "uploaded (attract, 31 KB)"}]
    reply = working.heartbeat([printed, paper, shot], queue_depth=0, command_results=results)
    assert reply.status_code == 200 and [c["id"] for c in reply.json()["commands"]] == [waiting]

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(central.url + "/console/login")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    expect(page.locator(".alerts")).to_contain_text("待发送队列积压")
    row = page.locator("tr", has=page.locator(f'a[href="/console/kiosks/{growing.kiosk_id}"]'))
    expect(row.locator("td.queue .q-growing")).to_have_text("队列增长")
    expect(row.locator("svg.spark.growing polyline")).to_have_count(1)
    gone = page.locator("tr", has=page.locator(f'a[href="/console/kiosks/{revoked.kiosk_id}"]'))
    expect(gone.locator("td.queue")).to_have_text("不再上报（已停用）")

    page.goto(f"{central.url}/console/kiosks/{working.kiosk_id}")
    states = page.locator("table.commands tbody tr")
    expect(states).to_have_count(4)
    expect(page.locator(f'tr[data-command="{waiting}"] .pill')).to_have_text("已下发")
    expect(page.locator(f'tr[data-command="{paper}"] .pill')).to_have_text("失败")
    expect(page.locator(f'tr[data-command="{paper}"] td.result')).to_contain_text("打印机缺纸")
    expect(page.locator(f'tr[data-command="{printed}"] td.result')).to_have_text("已打印")
    image = page.locator("img.screenshot")
    expect(image).to_have_count(1)
    assert image.evaluate("i => i.naturalWidth") == 1280
    cookies = context.cookies()
    context.close()

    for lang in ("zh", "en"):
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            view = browser.new_context(viewport=size, locale="zh-CN")
            view.add_cookies([*cookies, {"name": "kc_lang", "value": lang, "url": central.url}])
            tab = view.new_page()
            for name, path in (("fleet-trend", "/console/fleet"),
                               ("kiosk-commands", f"/console/kiosks/{working.kiosk_id}")):
                tab.goto(central.url + path)
                suffix = "" if lang == "zh" else "-en"
                tab.screenshot(path=str(shots / f"{name}{suffix}-{size_name}.png"), full_page=True)
                wide = tab.evaluate("""() => [...document.querySelectorAll('main *')]
                    .filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > innerWidth + 1)
                    .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
                assert not wide, f"{name} {lang} {size_name}: wider than the window: {wide}"
            view.close()
    assert Path(shots / "kiosk-commands-phone.png").exists()

