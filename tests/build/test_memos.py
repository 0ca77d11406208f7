"""Saved page metadata is trusted only as far as each row fits."""

from __future__ import annotations

import operator

from transmit.build import store
from transmit.build.memos import MetaRows
from transmit.site.metadata import PageMeta


def test_saved_rows_become_metadata_when_asked_for_and_a_row_that_does_not_fit_is_missing() -> None:
    names = store.field_names(PageMeta)
    meta = PageMeta(*(f"v{n}" for n in range(len(names))))
    row = operator.attrgetter(*names)(meta)
    rows = MetaRows({"k1": ("ML", row), "k2": ("ML", (*row, "extra")), "k3": "garbage"}, PageMeta)  # type: ignore[dict-item]
    assert len(rows) == 3 and "k2" in rows
    assert rows["k1"] == ("ML", meta) and rows["k1"] is rows["k1"]  # made once
    assert rows.get("k2") is None and rows.get("k3") is None and rows.get("k4") is None
