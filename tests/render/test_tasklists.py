from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from transmit.content.post import Post
from transmit.render.document import RenderOptions, render_post


def render(body: str) -> str:
    post = Post(
        source=Path("/site/content/posts/t.md"),
        rel_path="content/posts/t.md",
        kind="post",
        title="T",
        slug="t",
        path="posts/t/",
        date=datetime(2026, 1, 1, tzinfo=UTC),
        body=body,
        body_line=1,
    )
    return render_post(post, RenderOptions()).html


def test_task_checkboxes_are_named_by_their_item() -> None:
    html = render('- [ ] 读 "Attention" 论文\n- [x] done <b>item</b>\n')
    assert 'type="checkbox" aria-label="读 &quot;Attention&quot; 论文">' in html
    assert 'checked="" aria-label="done &lt;b&gt;item&lt;/b&gt;"' in html


def test_plain_list_items_have_no_checkbox() -> None:
    assert "checkbox" not in render("- [link](x) item\n- plain\n")
