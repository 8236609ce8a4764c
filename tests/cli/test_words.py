"""What the commands print, in words: counts with the right plural ("1 bad record", never "1 bad records")."""

from __future__ import annotations

from storymatch.cli import spark


def test_spark_summaries_count_in_the_right_plural():
    one = {"articles": 1, "bad": 1, "seconds": 2.0, "articles_per_second": 0.5, "candidate_pairs": 1,
           "reuse_pairs": 1, "passages": 1, "pairs": 1, "errors": 1, "tier": "fast", "duplicates": 1, "stories": 1,
           "multi_article_stories": 0, "reuse_edges": 1}
    lines = [spark.reuse_message(one, "OUT"), spark.compare_message(one, "OUT"), spark.embed_message(one, "OUT"),
             spark.stories_message(one, "OUT")]
    text = " ".join(lines)
    for wrong in ("1 bad records", "1 bad lines", "1 articles", "1 pairs", "1 passages", "1 vectors",
                  "1 candidate pairs", "1 stories", "1 repeated ids", "1 reuse pairs"):
        assert wrong not in text, wrong
    assert "1 bad record," in lines[0] and "1 bad line," in lines[1] and "1 vector (fast, 1 bad record)" in lines[2]
    many = {k: (3 if isinstance(v, int) else v) for k, v in one.items()}
    assert "3 bad records" in spark.reuse_message(many, "OUT") and "3 bad lines" in spark.compare_message(many, "OUT")
    assert "art/s" not in text  # articles/s, in words


def test_compare_header_shows_the_title_and_counts_characters():
    """`--title-a` was not shown in compare's header, and a one-character text read "1 chars"."""
    from storymatch.cli.compare import _side
    from storymatch.inputs.article import Article

    line = _side("A", Article("x", title="Syria condemns strike", source="a.txt"))
    assert line.startswith("A: a.txt  “Syria condemns strike”") and "1 character" in line and "chars" not in line
    assert "“" not in _side("B", Article("two words", source="b.txt"))  # no title, no quotes
