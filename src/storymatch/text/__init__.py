"""Text primitives every stage shares; offsets always index the original text.

    normalize(text)        quotes, dashes, odd spaces and case folded, same length as the input
    sentences(text)        Span(start, end, text) per sentence
    words(text)            Span per word (the one word rule, WORD)
    word_list(text)        lower-cased words, for bag-of-words features
    detect_language(text)  ISO 639-1 code (lingua), or None
    frequent_words / function_words   two kinds of words that say nothing (stopwords.py says which is which)
    zipf / rarity          how common a word is in its language (wordfreq)
"""

from storymatch.text.language import detect_language
from storymatch.text.normalize import normalize
from storymatch.text.rarity import rarity, zipf
from storymatch.text.spans import WORD, Span, sentences, word_list, words
from storymatch.text.stopwords import frequent_words, function_words

__all__ = ["WORD", "Span", "detect_language", "frequent_words", "function_words", "normalize", "rarity",
           "sentences", "word_list", "words", "zipf"]
