"""English words in a question, read as the documents' Chinese (knowledge/english.yaml).

Staff mix English into a question (`logistics归谁管`, `who handles tourism`). A glossary of the
mechanism's words translates each English word, or phrase of up to three words, into the
documents' Chinese before the question is read; neighbouring translated words are joined
("statistics bureau" → 统计局) so unit names and terms match as if typed in Chinese. A Latin run
the glossary does not know (a pinyin syllable such as `wuliu`) is left as typed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from knowledge.normalize import LATIN_RUN, SEP

GLOSSARY_PATH = Path(__file__).resolve().parent / "english.yaml"
_MAX_WORDS = 3


@cache
def glossary(path: Path = GLOSSARY_PATH) -> dict[str, str]:
    """English word or phrase (lower case, single spaces) → Chinese ("" for a word to drop)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {" ".join(str(k).lower().split()): str(v or "") for k, v in data["words"].items()}


def _lemmas(word: str) -> list[str]:
    """The word and its forms without a plural or verb ending (services → service)."""
    out = [word]
    if len(word) > 4 and word.endswith("ies"):
        out.append(word[:-3] + "y")
    if len(word) > 3 and word.endswith("es"):
        out.append(word[:-2])
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    if len(word) > 5 and word.endswith("ing"):
        out += [word[:-3], word[:-3] + "e"]
    if len(word) > 4 and word.endswith("ed"):
        out += [word[:-2], word[:-1]]
    return out


def _lookup(words: list[str], table: dict[str, str]) -> str | None:
    """The Chinese of a phrase, trying its last word's other forms; None if not listed."""
    for last in _lemmas(words[-1]):
        found = table.get(" ".join([*words[:-1], last]))
        if found is not None:
            return found
    return None


def _translate_run(run: str, table: dict[str, str], keep: frozenset[str]) -> str:
    words = run.split(SEP)
    out: list[tuple[str, bool]] = []  # (text, translated)
    i = 0
    while i < len(words):
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            if "".join(words[i : i + n]) in keep:  # the lexicon's own word (law firm)
                out.append((SEP.join(words[i : i + n]), False))
                i += n
                break
            found = _lookup(words[i : i + n], table)
            if found is not None:
                out.append((found, True))
                i += n
                break
        else:
            out.append((words[i], False))
            i += 1
    text = ""
    for k, (piece, translated) in enumerate(out):
        if k and not (translated and out[k - 1][1]):
            text += SEP
        text += piece
    return text


def translate(cleaned: str, keep: frozenset[str] = frozenset()) -> str:
    """Cleaned text with the glossary's English words in Chinese; words and phrases in `keep`
    (written without spaces) stay as typed."""
    if not any("a" <= ch <= "z" for ch in cleaned):
        return cleaned
    table = glossary()
    return LATIN_RUN.sub(lambda m: _translate_run(m.group(), table, keep), cleaned)
