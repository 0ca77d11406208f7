import pytest
from harness.stats import (
    Comparison,
    Figure,
    Sample,
    Target,
    format_bytes,
    format_ratio,
    format_seconds,
    meets,
    memory_met,
    memory_ratio,
    ratio,
    summarize,
    time_met,
    time_ratio,
)


def figure(seconds: float, peak_rss: int = 100) -> Figure:
    return summarize([Sample(seconds, peak_rss)])


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        ([3.0], 3.0),
        ([1.0, 9.0, 2.0], 2.0),
        ([1.0, 2.0, 3.0, 10.0], 2.5),
        ([0.5, 0.5, 0.5], 0.5),
    ],
)
def test_summarize_takes_the_median_time(seconds: list[float], expected: float) -> None:
    assert summarize([Sample(s, 1) for s in seconds]).seconds == expected


def test_summarize_takes_memory_median_independently_of_time() -> None:
    samples = [Sample(1.0, 300), Sample(2.0, 100), Sample(3.0, 200)]
    result = summarize(samples)
    assert (result.seconds, result.peak_rss) == (2.0, 200)
    assert result.samples == tuple(samples)


def test_summarize_rounds_an_even_memory_median_to_whole_bytes() -> None:
    assert summarize([Sample(1.0, 1), Sample(1.0, 2)]).peak_rss == 2


def test_summarize_refuses_no_samples() -> None:
    with pytest.raises(ValueError):
        summarize([])


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [(2.0, 4.0, 0.5), (4.0, 4.0, 1.0), (6.0, 3.0, 2.0), (1.0, 0.0, None), (1.0, -1.0, None)],
)
def test_ratio(ours: float, theirs: float, expected: float | None) -> None:
    assert ratio(ours, theirs) == expected


@pytest.mark.parametrize(
    ("target", "ours", "theirs", "expected"),
    [
        (Target(1.0, relative=True), 3.9, 4.0, True),
        (Target(1.0, relative=True), 4.0, 4.0, True),
        (Target(1.0, relative=True), 4.1, 4.0, False),
        (Target(0.1, relative=True), 0.36, 3.5, False),
        (Target(0.1, relative=True), 0.34, 3.5, True),
        (Target(0.1, relative=True), 0.34, 0.0, None),
        (Target(0.2, relative=False), 0.2, 99.0, True),
        (Target(0.2, relative=False), 0.21, 99.0, False),
        (Target(0.2, relative=False), 0.1, 0.0, True),
    ],
)
def test_meets(target: Target, ours: float, theirs: float, expected: bool | None) -> None:
    assert meets(target, ours, theirs) is expected


@pytest.mark.parametrize(
    ("target", "label"),
    [
        (Target(1.0, relative=True), "<= 1.0x"),
        (Target(0.1, relative=True), "<= 0.1x"),
        (Target(0.2, relative=False), "<= 200 ms"),
        (Target(0.15, relative=False), "<= 150 ms"),
        (Target(2.0, relative=False), "<= 2.00 s"),
    ],
)
def test_target_label(target: Target, label: str) -> None:
    assert target.label == label


def test_comparison_ratios_and_verdicts() -> None:
    row = Comparison(
        step="cold",
        transmit=figure(2.0, peak_rss=400),
        hugo=figure(4.0, peak_rss=352),
        time_target=Target(1.0, relative=True),
        memory_target=Target(1.0, relative=True),
    )
    assert time_ratio(row) == 0.5
    assert memory_ratio(row) == pytest.approx(400 / 352)
    assert time_met(row) is True
    assert memory_met(row) is False


def test_comparison_without_transmit_has_no_ratio_or_verdict() -> None:
    row = Comparison("cold", None, figure(4.0), Target(1.0, True), Target(1.0, True))
    assert (time_ratio(row), memory_ratio(row)) == (None, None)
    assert (time_met(row), memory_met(row)) == (None, None)


def test_comparison_without_targets_has_no_verdict() -> None:
    row = Comparison("no-op", figure(1.0), figure(4.0))
    assert time_ratio(row) == 0.25
    assert (time_met(row), memory_met(row)) == (None, None)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0 ms"), (0.1234, "123 ms"), (0.9994, "999 ms"), (1.0, "1.00 s"), (35.678, "35.68 s")],
)
def test_format_seconds(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 MB"), (352_000_000, "352 MB"), (1_499_999, "1 MB"), (2_600_000, "3 MB")],
)
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


@pytest.mark.parametrize(
    ("value", "text"), [(None, "-"), (0.5, "0.500x"), (0.1017, "0.102x"), (12.0, "12.000x")]
)
def test_format_ratio(value: float | None, text: str) -> None:
    assert format_ratio(value) == text


def test_summarize_keeps_the_median_of_each_command() -> None:
    samples = [Sample(3.0, 1, (1.0, 2.0)), Sample(9.0, 1, (4.0, 5.0)), Sample(5.0, 1, (2.0, 3.0))]
    assert summarize(samples).parts == (2.0, 3.0)


@pytest.mark.parametrize(
    "parts", [[(), ()], [(1.0,), (1.0, 2.0)]], ids=["no parts", "different commands"]
)
def test_summarize_has_no_parts_unless_every_sample_has_the_same_commands(
    parts: list[tuple[float, ...]],
) -> None:
    assert summarize([Sample(sum(p), 1, p) for p in parts]).parts == ()


def test_summarize_takes_the_median_cpu_time() -> None:
    samples = [Sample(1.0, 1, cpu_seconds=c) for c in (0.5, 4.0, 1.5)]
    assert summarize(samples).cpu_seconds == 1.5
