"""Related posts: the ones sharing most tags and the deepest category path, the same every build."""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence

from transmit.site.entry import Entry
from transmit.site.taxonomy import term_key

TAG_WEIGHT = 2
CATEGORY_LEVEL_WEIGHT = 1
# A tag on thousands of posts would make the work quadratic; past this many, only the posts
# nearest in date on either side are candidates through it.
NEIGHBOURS = 40

Feature = tuple[str, ...]


def _features(entry: Entry) -> dict[Feature, int]:
    """Each tag, and each level of each category path, with the weight sharing it earns."""
    features: dict[Feature, int] = {}
    for name in entry.post.tags:
        features[("tag", term_key(name))] = TAG_WEIGHT
    for path in entry.post.categories:
        keys = tuple(term_key(name) for name in path)
        for depth in range(1, len(keys) + 1):
            features[("category", *keys[:depth])] = CATEGORY_LEVEL_WEIGHT
    return features


def related_posts(entries: Sequence[Entry], limit: int = 5) -> dict[str, tuple[Entry, ...]]:
    """For each post (by output path) up to `limit` others, best first; ties go to the post
    nearer the top of the site's order. Posts sharing nothing are never related."""
    features = [_features(entry) for entry in entries]
    postings: dict[Feature, list[int]] = defaultdict(list)
    for index, own in enumerate(features):
        for feature in own:
            postings[feature].append(index)
    count = len(entries)
    related: dict[str, tuple[Entry, ...]] = {}
    for index, own in enumerate(features):
        scores: dict[int, int] = {}
        get = scores.get
        for feature, weight in own.items():
            members = postings[feature]
            if len(members) > 2 * NEIGHBOURS + 1:
                at = bisect_left(members, index)
                members = members[max(0, at - NEIGHBOURS) : at + NEIGHBOURS + 1]
            for other in members:
                scores[other] = get(other, 0) + weight
        scores.pop(index, None)
        # one int per candidate, ordered by score (highest first) then by place: compared in C
        ranked = heapq.nsmallest(limit, [other - score * count for other, score in scores.items()])
        related[entries[index].post.path] = tuple(entries[key % count] for key in ranked)
    return related
