"""What commands say: information to stdout (unless --quiet), problems to stderr."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from transmit.errors import BuildWarning, location, printable


@dataclass(frozen=True, slots=True)
class Reporter:
    quiet: bool = False
    verbose: bool = False

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    def detail(self, message: str) -> None:
        if self.verbose and not self.quiet:
            print(message, flush=True)

    def warn(self, warning: BuildWarning) -> None:
        where = location(warning.path, warning.line)
        print(f"{where}warning: {printable(warning.message)}", file=sys.stderr, flush=True)

    def error(self, message: str) -> None:
        """One line per problem, `path:line: message`, as compilers print them."""
        print(message, file=sys.stderr, flush=True)
