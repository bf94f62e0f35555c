"""Telegram's text formatting as the Bot API server applies it.

Parses the ``HTML``, ``MarkdownV2`` and legacy ``Markdown`` parse modes into plain text plus
MessageEntity dicts (offsets in UTF-16 code units), following the rules and error messages of
tdlib, which backs the real Bot API server. Also detects the entities Telegram adds on its own to
user messages (bot commands, mentions, URLs, hashtags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

_SPACES = " \t\r\n\v\f\0"

# HTML tag -> MessageEntity type.
_HTML_TAGS = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """The text does not parse in its parse_mode (Telegram: "can't parse entities: ...")."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of MessageEntity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str | None, int]:
    """Decode an HTML entity starting at ``text[i] == '&'``; (None, i) if there is none."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None, i
    body = text[i + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1
    if body.startswith("#") and len(body) > 1:
        try:
            code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
        except ValueError:
            return None, i
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end + 1
    return None, i


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram's HTML subset; raise EntityParseError with tdlib's wording."""
    out: list[str] = []
    u16 = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded, j = _decode_entity(text, i)
            if decoded is not None:
                out.append(decoded)
                u16 += utf16_len(decoded)
                i = j
                continue
        if c != "<":
            out.append(c)
            u16 += utf16_len(c)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            # An end tag.
            i += 1
            name_start = i
            while i < n and text[i] not in _SPACES and text[i] != ">":
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            end_name = text[name_start:i].lower()
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n or text[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            top = stack.pop()
            if end_name and end_name != top.tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{top.tag}>", found "</{end_name}>"'
                )
            _close_html_entity(top, u16, entities)
            continue
        # A start tag.
        name_start = i
        while i < n and text[i] not in _SPACES and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[name_start:i].lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if text[i] == ">":
                i += 1
                break
            attr_start = i
            while i < n and text[i] not in _SPACES and text[i] not in "=>":
                i += 1
            attr_name = text[attr_start:i].lower()
            if not attr_name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            while i < n and text[i] in _SPACES:
                i += 1
            if i < n and text[i] != "=":
                # A valueless attribute such as <blockquote expandable>.
                attrs[attr_name] = ""
                continue
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if text[i] not in "'\"":
                token_start = i
                while i < n and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value = text[token_start:i].lower()
                if i < n and text[i] not in _SPACES and text[i] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {_byte_offset(text, i)}"
                    )
            else:
                quote = text[i]
                i += 1
                chars: list[str] = []
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        decoded, j = _decode_entity(text, i)
                        if decoded is not None:
                            chars.append(decoded)
                            i = j
                            continue
                    chars.append(text[i])
                    i += 1
                if i < n:
                    i += 1
                value = "".join(chars)
            attrs[attr_name] = value
        argument = ""
        if tag == "a":
            argument = attrs.get("href", "")
        elif tag == "code":
            cls = attrs.get("class", "")
            argument = cls.removeprefix("language-") if cls.startswith("language-") else ""
        elif tag == "span":
            if attrs.get("class") != "tg-spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
        elif tag == "tg-emoji":
            argument = attrs.get("emoji-id", "")
        stack.append(_Open(tag, argument, u16, attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), _sorted(entities)


def _close_html_entity(top: _Open, u16: int, entities: list[Entity]) -> None:
    length = u16 - top.offset
    if length <= 0:
        return
    kind = _HTML_TAGS[top.tag]
    entity: Entity = {"type": kind, "offset": top.offset, "length": length}
    if kind == "text_link":
        if not top.argument:
            return
        entity["url"] = top.argument
    elif kind == "custom_emoji":
        if not top.argument:
            return
        entity["custom_emoji_id"] = top.argument
    elif kind == "blockquote" and "expandable" in top.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "pre":
        # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
        if entities:
            last = entities[-1]
            if last["type"] == "code" and last["offset"] == top.offset and last["length"] == length:
                entities.pop()
                if last.get("language"):
                    entity["language"] = last["language"]
    elif kind == "code" and top.argument:
        entity["language"] = top.argument
    entities.append(entity)


def _sorted(entities: list[Entity]) -> list[Entity]:
    for e in entities:
        if e["type"] == "code":
            e.pop("language", None)
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --- MarkdownV2 ---------------------------------------------------------------------------

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _MdOpen:
    kind: str
    offset: int
    byte_offset: int
    text_start: int
    argument: str = ""


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 with tdlib's rules: every reserved character must be escaped."""
    out: list[str] = []
    u16 = 0
    stack: list[_MdOpen] = []
    entities: list[Entity] = []
    quote_start: int | None = None
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else ""

    i = 0
    while i < n:
        c = text[i]
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        line_start = i == 0 or text[i - 1] == "\n"
        if c == ">" and line_start and not in_code:
            if quote_start is None:
                quote_start = u16
            i += 1
            continue
        if c == "\n" and quote_start is not None and at(i + 1) != ">":
            if u16 > quote_start:
                entities.append(
                    {"type": "blockquote", "offset": quote_start, "length": u16 - quote_start}
                )
            quote_start = None
        reserved = "`" if in_code else _MDV2_RESERVED
        if c not in reserved:
            out.append(c)
            u16 += utf16_len(c)
            i += 1
            continue
        top = stack[-1].kind if stack else None
        is_end = (
            (top == "bold" and c == "*")
            or (top == "italic" and c == "_" and at(i + 1) != "_")
            or (top == "code" and c == "`")
            or (top == "pre" and text[i : i + 3] == "```")
            or (top in ("text_link", "custom_emoji") and c == "]")
            or (top == "underline" and text[i : i + 2] == "__")
            or (top == "strikethrough" and c == "~")
            or (top == "spoiler" and text[i : i + 2] == "||")
        )
        if not is_end:
            byte_offset = _byte_offset(text, i)
            argument = ""
            if c == "_":
                if at(i + 1) == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|" and at(i + 1) == "|":
                kind = "spoiler"
                i += 1
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                if text[i : i + 3] == "```":
                    kind = "pre"
                    i += 3
                    lang_end = i
                    while lang_end < n and text[lang_end] not in _SPACES and text[lang_end] != "`":
                        lang_end += 1
                    if i != lang_end and lang_end < n and text[lang_end] != "`":
                        argument = text[i:lang_end]
                        i = lang_end
                    if at(i) in "\r\n" and at(i):
                        if at(i + 1) in "\r\n" and at(i + 1) and at(i) != at(i + 1):
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    kind = "code"
            elif c == "!" and at(i + 1) == "[":
                kind = "custom_emoji"
                i += 1
            else:
                raise EntityParseError(
                    f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )
            stack.append(_MdOpen(kind, u16, byte_offset, len(out), argument))
            i += 1
            continue
        opened = stack.pop()
        entity: Entity = {
            "type": opened.kind,
            "offset": opened.offset,
            "length": u16 - opened.offset,
        }
        if opened.kind in ("underline", "spoiler"):
            i += 1
        elif opened.kind == "pre":
            i += 2
            if opened.argument:
                entity["language"] = opened.argument
        elif opened.kind in ("text_link", "custom_emoji"):
            if at(i + 1) != "(":
                url = "".join(out[opened.text_start :])
            else:
                i += 2
                url_begin = i
                chars: list[str] = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                        chars.append(text[i + 1])
                        i += 2
                        continue
                    chars.append(text[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, url_begin)}"
                    )
                url = "".join(chars)
            if opened.kind == "text_link":
                entity["url"] = url
            else:
                entity["custom_emoji_id"] = url.rpartition("id=")[2]
        i += 1
        if entity["length"] > 0:
            entities.append(entity)
    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[opened.kind]} entity at byte offset "
            f"{opened.byte_offset}"
        )
    if quote_start is not None and u16 > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": u16 - quote_start})
    return "".join(out), _sorted(entities)


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Parse the legacy Markdown parse mode (*bold*, _italic_, `code`, ```pre```, [a](url))."""
    out: list[str] = []
    u16 = 0
    entities: list[Entity] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += utf16_len(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        if text[i : i + 3] == "```":
            is_pre = True
            i += 3
            lang_end = i
            while lang_end < n and text[lang_end] not in _SPACES and text[lang_end] != "`":
                lang_end += 1
            if i != lang_end and lang_end < n and text[lang_end] != "`":
                language = text[i:lang_end]
                i = lang_end
            if i < n and text[i] in "\r\n":
                i += 1
        else:
            i += 1
        start_u16 = u16
        start_out = len(out)
        while i < n and (text[i] != end_char or (is_pre and text[i : i + 3] != "```")):
            out.append(text[i])
            u16 += utf16_len(text[i])
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        length = u16 - start_u16
        entity: Entity = {"offset": start_u16, "length": length}
        if is_pre:
            i += 3
            entity["type"] = "pre"
            if language:
                entity["language"] = language
        elif c == "[":
            i += 1
            url = ""
            if i < n and text[i] == "(":
                close = text.find(")", i)
                if close != -1:
                    url = text[i + 1 : close]
                    i = close + 1
            if not url:
                url = "".join(out[start_out:])
            entity["type"] = "text_link"
            entity["url"] = url
        else:
            i += 1
            entity["type"] = {"*": "bold", "_": "italic", "`": "code"}[c]
        if length > 0:
            entities.append(entity)
    return "".join(out), _sorted(entities)


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Apply ``parse_mode``; raise EntityParseError or ValueError("unsupported parse_mode")."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError("unsupported parse_mode")


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim leading/trailing whitespace as Telegram does, clipping the entities."""
    stripped = text.strip(_SPACES)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_SPACES))])
    total = utf16_len(stripped)
    clipped: list[Entity] = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(total, e["offset"] + e["length"] - lead)
        if end > start:
            clipped.append({**e, "offset": start, "length": end - start})
    return stripped, clipped


