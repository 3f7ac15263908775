"""A tiny module the example service benchmarks: URL slugs and word counts."""

import re
from collections import Counter

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    return _NON_WORD.sub("-", title.lower()).strip("-")


def top_words(text: str, n: int) -> list[tuple[str, int]]:
    return Counter(text.lower().split()).most_common(n)
