"""The Jinja2 environment: the site's `templates/` override the theme's files one by one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import jinja2

from transmit.config import Config
from transmit.site.i18n import strings_for

THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "transmission"


def url_for(config: Config, path: str) -> str:
    """A root-relative link to an output path ("posts/注意力/"), base path included, encoded."""
    return config.base_path + quote(path, safe="/-._~#")


def absolute_url(config: Config, path: str) -> str:
    """The full URL of an output path, for feeds and canonical links."""
    base = config.base_url
    if base.startswith("/"):
        return url_for(config, path)
    return base + quote(path, safe="/-._~#")


def make_environment(config: Config) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    site_templates = config.site_dir / "templates"
    if site_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(site_templates))
    loaders.append(jinja2.FileSystemLoader(THEME_DIR / "templates"))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    zone = config.zone

    def local_date(moment: datetime, pattern: str = "%Y-%m-%d") -> str:
        return moment.astimezone(zone).strftime(pattern)

    environment.filters["date"] = local_date
    environment.filters["isodate"] = lambda moment: moment.astimezone(zone).isoformat()
    environment.globals.update(
        site=config,
        ui=strings_for(config.language),
        url=lambda path: url_for(config, path),
        absolute_url=lambda path: absolute_url(config, path),
    )
    return environment
