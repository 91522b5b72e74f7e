"""Drive Debian's headless Chromium with Playwright: wait for Streamlit runs to settle, record every
request that leaves the machine, and collect exceptions shown on the page."""
from __future__ import annotations

import re
import shutil
import time
from contextlib import contextmanager
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]
LOCAL = {"localhost", "127.0.0.1", "::1", "[::1]"}


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Session:
    """One browser context: a person at one screen."""

    def __init__(self, b, base: str, width: int = 1440, height: int = 900):
        self.base = base.rstrip("/")
        self.context = b.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                     timezone_id="Asia/Shanghai")
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL:
            return route.continue_()
        self.outside.append(route.request.url)
        return route.abort()

    def settle(self, timeout: float = 120_000) -> None:
        """Wait until Streamlit has finished running the script and nothing is loading."""
        self.page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                                    timeout=timeout, state="attached")
        self.page.wait_for_timeout(400)
        self.page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                                    timeout=timeout, state="attached")

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base + path, wait_until="domcontentloaded")
        self.settle()

    def click_text(self, text: str) -> None:
        self.page.get_by_role("button", name=re.compile(re.escape(text))).first.click()
        self.page.wait_for_timeout(300)
        self.settle()

    def demo_login(self, label: str, community_name: str | None = None) -> None:
        self.open("/")
        if community_name:
            self.page.get_by_label("社区").click()
            self.page.keyboard.type(community_name)  # a short (phone) window lists only the first few
            self.page.get_by_role("option", name=community_name).click()
        self.click_text(label)
        # signed in only once the session cookie is written (by the next run's script): on a busy
        # machine the click's run may not have begun when settle() first looks
        deadline = time.monotonic() + 120
        while not any(c["name"] == "wenming_session" for c in self.context.cookies()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"demo login「{label}」did not sign in within 120 s")
            self.page.wait_for_timeout(250)
        self.settle()

    def exceptions(self) -> list[str]:
        return [e.inner_text() for e in self.page.locator("[data-testid='stException']").all()]

    def text(self) -> str:
        return self.page.locator("[data-testid='stApp']").inner_text()

    def shot(self, path: str, full_page: bool = True) -> None:
        self.page.screenshot(path=path, full_page=full_page)

    def close(self) -> None:
        self.context.close()