# --- Entities Telegram detects by itself ----------------------------------------------------

_AUTO_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}(?![\w@])")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"'，。、]+[^\s<>\"'，。、.,;:!?)）]")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
]


def auto_entities(text: str) -> list[Entity]:
    """Entities the server adds to a user's message: bot_command, mention, url, hashtag."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), kind))
    entities = [
        {"type": kind, "offset": utf16_len(text[:s]), "length": utf16_len(text[s:e])}
        for s, e, kind in found
    ]
    return _sorted(entities)


def with_auto_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """Add the entities Telegram detects in any message (URLs, mentions, ...) to parsed ones.

    Detected entities that overlap code, pre or a text link are dropped, as Telegram does.
    """
    blocking = [
        (e["offset"], e["offset"] + e["length"])
        for e in entities
        if e["type"] in ("code", "pre", "text_link", "text_mention", "custom_emoji")
    ]
    found = [
        e
        for e in auto_entities(text)
        if not any(s < e["offset"] + e["length"] and e["offset"] < end for s, end in blocking)
    ]
    if not found:
        return entities
    return _sorted([*entities, *found])


def entity_text(text: str, entity: Entity) -> str:
    """The slice of ``text`` an entity covers (offsets in UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start = entity["offset"] * 2
    return encoded[start : start + entity["length"] * 2].decode("utf-16-le")
