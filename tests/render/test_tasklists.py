from __future__ import annotations

from tests.render.helpers import rendered


def render(body: str) -> str:
    return rendered(body).html


def test_task_checkboxes_are_named_by_their_item() -> None:
    html = render('- [ ] 读 "Attention" 论文\n- [x] done <b>item</b>\n')
    assert 'type="checkbox" aria-label="读 &quot;Attention&quot; 论文">' in html
    assert 'checked="" aria-label="done &lt;b&gt;item&lt;/b&gt;"' in html


def test_plain_list_items_have_no_checkbox() -> None:
    assert "checkbox" not in render("- [link](x) item\n- plain\n")
