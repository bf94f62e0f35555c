"""Word segmentation with jieba: one private Tokenizer per engine, so user words never leak."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any

import jieba
import jieba.posseg

from knowledge.tuning import LIGHT_FUNCTION, LIGHT_VERB

# jieba logs its dictionary loading at INFO on its own logger; keep the bot's log quiet.
jieba.setLogLevel(logging.WARNING)


@cache
def _base() -> Any:
    """jieba's default dictionary, loaded once per process (from jieba's own cache file)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


class Segmenter:
    """A jieba Tokenizer of its own with the documents' terms added as user words."""

    def __init__(self, words: Iterable[str]) -> None:
        base = _base()
        tokenizer = jieba.Tokenizer()
        # share the loaded default dictionary by copying it, instead of reading it again
        tokenizer.FREQ = dict(base.FREQ)
        tokenizer.total = base.total
        tokenizer.initialized = True
        for word in sorted(set(words)):
            if len(word) >= 2:
                # a frequency high enough that jieba keeps the term in one piece
                tokenizer.add_word(word, freq=max(tokenizer.FREQ.get(word) or 0, 2000))
        self._tokenizer = tokenizer

    def cut(self, text: str) -> list[str]:
        """Words of text (precise mode, no HMM guessing of unknown words)."""
        return [w for w in self._tokenizer.cut(text, HMM=False) if w]

    def is_word(self, text: str) -> bool:
        """Whether text is a word of jieba's dictionary or of the user words."""
        return bool(self._tokenizer.FREQ.get(text))


def base_words(text: str) -> list[str]:
    """Words of text by jieba's default dictionary alone (precise mode, no HMM)."""
    return [w for w in _base().cut(text, HMM=False) if w]


def word_tags() -> dict[str, str]:
    """jieba's default dictionary's part-of-speech tags (word → tag)."""
    return _tags()


def base_is_word(text: str) -> bool:
    """Whether text is a word of jieba's default dictionary."""
    return bool(_base().FREQ.get(text))


# jieba's part-of-speech tags of words that say how or when rather than what: adverbs, time and
# place words, pronouns, prepositions, conjunctions, particles, numerals, measure words, idioms.
_FUNCTION_TAGS = frozenset(
    "d t f r p c u uj ul y e o m q mq s l z a ad".split()  # noqa: SIM905
)


@cache
def _tags() -> dict[str, str]:
    """jieba's default dictionary's part-of-speech tags (word → tag), loaded once."""
    table: dict[str, str] = jieba.posseg.dt.word_tag_tab
    return table


def word_weight(word: str) -> float:
    """How much an unknown question word weighs by its part of speech: a noun (or a word jieba
    does not know: a typo, a trade word) fully, a verb less, a function word little."""
    tag = _tags().get(word)
    if tag is None or tag.startswith("n") or tag in ("vn", "j", "eng"):
        return 1.0
    if tag.startswith("v"):
        return LIGHT_VERB
    return LIGHT_FUNCTION if tag in _FUNCTION_TAGS else 1.0


def is_function_word(word: str, idioms: bool = True) -> bool:
    """Whether jieba tags the word as saying how, when or which rather than what (这份, 这次,
    上一年, 几件): an adverb, pronoun, time or place word, numeral, measure word or particle;
    `idioms`: a set phrase too (jieba's 习用语 include nouns such as 食品安全)."""
    tag = _tags().get(word)
    return tag in _FUNCTION_TAGS and (idioms or tag != "l")
