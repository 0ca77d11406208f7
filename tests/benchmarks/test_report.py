import json

from harness.report import Block, format_block, missed_targets, results_json
from harness.stats import Comparison, Figure, Sample, Target, summarize

RELATIVE = Target(1.0, relative=True)
TENTH = Target(0.1, relative=True)


def fig(seconds: float, peak_rss: int) -> Figure:
    return summarize(
        [Sample(seconds, peak_rss), Sample(seconds * 3, peak_rss * 3), Sample(seconds, peak_rss)]
    )


def block(transmit: bool = True) -> Block:
    rows = (
        Comparison(
            "cold",
            fig(2.0, 300_000_000) if transmit else None,
            fig(4.0, 352_000_000),
            RELATIVE,
            RELATIVE,
        ),
        Comparison(
            "no-op",
            fig(0.5, 100_000_000) if transmit else None,
            fig(3.5, 340_000_000),
            TENTH,
            RELATIVE,
        ),
    )
    return Block(
        "1,000 posts, search off", rows, 3, posts=1000, search=False, pages=(("hugo", 12),)
    )


def test_table_shows_figures_ratios_and_verdicts() -> None:
    text = format_block(block())
    lines = text.splitlines()
    assert lines[0] == "1,000 posts, search off (median of 3 runs); pages written: hugo 12"
    cold = next(line for line in lines if line.startswith("cold"))
    assert " ".join(cold.split()) == (
        "cold 2.00 s 4.00 s 0.500x <= 1.0x ok | 300 MB 352 MB 0.852x <= 1.0x ok"
    )
    no_op = next(line for line in lines if line.startswith("no-op"))
    assert "0.143x <= 0.1x MISS" in " ".join(no_op.split())


def test_table_columns_line_up() -> None:
    lines = [line for line in format_block(block()).splitlines() if "|" in line]
    assert len(lines) == 2 + len(block().rows)
    assert len({line.index("|") for line in lines}) == 1


def test_table_without_transmit_shows_dashes_and_no_verdict() -> None:
    text = format_block(block(transmit=False))
    cold = next(line for line in text.splitlines() if line.startswith("cold"))
    assert cold.split()[1] == "-"
    assert "ok" not in text and "MISS" not in text


def test_table_without_memory_has_no_memory_columns() -> None:
    plain = Block("CLI startup", block().rows, 10, memory=False)
    assert "|" not in format_block(plain)


def test_missed_targets_names_block_step_and_target() -> None:
    assert missed_targets([block()]) == ["1,000 posts, search off: no-op time <= 0.1x"]
    assert missed_targets([block(transmit=False)]) == []


def test_results_json_is_serializable_and_complete() -> None:
    data = json.loads(json.dumps(results_json({"runs": 3}, [block()])))
    assert data["meta"] == {"runs": 3}
    (only,) = data["blocks"]
    assert (only["posts"], only["search"], only["runs"]) == (1000, False, 3)
    assert only["pages_written"] == {"hugo": 12}
    cold = only["rows"][0]
    assert cold["step"] == "cold"
    assert cold["transmit"]["median_seconds"] == 2.0
    assert cold["hugo"]["median_peak_rss_bytes"] == 352_000_000
    assert len(cold["hugo"]["samples"]) == 3
    assert cold["time_ratio"] == 0.5
    assert cold["time_target"] == {"limit": 1.0, "relative": True, "met": True}
    assert only["rows"][1]["time_target"]["met"] is False


def test_results_json_without_transmit_has_nulls() -> None:
    cold = results_json({}, [block(transmit=False)])["blocks"][0]["rows"][0]
    assert cold["transmit"] is None
    assert cold["time_ratio"] is None
    assert cold["time_target"]["met"] is None


def test_table_splits_a_figure_made_of_several_commands() -> None:
    hugo = summarize([Sample(5.0, 700, (2.0, 3.0))])
    rows = (Comparison("cold", None, hugo, RELATIVE, RELATIVE),)
    text = format_block(Block("1,000 posts, search on", rows, 1, search=True))
    assert text.splitlines()[-1] == "hugo column, command by command: cold 2.00 s + 3.00 s"


def test_table_of_single_commands_has_no_split_line() -> None:
    assert "command by command" not in format_block(block())


def test_heading_reports_the_machine_load() -> None:
    loaded = Block("1,000 posts, search off", block().rows, 3, load=5.84)
    assert format_block(loaded).splitlines()[0] == (
        "1,000 posts, search off (median of 3 runs); 1-min load average after: 5.8"
    )


def test_table_gives_cpu_time_of_both_tools() -> None:
    hugo = summarize([Sample(5.0, 700, cpu_seconds=9.0)])
    ours = summarize([Sample(1.0, 300, cpu_seconds=1.5)])
    rows = (Comparison("cold", ours, hugo, RELATIVE, RELATIVE),)
    text = format_block(Block("1,000 posts, search off", rows, 1))
    assert "cpu time (user+sys), transmit vs hugo: cold 1.50 s vs 9.00 s" in text.splitlines()


def test_startup_table_has_no_cpu_line() -> None:
    assert "cpu time" not in format_block(Block("CLI startup", block().rows, 10, memory=False))
