"""`transmit new "标题 Title"`: a post with front matter, dated now in the site's time zone."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from transmit.config import load_config
from transmit.content.slugs import SlugError, check_given_slug, make_slug
from transmit.errors import UsageError


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def post_text(title: str, date: str, category: str | None, tags: list[str]) -> str:
    lines = ["---", f"title: {_yaml_text(title)}", f"date: {date}"]
    if category:
        lines.append(f"categories: [{', '.join(_yaml_text(part) for part in category.split('/'))}]")
    if tags:
        lines.append(f"tags: [{', '.join(_yaml_text(tag) for tag in tags)}]")
    lines += ["---", "", ""]
    return "\n".join(lines)


def run_new(
    site_dir: Path,
    title: str,
    *,
    category: str | None,
    tags: list[str],
    slug: str | None,
    now: datetime | None = None,
) -> Path:
    """Write `content/posts/<slug>.md`; never overwrites an existing file."""
    config = load_config(site_dir)
    if not title.strip():
        raise UsageError('the title is empty; give one, e.g. transmit new "注意力机制 Attention"')
    try:
        name = check_given_slug(slug) if slug else make_slug(title, config.slug_style)
    except SlugError as error:
        raise UsageError(str(error)) from None
    target = site_dir / "content" / "posts" / f"{name}.md"
    if target.exists():
        raise UsageError(f"{target} already exists; choose another title or --slug", target)
    moment = (now or datetime.now(config.zone)).astimezone(config.zone)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:
        handle.write(post_text(title.strip(), moment.strftime("%Y-%m-%d %H:%M:%S"), category, tags))
    return target
