"""One build's page templates: the environment is made, and every template compiled, while the
render workers work (`Workers.meanwhile`), where the build process would only wait for them;
the processes that render pages, forked later, inherit the templates compiled."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    import jinja2

    from transmit.config import Config


class PageTemplates:
    """The template environment of one build, made when first asked for; compiled templates
    are kept under `code_dir` for the next process (`build.template_code`)."""

    def __init__(self, config: Config, code_dir: Path, fingerprint: bytes) -> None:
        self._config = config
        self._code = (code_dir, fingerprint)
        self._environment: jinja2.Environment | None = None

    def environment(self) -> jinja2.Environment:
        if self._environment is None:
            from transmit.build.template_code import TemplateCode
            from transmit.site.theme import make_environment

            self._environment = make_environment(self._config, TemplateCode(*self._code))
        return self._environment

    def compile(self) -> None:
        import transmit.site.assemble  # noqa: F401 (what comes next, imported meanwhile too)
        from transmit.site.theme import compile_templates

        compile_templates(self.environment())
