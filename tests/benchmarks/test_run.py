"""run.py's settings: what each is called and where its sites and logs go."""

from pathlib import Path

import pytest
import run


def plan_for(argv: list[str]) -> run.Plan:
    args = run.parse_args(argv)
    return run.Plan(
        sizes=tuple(args.posts),
        runs=args.runs,
        search=args.search,
        distinct_code=args.distinct_code,
        transmit=("transmit",),
        jobs=args.jobs,
        seed=args.seed,
        generator=Path("gen_corpus.py"),
        startup_runs=args.startup_runs,
        json_path=args.json,
    )


def test_the_corpus_as_generated_by_default() -> None:
    plan = plan_for(["--posts", "1000"])
    assert not plan.distinct_code
    assert run.describe(plan, 1000, False) == "1,000 posts, search off"
    assert run.folder_name(plan, 1000, True) == "1000-search"


def test_distinct_code_is_named_and_kept_apart() -> None:
    plan = plan_for(["--posts", "1000", "--distinct-code"])
    assert plan.distinct_code
    assert run.describe(plan, 1000, False) == "1,000 posts, search off, code made distinct"
    assert run.folder_name(plan, 1000, False) == "1000-plain-distinct"


@pytest.mark.parametrize("argv", [["--posts", "0"], ["--runs", "0"]])
def test_sizes_and_runs_must_be_positive(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        run.parse_args(argv)
