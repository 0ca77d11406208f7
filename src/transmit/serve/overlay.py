"""Pages the server writes itself, for when the built site cannot answer: no good build yet, or no
404.html. Every problem is escaped text; the client script adds the live overlay on top."""

from __future__ import annotations

import html
from collections.abc import Sequence

from transmit.serve.state import Problem

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; padding: 2rem; background: #0c0e12; color: #f4f4f5;
  font: 15px/1.6 ui-monospace, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; }}
h1 {{ font-size: 18px; color: #ff7b72; }}
li {{ white-space: pre-wrap; overflow-wrap: anywhere; margin-bottom: 0.5rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


def problem_page(problems: Sequence[Problem]) -> bytes:
    """The page served while no build has succeeded yet."""
    items = "\n".join(f"<li>{html.escape(problem.text)}</li>" for problem in problems)
    body = (
        f"<ol>\n{items}\n</ol>\n<p>Fix the file and save; this page reloads by itself.</p>"
        if problems
        else "<p>Building…</p>"
    )
    return _PAGE.format(title="transmit serve: the build failed", body=body).encode()


def missing_page(path: str) -> bytes:
    """A 404 for a site without its own 404.html."""
    body = f"<p>Nothing is built at {html.escape(path)}.</p>"
    return _PAGE.format(title="Not found", body=body).encode()
