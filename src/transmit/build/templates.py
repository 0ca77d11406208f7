"""One build's page templates: the environment is made, and every template compiled, while the
render workers work (`Workers.meanwhile`), where the build process would only wait for them;
the processes that render pages, forked later, inherit the templates compiled."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

    from transmit.config import Config


class PageTemplates:
    """The template environment of one build, made when first asked for."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._environment: jinja2.Environment | None = None

    def environment(self) -> jinja2.Environment:
        if self._environment is None:
            from transmit.site.theme import make_environment

            self._environment = make_environment(self._config)
        return self._environment

    def compile(self) -> None:
        import transmit.site.assemble  # noqa: F401 (what comes next, imported meanwhile too)
        from transmit.site.theme import compile_templates

        compile_templates(self.environment())
