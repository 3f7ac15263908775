import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from slugify import slugify, top_words  # noqa: E402

TEXT = " ".join(["alpha beta gamma delta"] * 500 + ["omega"] * 7)


def test_slugify_is_lowercase_and_dashed():
    assert slugify("  Hello, World! 2026 ") == "hello-world-2026"


def test_top_words_counts():
    assert top_words("b a b", 1) == [("b", 2)]


def test_bench_slugify(benchmark):
    assert benchmark(slugify, "A Quality Gate: Tests & Performance!") == "a-quality-gate-tests-performance"


def test_bench_top_words(benchmark):
    assert benchmark(top_words, TEXT, 3)[0][1] == 500
