"""Work done by a forked copy of this process while this one does other work: the copy has
everything this process has (nothing to pickle over) and sends back bytes."""

from __future__ import annotations

import os
from collections.abc import Callable


def started(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
    """Start `work()` in a forked child (the caller checked that forking is safe: `can_fork`);
    returns the wait for its bytes, None when it failed. The wait must be called."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its result down the pipe, and out without any teardown
        code = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(work())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def result() -> bytes | None:
        with os.fdopen(read_end, "rb") as pipe:  # read to the end first: a full pipe
            data = pipe.read()  # would keep the child from ending
        _, status = os.waitpid(pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None

    return result
