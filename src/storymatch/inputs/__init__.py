"""Inputs: the Article every stage passes around, and reading it from files, stdin, records and corpora.

    Article(text, title=None, date=None, language=None, source=None, url=None, id=None, meta={})
    load_article(path)            one .txt / .json / .html file, or "-" for stdin
    parse_article(bytes, name)    the same, from bytes (uploads)
    article_from_record(dict)     one JSON record or CSV row (news-please, passim, SemEval spellings)
    read_corpus(paths)            every record under files, folders, JSONL, CSV, .gz: (where, Article | InputError)
    parse_date(value)             one rule for publication dates given by users and records

Every problem with an input is an `InputError` naming the input and the problem in one line.
"""

from storymatch.inputs.article import Article
from storymatch.inputs.files import load_article, parse_article
from storymatch.inputs.publication_date import parse_date
from storymatch.inputs.readers import read_corpus
from storymatch.inputs.records import article_from_record

__all__ = ["Article", "article_from_record", "load_article", "parse_article", "parse_date", "read_corpus"]
