"""The dev server over a real socket: files, types, 404, redirects, HEAD, traversal, ports."""

from __future__ import annotations

import json
import socket

import pytest

from tests.conftest import SiteMaker
from tests.serve.conftest import SMALL_SITE, StartServer
from tests.serve.helpers import fetch, raw_request
from transmit.errors import UsageError
from transmit.serve.livereload import EVENTS_PATH, ReloadHub
from transmit.serve.session import DevServer, ServeOptions, bind
from transmit.serve.state import SiteState, StateBox

ZH = "/posts/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6/"


@pytest.fixture
def server(shared_server: DevServer) -> DevServer:
    return shared_server


def test_pages_are_served_with_the_reload_script_added(server: DevServer) -> None:
    response = fetch(server, "/posts/alpha/")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert int(response.headers["content-length"]) == len(response.body)
    assert "Alpha body." in response.text
    assert response.text.count("/__transmit/client.js") == 1
    assert response.text.index("/__transmit/client.js") < response.text.rindex("</body>")


def test_built_files_stay_clean(server: DevServer) -> None:
    built = (server.out_dir / "posts/alpha/index.html").read_text(encoding="utf-8")
    assert "__transmit" not in built
    assert not (server.site_dir / "public").exists()


def test_a_percent_encoded_chinese_path_is_served(server: DevServer) -> None:
    response = fetch(server, ZH)
    assert response.status == 200 and "注意力正文。" in response.text


def test_a_folder_without_its_slash_redirects_keeping_the_encoding(server: DevServer) -> None:
    response = fetch(server, ZH.rstrip("/"))
    assert response.status in (301, 302)
    assert response.headers["location"] == ZH
    assert fetch(server, "/posts/alpha?x=1").headers["location"] == "/posts/alpha/?x=1"


def test_misses_get_the_sites_404_page_with_status_404(server: DevServer) -> None:
    response = fetch(server, "/no/such/page/")
    assert response.status == 404
    assert response.body.startswith(b"<!DOCTYPE html>")
    assert "/__transmit/client.js" in response.text
    page = (server.out_dir / "404.html").read_bytes()
    assert page.split(b"</body>")[0] in response.body


def test_head_sends_the_headers_of_get_without_a_body(server: DevServer) -> None:
    for target in ("/", "/assets/transmit.css", "/posts/bundle/d.png", "/nothing"):
        get, head = fetch(server, target), fetch(server, target, "HEAD")
        assert head.status == get.status
        assert head.body == b""
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize(
    ("target", "content_type"),
    [
        ("/assets/transmit.css", "text/css; charset=utf-8"),
        ("/site.css", "text/css; charset=utf-8"),
        ("/posts/bundle/d.png", "image/png"),
        ("/__transmit/client.js", "text/javascript; charset=utf-8"),
    ],
)
def test_content_types_on_the_wire(server: DevServer, target: str, content_type: str) -> None:
    response = fetch(server, target)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"


def test_other_files_types_and_bytes(server: DevServer) -> None:
    files = {
        "feed.xml": ("application/xml; charset=utf-8", b"<?xml version='1.0'?><feed/>"),
        "pagefind/pagefind.zh-cn_1a.pf_meta": ("application/octet-stream", b"\x00\x01meta"),
        "pagefind/index/zh-cn_2b.pf_index": ("application/octet-stream", b"\x1f\x8bidx"),
        "pagefind/wasm.zh-cn.pagefind": ("application/octet-stream", b"\x00asm"),
        "search.wasm": ("application/wasm", b"\x00asm\x01"),
        "a.svg": ("image/svg+xml; charset=utf-8", b"<svg/>"),
        "a.webp": ("image/webp", b"RIFF"),
        "a.avif": ("image/avif", b"avif"),
        "index.json": ("application/json; charset=utf-8", '{"t": "注意力"}'.encode()),
    }
    for relative, (_, data) in files.items():
        (server.out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (server.out_dir / relative).write_bytes(data)
    for relative, (content_type, data) in files.items():
        response = fetch(server, "/" + relative)
        assert (response.status, response.headers["content-type"]) == (200, content_type)
        assert response.body == data


@pytest.mark.parametrize(
    "target",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2f..%2fetc/passwd",
        "/..\\..\\etc\\passwd",
        "/%5c..%5c..%5cetc%5cpasswd",
        "/posts/../../../etc/passwd",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
    ],
)
def test_traversal_is_refused(server: DevServer, target: str) -> None:
    (server.out_dir.parent / "secret.txt").write_text("top secret", encoding="utf-8")
    response = fetch(server, target)
    assert response.status in (400, 404)
    assert b"root:" not in response.body and b"top secret" not in response.body


