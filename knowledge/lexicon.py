"""The shared domain lexicon (knowledge/lexicon.yaml): staff's everyday, trade and English words
for the documents' own industry terms, homographs, role verbs and the jurisdiction-wide subject.

The lexicon is the same for every jurisdiction. The lookup engine applies an entry in a
jurisdiction only where the document terms it points at are found in that jurisdiction's own
duties, so "民宿" reaches 宾馆(星级) in Yongjia, 旅游服务业 in the district, and a word whose
industry a document does not name (餐馆 in the district) stays unknown there.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import Field

from knowledge.loader import KnowledgeError, Problem
from knowledge.schema import Strict

LEXICON_PATH = Path(__file__).resolve().parent / "lexicon.yaml"


class Industry(Strict):
    """Words staff use for an industry, and the documents' terms for it."""

    sense: str = Field(description="what the entry is about, for the reader")
    means: list[str] = Field(min_length=1, description="document terms, applied where found")
    otherwise: list[str] = Field(
        default_factory=list, description="document terms used only where none of `means` is found"
    )
    terms: list[str] = Field(min_length=1, description="everyday, trade and English words")


class Sense(Strict):
    """A homograph: the document's word in another sense when one of the context words is there."""

    word: str
    means: str = Field(description="the sense the documents use, for the reader")
    not_with: list[str] = Field(min_length=1)


class Role(Strict):
    """Verbs a question asks with (谁拍板) and the document's verbs for that part (确定)."""

    name: str
    asks: list[str] = Field(min_length=1)
    does: list[str] = Field(min_length=1)


class Description(Strict):
    """An everyday description of a document term: one word of every cue group in a clause."""

    term: str = Field(description="the document's term, applied where the document has it")
    cues: list[list[str]] = Field(description="groups of everyday words; empty: none known")


class Remit(Strict):
    """The everyday words for what a unit generally manages (管水的 → 水务局)."""

    unit: str
    words: list[str] = Field(min_length=1)


class Lexicon(Strict):
    version: int = 1
    subject: list[str] = Field(
        min_length=1, description="words for the whole jurisdiction-wide subject (服务业)"
    )
    carriers: list[str] = Field(
        default_factory=list,
        description="nouns that after an industry word only say 'its businesses' (餐饮企业)",
    )
    errands: list[str] = Field(
        default_factory=list, description="words of a resident's own errand (坏了, 挂号, 门票)"
    )
    industries: list[Industry] = Field(default_factory=list)
    senses: list[Sense] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    descriptions: list[Description] = Field(default_factory=list)
    remits: list[Remit] = Field(default_factory=list)


def parse_lexicon(text: str, file: str = "<string>") -> Lexicon:
    """Validate YAML text as a lexicon."""
    try:
        data = yaml.safe_load(text)
        return Lexicon.model_validate(data)
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(file, None, "", f"YAML syntax: {exc}")]) from None
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise KnowledgeError([Problem(file, None, "", str(exc))]) from None


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The shared lexicon, loaded once per process."""
    return parse_lexicon(path.read_text(encoding="utf-8"), str(path))
