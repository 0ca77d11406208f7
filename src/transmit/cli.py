"""Command line: parse arguments, call one function per command, print errors as one line each.

Heavy modules are imported inside the commands so `--version` and `--help` answer at once.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from transmit import __version__
from transmit.process_end import end_without_freeing

TYPE_CHECKING = False  # `typing` costs a build handed to the resident builder 4 ms
if TYPE_CHECKING:
    from typing import NoReturn

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# what a build handed to the resident builder passes on, besides its folders
BUILD_CHOICES = ("drafts", "future", "jobs", "strict", "quiet", "verbose")


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError("--jobs takes 0 (one per core) or more")
    return jobs


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is a number from 1 to 65535 (0: any free port)")
    return port


def _output_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    group.add_argument("-v", "--verbose", action="store_true", help="print more detail")


def _site_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir",
        type=Path,
        nargs="?",
        default=Path("."),
        metavar="DIR",
        help="the site folder (default: .)",
    )


def _jobs_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=0,
        metavar="N",
        help="worker processes (default: one per core)",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="transmit",
        description="Turn a folder of technical notes into a fast static site.",
    )
    parser.add_argument("--version", action="version", version=f"transmit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help="create a new site in DIR")
    init.add_argument("dir", type=Path, metavar="DIR", help="folder to create (must be empty)")
    _output_flags(init)

    new = commands.add_parser("new", help="write a new post, dated now")
    new.add_argument("title", help='the title, e.g. "注意力机制 Attention 笔记"')
    new.add_argument("--category", help='category path, e.g. "Deep Learning/Optimization"')
    new.add_argument("--tags", default="", help="comma-separated tags, e.g. transformer,attention")
    new.add_argument("--slug", help="the address of the post (default: from the title)")
    new.add_argument("--dir", type=Path, default=Path("."), help="the site folder (default: .)")
    _output_flags(new)

    build = commands.add_parser("build", help="build the site into public/")
    _site_dir_argument(build)
    build.add_argument("--out", type=Path, help="output folder (default: DIR/public)")
    build.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    build.add_argument("--future", action="store_true", help="include posts dated in the future")
    _jobs_argument(build)
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument(
        "--watch",
        action="store_true",
        help="then rebuild what each change needs, until Ctrl-C (no server: see serve)",
    )
    _output_flags(build)

    serve = commands.add_parser(
        "serve", help="build, serve on localhost, rebuild and reload the page on every change"
    )
    _site_dir_argument(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=None,
        help="port to listen on (default: 8000, or the next free one)",
    )
    serve.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    serve.add_argument("--future", action="store_true", help="include posts dated in the future")
    _jobs_argument(serve)
    serve.add_argument("--strict", action="store_true", help="treat warnings as errors")
    serve.add_argument("--open", action="store_true", help="open the site in the web browser")
    _output_flags(serve)

    check = commands.add_parser("check", help="validate the site without writing anything")
    _site_dir_argument(check)
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="one 'path:line:col: level: message' line per problem, or one JSON document",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    _jobs_argument(check)
    _output_flags(check)
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "build" and not args.watch:
        from transmit.resident.client import hand_over

        choices = {name: getattr(args, name) for name in BUILD_CHOICES}
        if (handed := hand_over(args.dir, args.out, choices)) is not None:
            return handed  # the site's resident builder built it (`transmit.resident`)
    from transmit.commands.output import Reporter

    reporter = Reporter(quiet=args.quiet, verbose=args.verbose)
    if args.command == "init":
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from transmit.commands.init import INIT_TIMEZONE, run_init

        now = datetime.now(ZoneInfo(INIT_TIMEZONE))
        run_init(args.dir, now.strftime("%Y-%m-%d %H:%M:%S"))
        reporter.info(f"created a new site in {args.dir}; next: transmit build {args.dir}")
        return EXIT_OK
    if args.command == "new":
        from transmit.commands.new import run_new

        tags = [tag.strip() for tag in args.tags.split(",") if tag.strip()]
        path = run_new(args.dir, args.title, category=args.category, tags=tags, slug=args.slug)
        reporter.info(f"wrote {path}")
        return EXIT_OK
    if args.command == "check":
        from transmit.commands.check import CheckOptions, run_check

        checking = CheckOptions(strict=args.strict, jobs=args.jobs)
        return run_check(args.dir, checking, args.format, reporter)
    from transmit.build.pipeline import BuildOptions

    if args.command == "serve":
        from transmit.commands.serve import run_serve
        from transmit.serve.session import ServeOptions

        build_options = BuildOptions(
            drafts=args.drafts, future=args.future, jobs=args.jobs, strict=args.strict
        )
        serve_options = ServeOptions(
            host=args.host,
            port=8000 if args.port is None else args.port,
            port_tries=10 if args.port is None else 1,
        )
        return run_serve(args.dir, build_options, serve_options, reporter, open_browser=args.open)
    from transmit.commands.build import run_build, run_watch

    options = BuildOptions(
        out_dir=args.out, drafts=args.drafts, future=args.future, jobs=args.jobs, strict=args.strict
    )
    return (run_watch if args.watch else run_build)(args.dir, options, reporter)


def reported(command: str, work: Callable[[], int]) -> int:
    """`work()`'s exit code, with the problems of the user's input printed one per line (a
    resident builder answers its builds through this too)."""
    try:
        return work()
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        # imported only now: `errors` brings `dataclasses` (13 ms), which a build handed to the
        # resident builder never needs
        from transmit.errors import TransmitError, UsageError

        if isinstance(error, UsageError):
            print(f"transmit {command}: {error}", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(error, TransmitError):
            for problem in getattr(error, "errors", None) or [error]:
                print(problem, file=sys.stderr)
            return EXIT_INPUT
        raise


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    return reported(args.command, lambda: _dispatch(args))


def run() -> NoReturn:
    """The `transmit` command: `main`, then out without tearing the interpreter down. A build
    leaves hundreds of thousands of objects behind (a 10,000-post site's records and pages) and
    freeing them one by one takes a quarter of a second; by now every file is written and
    closed and every worker has ended, so only the standard streams need flushing.
    The cyclic garbage collector is off: a build pauses it anyway, and turned back on at the
    end it would walk the build's cycles (0.2-0.35 s at 10,000 posts) for a process about to
    end. Commands that keep running (`serve`, `build --watch`) turn it on."""
    gc.disable()
    end_without_freeing()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: Python's own exit reports it
        raise SystemExit(code) from None
    os._exit(code)