@pytest.mark.parametrize(
    "line",
    [
        b"GET /../../etc/passwd HTTP/1.0\r\n\r\n",
        b"GET /index.html\x00.png HTTP/1.0\r\n\r\n",
        b"GET /%00../../etc/passwd HTTP/1.0\r\n\r\n",
        b"GET /..\\..\\..\\etc\\passwd HTTP/1.0\r\n\r\n",
        b"GET \\..\\..\\etc\\passwd HTTP/1.0\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.0\r\n\r\n",
    ],
)
def test_raw_request_lines_cannot_escape(server: DevServer, line: bytes) -> None:
    answer = raw_request(server, line)
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 404)
    assert b"root:" not in answer


def test_a_symlink_pointing_out_is_not_followed(server: DevServer) -> None:
    secret = server.out_dir.parent / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    (server.out_dir / "leak.txt").symlink_to(secret)
    response = fetch(server, "/leak.txt")
    assert response.status == 404 and b"top secret" not in response.body


def test_raw_utf8_request_lines_are_served_too(server: DevServer) -> None:
    answer = raw_request(server, "GET /posts/注意力机制/ HTTP/1.0\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.0 200")
    assert "注意力正文。".encode() in answer


def test_other_methods_are_refused(server: DevServer) -> None:
    assert fetch(server, "/", "POST").status == 501
    assert fetch(server, "/", "DELETE").status == 501


def test_the_event_stream_starts_with_the_current_state(server: DevServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(f"GET {EVENTS_PATH} HTTP/1.0\r\n\r\n".encode())
        received = b""
        while b"\n\n" not in received.split(b"\r\n\r\n", 1)[-1] or b"\r\n\r\n" not in received:
            received += connection.recv(4096)
    head, body = received.split(b"\r\n\r\n", 1)
    assert b"text/event-stream" in head
    data = next(line for line in body.decode().splitlines() if line.startswith("data: "))
    assert json.loads(data.removeprefix("data: ")) == {
        "session": server.box.state.session,
        "version": 1,
        "page_version": 1,
        "errors": [],
    }


def test_a_site_with_a_base_path_is_served_below_it(
    make_site: SiteMaker, start_server: StartServer
) -> None:
    site = make_site(SMALL_SITE, config='title = "T"\nbase_url = "https://u.github.io/notes/"\n')
    server = start_server(site)
    assert server.url.endswith("/notes/")
    assert fetch(server, "/").headers["location"] == "/notes/"
    home = fetch(server, "/notes/")
    assert home.status == 200 and 'href="/notes/posts/alpha/"' in home.text
    assert fetch(server, "/notes/posts/alpha/").status == 200
    assert fetch(server, "/posts/alpha/").status == 404


def test_a_busy_port_is_a_clear_error(server: DevServer) -> None:
    options = ServeOptions(port=server.port)
    with pytest.raises(UsageError, match=rf"port {server.port} is in use.*--port"):
        bind(options, StateBox(SiteState()), ReloadHub(), None)


def test_a_busy_default_port_moves_to_the_next_free_one(server: DevServer) -> None:
    options = ServeOptions(port=server.port, port_tries=20)
    moved = bind(options, StateBox(SiteState()), ReloadHub(), None)
    try:
        assert moved.server_address[1] > server.port
    finally:
        moved.server_close()


def test_it_listens_on_loopback_by_default(server: DevServer) -> None:
    assert ServeOptions().host == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")
