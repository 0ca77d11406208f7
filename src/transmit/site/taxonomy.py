"""Categories (a tree built from the posts' category paths) and tags, with their addresses.

Names that differ only in case are one term: a case-insensitive disk could not hold both
folders, and writers mean the same thing by `PyTorch` and `pytorch`. The spelling most posts use
is shown. Two different names whose slugs clash (`C` and `C++` both give `C`) are told apart by a
short hash of the name, so every term keeps one address however the others change.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from transmit.content.slugs import SlugError, hash_slug, make_slug
from transmit.site.entry import Entry

# A category folder named `page` would sit where its parent's pagination lives.
RESERVED_CATEGORY_SLUGS = frozenset({"page"})

Key = tuple[str, ...]


def term_key(name: str) -> str:
    """The identity of a term name: spelling variants in case or Unicode form are one term."""
    return unicodedata.normalize("NFC", name).casefold()


def _base_slug(name: str, style: str) -> str:
    try:
        return make_slug(name, style)
    except SlugError:  # a name of punctuation only still needs an address
        return hash_slug(name)


def assign_slugs(
    names: Iterable[str], style: str, reserved: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The slug of each of a set of sibling names (distinct by `term_key`).

    A slug clash is resolved without looking at the order of names: a name that is its own slug
    keeps it, every other name in the clash gets `-` and six hex digits of its hash."""
    by_slug: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in names:
        base = _base_slug(name, style)
        by_slug[base.casefold()].append((name, base))
    slugs: dict[str, str] = {}
    for folded, group in by_slug.items():
        for name, base in group:
            alone = len(group) == 1 and folded not in reserved
            own = base == unicodedata.normalize("NFC", name) and folded not in reserved
            slugs[name] = base if alone or own else f"{base}-{hash_slug(name)[:6]}"
    return slugs


def _display_names(spellings: dict[Key, Counter[str]]) -> dict[Key, str]:
    """The spelling most posts use, ties broken by code point order."""
    return {
        key: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        for key, counter in spellings.items()
    }


def _name_order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


@dataclass(frozen=True, slots=True)
class TermLink:
    """A category or tag as a page that only links to it shows it: its name and address, not
    its posts. Such a page depends on these alone, so retitling a post does not make every
    page that shares one of its terms again (a term's posts are on its own pages)."""

    name: str
    path: str


@dataclass(frozen=True, slots=True)
class Category:
    """One node of the category tree; `entries` holds its own and its descendants' posts."""

    names: tuple[str, ...]  # display names from the root, parent first
    slugs: tuple[str, ...]
    entries: tuple[Entry, ...]
    children: tuple[Category, ...] = ()

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def path(self) -> str:
        return "categories/" + "/".join(self.slugs) + "/"

    @property
    def depth(self) -> int:
        return len(self.names)

    def link(self) -> TermLink:
        return TermLink(self.name, self.path)

    def walk(self) -> Iterator[Category]:
        """This category, then its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    slug: str
    entries: tuple[Entry, ...]

    @property
    def path(self) -> str:
        return f"tags/{self.slug}/"

    def link(self) -> TermLink:
        return TermLink(self.name, self.path)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Every category and tag of the site, and lookups from a post's own names to them."""

    roots: tuple[Category, ...] = ()
    tags: tuple[Tag, ...] = ()
    _categories: dict[Key, Category] = field(default_factory=dict, repr=False)
    _tags: dict[str, Tag] = field(default_factory=dict, repr=False)

    def categories(self) -> list[Category]:
        """Every category, each root followed by its descendants."""
        return [category for root in self.roots for category in root.walk()]

    def trail(self, names: Sequence[str]) -> tuple[Category, ...]:
        """The categories along a post's category path, root first."""
        keys = tuple(term_key(name) for name in names)
        return tuple(self._categories[keys[: depth + 1]] for depth in range(len(keys)))

    def tag(self, name: str) -> Tag:
        return self._tags[term_key(name)]


def build_tags(entries: Sequence[Entry], slug_style: str) -> tuple[Tag, ...]:
    spellings: dict[Key, Counter[str]] = defaultdict(Counter)
    members: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        seen: set[str] = set()
        for name in entry.post.tags:
            key = term_key(name)
            spellings[(key,)][name] += 1
            if key not in seen:
                seen.add(key)
                members[key].append(entry)
    names = _display_names(spellings)
    slugs = assign_slugs(names.values(), slug_style)
    tags = [Tag(name, slugs[name], tuple(members[key])) for (key,), name in names.items()]
    return tuple(sorted(tags, key=lambda tag: _name_order(tag.name)))


def build_taxonomy(entries: Sequence[Entry], slug_style: str) -> Taxonomy:
    """Categories and tags of `entries`; listings keep the order of `entries`."""
    spellings: dict[Key, Counter[str]] = defaultdict(Counter)
    members: dict[Key, dict[str, Entry]] = defaultdict(dict)
    children: dict[Key, set[Key]] = defaultdict(set)
    for entry in entries:
        for path in entry.post.categories:
            key: Key = ()
            for name in path:
                parent, key = key, (*key, term_key(name))
                spellings[key][name] += 1
                members[key].setdefault(entry.post.path, entry)
                children[parent].add(key)
    names = _display_names(spellings)
    index: dict[Key, Category] = {}

    def build(
        parent: Key, parent_names: tuple[str, ...], parent_slugs: tuple[str, ...]
    ) -> tuple[Category, ...]:
        keys = sorted(children.get(parent, ()), key=lambda key: _name_order(names[key]))
        slugs = assign_slugs((names[key] for key in keys), slug_style, RESERVED_CATEGORY_SLUGS)
        nodes = []
        for key in keys:
            own_names = (*parent_names, names[key])
            own_slugs = (*parent_slugs, slugs[names[key]])
            node = Category(
                own_names,
                own_slugs,
                tuple(members[key].values()),
                build(key, own_names, own_slugs),
            )
            index[key] = node
            nodes.append(node)
        return tuple(nodes)

    roots = build((), (), ())
    tags = build_tags(entries, slug_style)
    return Taxonomy(roots, tags, index, {term_key(tag.name): tag for tag in tags})
