import os
import sys
from pathlib import Path

from harness.measure import Command, Runner
from harness.scenarios import (
    STEPS,
    StartupCase,
    compare_steps,
    measure_site,
    measure_startup,
    startup_cases,
)
from harness.sites import POSTS_DIR, edit_sentence
from harness.stats import Target
from harness.tools import Tool

# A build that notes whether its cache survived since the last build, then writes one page.
FAKE_BUILD = """
import pathlib
cache = pathlib.Path(".cache"); out = pathlib.Path("public")
with open("builds.txt", "a") as log: log.write("warm\\n" if cache.exists() else "cold\\n")
cache.mkdir(exist_ok=True); out.mkdir(exist_ok=True)
(out / "index.html").write_text("<p>ok</p>")
"""


def fake_tool(site: Path, name: str) -> Tool:
    (site / POSTS_DIR).mkdir(parents=True)
    (site / POSTS_DIR / "a.md").write_text("body\n", encoding="utf-8")
    return Tool(
        name=name,
        site=site,
        out=site / "public",
        build=(Command((sys.executable, "-c", FAKE_BUILD), site),),
        cold_paths=(site / "public", site / ".cache"),
    )


def runner() -> Runner:
    return Runner(interval=0.005, env=dict(os.environ))


def test_measure_site_runs_every_step_of_every_tool(tmp_path: Path) -> None:
    tools = [fake_tool(tmp_path / "t", "transmit"), fake_tool(tmp_path / "h", "hugo")]
    measured = measure_site(tools, 2, "a.md", runner(), tmp_path / "logs")
    assert [m.tool for m in measured] == ["transmit", "hugo"]
    for result in measured:
        assert set(result.samples) == set(STEPS)
        assert all(len(result.samples[step]) == 2 for step in STEPS)
        assert result.pages == 1


def test_measure_site_starts_each_round_cold_and_edits_once_per_round(tmp_path: Path) -> None:
    tool = fake_tool(tmp_path / "t", "transmit")
    measure_site([tool], 2, "a.md", runner(), tmp_path / "logs")
    builds = (tool.site / "builds.txt").read_text(encoding="utf-8").split()
    assert builds == ["cold", "warm", "warm"] * 2
    post = (tool.site / POSTS_DIR / "a.md").read_text(encoding="utf-8")
    assert post == "body\n" + edit_sentence(0) + edit_sentence(1)
    assert (tmp_path / "logs" / "transmit.log").exists()


def test_the_tools_take_turns_at_going_first(tmp_path: Path) -> None:
    order = tmp_path / "order.txt"
    tools = []
    for name in ("transmit", "hugo"):
        tool = fake_tool(tmp_path / name, name)
        note = Command(
            (sys.executable, "-c", f"open({str(order)!r}, 'a').write('{name} ')"), tool.site
        )
        tools.append(Tool(tool.name, tool.site, tool.out, (note,), tool.cold_paths))
    measure_site(tools, 3, "a.md", runner(), tmp_path / "logs")
    rounds = ["transmit"] * 3 + ["hugo"] * 3, ["hugo"] * 3 + ["transmit"] * 3
    assert order.read_text(encoding="utf-8").split() == [*rounds[0], *rounds[1], *rounds[0]]


def test_compare_steps_puts_the_issue_targets_on_every_step(tmp_path: Path) -> None:
    tools = [fake_tool(tmp_path / "t", "transmit"), fake_tool(tmp_path / "h", "hugo")]
    ours, theirs = measure_site(tools, 1, "a.md", runner(), tmp_path / "logs")
    rows = compare_steps(ours, theirs)
    assert [row.step for row in rows] == list(STEPS)
    assert [row.time_target for row in rows] == [
        Target(1.0, relative=True),
        Target(0.1, relative=True),
        Target(0.2, relative=False),
    ]
    assert all(row.memory_target == Target(1.0, relative=True) for row in rows)
    assert all(row.transmit is not None for row in rows)
    assert all(row.transmit is None for row in compare_steps(None, theirs))


def test_startup_cases_pair_transmit_with_hugo() -> None:
    cases = startup_cases(("transmit",), Path("/bin/hugo"))
    assert [case.label for case in cases] == ["--version", "build --help"]
    assert [case.transmit.argv for case in cases if case.transmit] == [
        ("transmit", "--version"),
        ("transmit", "build", "--help"),
    ]
    assert [case.hugo.argv for case in cases] == [
        ("/bin/hugo", "version"),
        ("/bin/hugo", "build", "--help"),
    ]


def test_startup_takes_the_median_of_the_runs(tmp_path: Path) -> None:
    quick = Command((sys.executable, "-c", "pass"), tmp_path)
    rows = measure_startup(
        [StartupCase("--version", quick, quick)], 2, runner(), tmp_path / "s.log"
    )
    assert rows[0].transmit is not None
    assert (len(rows[0].transmit.samples), len(rows[0].hugo.samples)) == (2, 2)
    assert rows[0].time_target == Target(0.15, relative=False)


def test_startup_without_transmit_measures_hugo_only() -> None:
    cases = startup_cases(None, Path("hugo"))
    assert all(case.transmit is None for case in cases)
