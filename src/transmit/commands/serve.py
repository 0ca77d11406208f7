"""`transmit serve`: build into a temporary folder, serve it, rebuild on change, until Ctrl-C."""

from __future__ import annotations

import gc
import threading
import webbrowser
from pathlib import Path

from transmit.build.pipeline import BuildOptions
from transmit.commands.output import Reporter
from transmit.commands.reports import TerminalReports, sigterm_as_interrupt
from transmit.config import CONFIG_NAME, load_config
from transmit.serve.session import LOOPBACK_HOSTS, DevServer, ServeOptions

SERVED_STILL = "the last good build is still served; fix the file and save"


def run_serve(
    site_dir: Path,
    build_options: BuildOptions,
    options: ServeOptions,
    reporter: Reporter,
    *,
    open_browser: bool = False,
) -> int:
    if not (site_dir / CONFIG_NAME).is_file():
        load_config(site_dir)  # no site here: its error says so (a broken site.toml is served)
    gc.enable()  # it runs for hours: its garbage is collected (`cli.run` turned that off)
    log = reporter.detail if reporter.verbose else None
    server = DevServer(
        site_dir,
        build_options,
        options,
        on_report=TerminalReports(site_dir.resolve(), reporter, kept=SERVED_STILL, served=True),
        log_request=log,
    )
    with sigterm_as_interrupt():
        try:
            server.start()
            if options.port and server.port != options.port:
                reporter.info(f"port {options.port} is in use; using {server.port} instead")
            if options.host not in LOOPBACK_HOSTS:
                reporter.error(
                    f"warning: listening on {options.host}: other machines on the network "
                    "can read this site"
                )
            reporter.info(f"serving {server.url} (Ctrl-C to stop)")
            if open_browser:
                webbrowser.open(server.url)
            threading.Event().wait()  # the work happens in the server's threads
        except KeyboardInterrupt:
            reporter.info("stopping")
        finally:
            server.stop()
    return 0
