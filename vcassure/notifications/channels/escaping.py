"""Escaping of people's text (meeting titles and notes, cancel reasons, names of people, venues and
groups) for each message format, in one place per format. A title such as "[点此](http://…)" or
"@所有人" must reach a group as the words typed, never as a link, a tag, a heading or a mention:
the only links in a message are the platform's own (acknowledgement links, passed as link_url)
and the only mentions are the platform's recipients (mention_mobiles, mention_user_ids).

Where each applies:
- markdown(): each value put into a message whose markup the platform writes (a group digest's
  "### …" and "- …" lines): applied where the digest is composed, to the values only.
- one_line(): each value put into a plain text the platform composes (a notice's body, a title),
  so that it cannot add lines of its own.
- plain(), markdown_text(), sms(), html(): the adapters apply them to a message's whole plain text
  when they send it (personal notices and titles hold no markup of the platform's own).

Markup characters are replaced by their full-width forms rather than backslash-escaped: DingTalk
and WeCom document no escape syntax, and a full-width bracket is inert in any renderer and still
reads as the character the person typed."""

import re

from django.utils.html import escape

# C0 and C1 controls (tab and newlines are handled apart), zero-width and bidirectional marks.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]{1,20}):/+")
_WWW = re.compile(r"(?i)\bwww\.")
# Markdown (DingTalk and WeCom): links and images, HTML and WeCom's <@id> mentions, mentions,
# headings, code, emphasis, tables, escapes.
_MARKDOWN = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "@": "＠",
        "#": "＃",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "~": "～",
        "|": "｜",
        "\\": "＼",
    }
)
_PLAIN = str.maketrans({"<": "＜", ">": "＞", "@": "＠", "[": "［", "]": "］"})
_SMS = str.maketrans({"【": "[", "】": "]"})
_LIST_START = re.compile(r"^(\s*)([-+=])")
_NUMBERED_START = re.compile(r"^(\s*\d+)([.)])")


def _clean(value: object, *, multiline: bool) -> str:
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", str(value or "")))
    text = text.replace("\t", " ")
    if not multiline:
        text = " ".join(text.split())
    return text


def _defang(text: str) -> str:
    """Addresses a person typed stay readable but are no longer links ("http：//…")."""
    return _WWW.sub(lambda m: m.group(0)[:-1] + "．", _SCHEME.sub(r"\1：//", text))


def markdown(value: object) -> str:
    """One value for DingTalk or WeCom markdown, on one line, with nothing a renderer acts on."""
    text = _defang(_clean(value, multiline=False)).translate(_MARKDOWN)
    text = _LIST_START.sub(lambda m: m.group(1) + chr(ord(m.group(2)) + 0xFEE0), text)
    return _NUMBERED_START.sub(lambda m: m.group(1) + chr(ord(m.group(2)) + 0xFEE0), text)


def markdown_text(text: object) -> str:
    """A plain multi-line text sent where markdown is rendered: every line escaped."""
    return "\n".join(markdown(line) for line in _clean(text, multiline=True).split("\n"))


def one_line(value: object) -> str:
    """A value put into a plain text that the platform composes (a notice's body): without
    control characters and line breaks, so it cannot forge lines of its own. The channel escapes
    the rest for its format when it sends."""
    return _clean(value, multiline=False)


def plain(value: object, *, multiline: bool = True) -> str:
    """Plain text for IM text messages, cards, OA and email text: no control characters, no tags
    (WeCom text and cards render <a href>), no @mentions, no links (nor link syntax)."""
    return _defang(_clean(value, multiline=multiline)).translate(_PLAIN)


def sms(value: object, *, limit: int | None = None, multiline: bool = True) -> str:
    """SMS text or a template variable: plain, without the 【】 of a signature, cut to `limit`
    characters (providers refuse longer template variables)."""
    text = plain(value, multiline=multiline).translate(_SMS).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def html(value: object) -> str:
    """A value for an HTML body."""
    return str(escape(_clean(value, multiline=True)))
