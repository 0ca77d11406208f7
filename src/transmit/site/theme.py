"""The Jinja2 environment: the site's `templates/` override the theme's files one by one."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

from transmit.config import Config
from transmit.render.scrolling import prepare_body
from transmit.site.i18n import count_label, month_name, strings_for, ui_language
from transmit.site.links import absolute_url, url_for

THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "transmission"

__all__ = ["THEME_DIR", "absolute_url", "compile_templates", "make_environment", "url_for"]
# The files of the theme's and the site's templates/ that pages and partials are made from.
TEMPLATE_EXTENSIONS = ("html", "js", "xml", "txt")


def make_environment(
    config: Config, code_cache: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    """The site's templates (its own `templates/` first, then the theme's) with transmit's
    filters and globals; `code_cache`: where compiled templates are kept between processes."""
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
        auto_reload=False,  # one environment per build: no need to stat templates per page
        bytecode_cache=code_cache,
    )
    zone = config.zone

    def local_date(moment: datetime, pattern: str = "%Y-%m-%d") -> str:
        return moment.astimezone(zone).strftime(pattern)

    environment.filters.update(
        date=local_date,
        isodate=lambda moment: moment.astimezone(zone).isoformat(),
        # rendered posts come ready (render.scrolling); for markup a site's template makes
        prose=lambda markup: Markup(prepare_body(markup)),
        count=lambda n: count_label(config.language, n),
        month=lambda number: month_name(config.language, number),
    )
    environment.globals.update(
        site=config,
        ui=strings_for(config.language),
        ui_language=ui_language(config.language),
        url=lambda path: url_for(config, path),
        absolute_url=lambda path: absolute_url(config, path),
    )
    return environment


def compile_templates(environment: jinja2.Environment) -> None:
    """Compile every template now, before pages need them (processes forked later inherit
    them compiled); a broken one is reported when a page uses it."""
    for name in environment.list_templates(extensions=TEMPLATE_EXTENSIONS):
        with contextlib.suppress(jinja2.TemplateError, UnicodeDecodeError):
            environment.get_template(name)
