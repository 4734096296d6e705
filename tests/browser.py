"""A real headless browser for the tests: Chromium driven over the DevTools protocol on a pair of
pipes (`--remote-debugging-pipe`: JSON messages ended by a NUL byte on file descriptors 3 and 4),
so no driver package and no port is needed.

`Browser.open(url)` loads a page and keeps what it said and fetched: console errors, uncaught
exceptions, error log entries and every request's URL; `Page.evaluate` runs JavaScript in it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find() -> str | None:
    """The Chromium on this machine's PATH, if any (Debian package `chromium`)."""
    return next((found for name in NAMES if (found := shutil.which(name))), None)


class BrowserError(Exception):
    """The browser did not answer as the protocol says, or in time."""


@dataclass
class Page:
    """A page loaded in the browser, with what it said and fetched while loading."""

    browser: Browser
    session: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        answer = self.browser.call("Runtime.evaluate", {"expression": expression,
                                                         "returnByValue": True}, self.session)
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def resize(self, width: int, height: int = 900) -> None:
        """Show the page as a screen `width` CSS pixels wide (a phone below 500)."""
        self.browser.call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": width < 500}, self.session)


class Browser:
    """One headless Chromium for a test session."""

    def __init__(self, program: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="recovery-chromium-")
        commands, self._to_browser = os.pipe()
        self._from_browser, answers = os.pipe()
        self._process = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null', program,
             "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage",
             f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=commands, stdout=answers, stderr=subprocess.DEVNULL)
        os.close(commands)
        os.close(answers)
        self._buffer = b""
        self._next = 0
        self._events: list[dict[str, Any]] = []

    def open(self, url: str) -> Page:
        """Load `url` in a new tab and wait for its load event."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable", {}, session)
        self._events.clear()
        self.call("Page.navigate", {"url": url}, session)
        self._wait(lambda event: event.get("method") == "Page.loadEventFired"
                   and event.get("sessionId") == session)
        for event in self._events:
            if event.get("sessionId") == session:
                _keep(page, event["method"], event.get("params", {}))
        return page

    def call(self, method: str, params: dict[str, Any], session: str | None = None) -> Any:
        """Send one command and return its result (events that come meanwhile are kept)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        asked = self._next
        answer = self._wait(lambda found: found.get("id") == asked)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def close(self) -> None:
        """Close the browser and remove its profile."""
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close", {})
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        self._profile.cleanup()

    def _wait(self, wanted: Any) -> dict[str, Any]:
        """Read messages until one is `wanted`; the others (events) are kept."""
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return dict(message)
                if "method" in message:
                    self._events.append(message)
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("the browser did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise BrowserError("the browser closed its pipe")
                self._buffer += chunk


def _keep(page: Page, method: str, params: dict[str, Any]) -> None:
    """Note a console error, an uncaught exception, an error log entry or a request."""
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        page.errors.append("console: " + " ".join(str(arg.get("value", arg.get("description")))
                                                  for arg in params.get("args", [])))
    elif method == "Runtime.exceptionThrown":
        page.errors.append("exception: " + str(params.get("exceptionDetails", {}).get("text")))
    elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        page.errors.append("log: " + str(params["entry"].get("text")))
    elif method == "Network.requestWillBeSent":
        page.requests.append(str(params.get("request", {}).get("url")))
