"""The live-reload channel: Server-Sent Events telling open pages about each build.

Each connected page has its own queue; a build publishes the new SiteState to all of them. The
client script (client.js) is added to HTML responses only as they are served.
"""

from __future__ import annotations

import json
import queue
import threading
from importlib.resources import files

from transmit.serve.state import SiteState

PREFIX = "/__transmit/"  # requests under it are the server's own, never the site's
CLIENT_PATH = PREFIX + "client.js"
EVENTS_PATH = PREFIX + "events"
RECONNECT_MS = 500  # how soon a page reconnects after the server restarts
KEEPALIVE_SECONDS = 15.0

Subscription = queue.SimpleQueue[bytes | None]


def client_script() -> bytes:
    return files("transmit.serve").joinpath("client.js").read_bytes()


def event_message(state: SiteState) -> bytes:
    """One SSE message carrying the state (JSON keeps it on one `data:` line)."""
    data = json.dumps(state.as_json(), ensure_ascii=False, separators=(",", ":"))
    return f"retry: {RECONNECT_MS}\nevent: state\ndata: {data}\n\n".encode()


KEEPALIVE = b": keep-alive\n\n"


def inject_client(html: bytes, state: SiteState) -> bytes:
    """The page with the client script added before its last `</body>` (or at its end)."""
    tag = (
        f'<script src="{CLIENT_PATH}" data-events="{EVENTS_PATH}" data-session="{state.session}" '
        f'data-version="{state.page_version}" data-style-version="{state.version}" defer>'
        "</script>"
    ).encode()
    at = html.lower().rfind(b"</body>")
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]


class ReloadHub:
    """The open event streams; closing the hub ends every stream so their threads can finish."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()  # identity matters, not value
        self._closed = False

    def subscribe(self) -> Subscription | None:
        """A new stream's queue, or None once the hub is closed."""
        subscription: Subscription = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                return None
            self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._subscriptions)

    def publish(self, state: SiteState) -> None:
        message = event_message(state)
        with self._lock:
            for subscription in self._subscriptions:
                subscription.put(message)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for subscription in self._subscriptions:
                subscription.put(None)
