"""The reload channel's pieces: the injected tag, the event format, the hub."""

from __future__ import annotations

import json

import pytest

from transmit.serve.livereload import (
    CLIENT_PATH,
    ReloadHub,
    client_script,
    event_message,
    inject_client,
)
from transmit.serve.state import Problem, SiteState

STATE = SiteState(session="c0ffee", version=5, page_version=4)


@pytest.mark.parametrize(
    ("page", "before", "after"),
    [
        (b"<html><body><p>x</p></body></html>", b"<p>x</p>", b"</body></html>"),
        (b"<BODY>x</BODY>", b"x", b"</BODY>"),
        (b"<body><pre>&lt;/body&gt;</pre></body>\n", b"</pre>", b"</body>\n"),
        (b"<body><code></body></code></body>", b"</code>", b"</body>"),  # the last one
    ],
)
def test_the_script_goes_before_the_last_closing_body(
    page: bytes, before: bytes, after: bytes
) -> None:
    served = inject_client(page, STATE)
    tag_start = served.index(b"<script")
    assert served[:tag_start].endswith(before)
    assert served[served.index(b"</script>") + len(b"</script>") :] == after


def test_a_page_without_body_gets_the_script_at_its_end() -> None:
    served = inject_client(b"<p>fragment</p>", STATE)
    assert served.startswith(b"<p>fragment</p><script")
    assert served.endswith(b"</script>")


def test_the_tag_carries_both_versions() -> None:
    served = inject_client(b"<body></body>", STATE).decode()
    assert f'src="{CLIENT_PATH}"' in served
    assert 'data-version="4"' in served and 'data-style-version="5"' in served
    assert 'data-session="c0ffee"' in served


def test_every_other_byte_of_the_page_is_kept() -> None:
    page = "<body>注意力 $x_1 * y_1$ &amp; <b>粗</b></body>".encode()
    served = inject_client(page, STATE)
    start, end = served.index(b"<script"), served.index(b"</script>") + len(b"</script>")
    assert served[:start] + served[end:] == page


def test_an_event_is_one_json_data_line_with_the_problems() -> None:
    problem = Problem("content/posts/a.md", 3, "date: '2026-13-01' is not a date\n<script>")
    state = SiteState(session="c0ffee", version=2, page_version=2, problems=(problem,))
    message = event_message(state).decode()
    assert message.endswith("\n\n")
    lines = message.strip("\n").split("\n")
    assert lines[0].startswith("retry: ")
    assert lines[1] == "event: state"
    assert lines[2].startswith("data: ") and len(lines) == 3
    data = json.loads(lines[2].removeprefix("data: "))
    assert (data["session"], data["version"], data["page_version"]) == ("c0ffee", 2, 2)
    assert data["errors"] == [
        {
            "path": "content/posts/a.md",
            "line": 3,
            "message": "date: '2026-13-01' is not a date\n<script>",
            "text": "content/posts/a.md:3: date: '2026-13-01' is not a date\n<script>",
        }
    ]


def test_the_hub_sends_each_build_to_every_stream_and_ends_them_on_close() -> None:
    hub = ReloadHub()
    first, second = hub.subscribe(), hub.subscribe()
    assert first is not None and second is not None and hub.listeners == 2
    hub.publish(STATE)
    assert first.get_nowait() == second.get_nowait() == event_message(STATE)
    hub.unsubscribe(second)
    hub.close()
    assert first.get_nowait() is None
    assert second.empty()
    assert hub.subscribe() is None


def test_the_client_script_uses_text_not_markup_for_errors() -> None:
    script = client_script().decode()
    assert "EventSource" in script and "textContent" in script
    assert "innerHTML" not in script
