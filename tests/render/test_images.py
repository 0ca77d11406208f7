"""Images: found beside the post, in its bundle, in static/ or in a Hexo asset folder; sized,
lazy, copied when they live outside a bundle; missing ones are warnings with file and line."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from tests.render.helpers import make_post
from transmit.render.data import Asset, RenderOptions
from transmit.render.document import render_post
from transmit.render.images import resolve_image


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    files = {
        "content/posts/note.md": b"",
        "content/posts/images/fig.png": png(640, 480),
        "content/posts/图片/图 1.png": png(10, 20),
        "content/posts/note/relu.png": png(30, 40),
        "content/assets/shared.png": png(5, 6),
        "content/posts/bundle/index.md": b"",
        "content/posts/bundle/d.png": png(7, 8),
        "static/img/logo.png": png(50, 60),
        "outside.png": png(1, 1),
    }
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tmp_path


def note(site: Path, body: str = "", **fields: object):  # type: ignore[no-untyped-def]
    return make_post(body, source=site / "content/posts/note.md", **fields)  # type: ignore[arg-type]


def bundle(site: Path, body: str = ""):  # type: ignore[no-untyped-def]
    return make_post(
        body,
        source=site / "content/posts/bundle/index.md",
        rel_path="content/posts/bundle/index.md",
        path="posts/bundle/",
        bundle_dir=site / "content/posts/bundle",
    )


@pytest.mark.parametrize(
    ("src", "url", "size", "asset"),
    [
        ("images/fig.png", "/posts/images/fig.png", (640, 480), "posts/images/fig.png"),
        ("./images/fig.png", "/posts/images/fig.png", (640, 480), "posts/images/fig.png"),
        ("../assets/shared.png", "/assets/shared.png", (5, 6), "assets/shared.png"),
        ("relu.png", "/posts/note/relu.png", (30, 40), "posts/note/relu.png"),
        ("/relu.png", "/posts/note/relu.png", (30, 40), "posts/note/relu.png"),
        ("/img/logo.png", "/img/logo.png", (50, 60), None),
        ("images/fig.png?v=2#x", "/posts/images/fig.png?v=2#x", (640, 480), "posts/images/fig.png"),
        (
            "%E5%9B%BE%E7%89%87/%E5%9B%BE%201.png",
            "/posts/%E5%9B%BE%E7%89%87/%E5%9B%BE%201.png",
            (10, 20),
            "posts/图片/图 1.png",
        ),
    ],
)
def test_local_images_beside_a_post(
    site: Path, src: str, url: str, size: tuple[int, int], asset: str | None
) -> None:
    found = resolve_image(src, note(site), site, "/")
    assert found.src == url
    assert (found.width, found.height) == size
    assert found.problem is None
    assert (found.asset.output if found.asset else None) == asset


def test_bundle_images_are_addressed_under_the_post_and_not_copied_twice(site: Path) -> None:
    found = resolve_image("d.png", bundle(site), site, "/notes/")
    assert found.src == "/notes/posts/bundle/d.png"
    assert (found.width, found.height) == (7, 8)
    assert found.asset is None


def test_a_replaced_image_is_measured_again_in_the_same_process(site: Path) -> None:
    # sizes are remembered per file while its time and size stay: the dev server's process
    # renders a post again after its figure is replaced
    figure = site / "content/posts/images/fig.png"
    assert resolve_image("images/fig.png", note(site), site, "/").width == 640
    figure.write_bytes(png(1200, 900) + b"\x00")  # another size on disk, another mtime
    found = resolve_image("images/fig.png", note(site), site, "/")
    assert (found.width, found.height) == (1200, 900)
    figure.write_bytes(b"not an image at all")
    assert resolve_image("images/fig.png", note(site), site, "/").width is None


def test_base_path_prefixes_site_images(site: Path) -> None:
    assert resolve_image("/img/logo.png", note(site), site, "/notes/").src == "/notes/img/logo.png"
    assert resolve_image("images/fig.png", note(site), site, "/n/").src == "/n/posts/images/fig.png"


@pytest.mark.parametrize(
    "src",
    [
        "https://example.com/a.png",
        "http://x/y.jpg",
        "//cdn.example.com/z.png",
        "data:image/png;base64,AAA",
    ],
)
def test_remote_images_are_left_alone(site: Path, src: str) -> None:
    found = resolve_image(src, note(site), site, "/notes/")
    assert found.src == src and found.remote and found.problem is None


def test_missing_and_outside_images_are_problems(site: Path) -> None:
    missing = resolve_image("images/nope.png", note(site), site, "/")
    assert missing.problem == "image not found: images/nope.png"
    assert missing.src == "images/nope.png"
    outside = resolve_image("../../../outside.png", note(site), site, "/")
    assert outside.problem is not None and "outside" in outside.problem
    assert outside.asset is None


def test_rendered_images_get_size_lazy_loading_and_alt(site: Path) -> None:
    body = 'Intro.\n\n![图 1: 结构](images/fig.png "Figure")\n\n![](https://x.org/r.png)\n'
    result = render_post(note(site, body), RenderOptions(site_dir=site))
    assert (
        '<img src="/posts/images/fig.png" alt="图 1: 结构" title="Figure" width="640" '
        'height="480" loading="lazy" decoding="async">'
    ) in result.html
    assert '<img src="https://x.org/r.png" alt="" loading="lazy" decoding="async">' in result.html
    assert result.assets == (
        Asset("posts/images/fig.png", str(site / "content/posts/images/fig.png")),
    )
    assert result.images == ("/posts/images/fig.png", "https://x.org/r.png")


def test_each_asset_is_reported_once(site: Path) -> None:
    body = "![a](images/fig.png) ![b](./images/fig.png)\n\n![c](relu.png)"
    result = render_post(note(site, body), RenderOptions(site_dir=site))
    assert [asset.output for asset in result.assets] == [
        "posts/images/fig.png",
        "posts/note/relu.png",
    ]


def test_missing_image_warning_names_the_file_line(site: Path) -> None:
    body = "Intro.\n\n- item\n- ![x](images/gone.png)\n\n| a |\n|---|\n| ![y](nope.png) |\n"
    result = render_post(note(site, body, body_line=5), RenderOptions(site_dir=site))
    assert [(w.line, w.message) for w in result.warnings] == [
        (8, "image not found: images/gone.png"),
        (12, "image not found: nope.png"),
    ]
    assert all(w.path == "content/posts/note.md" for w in result.warnings)
