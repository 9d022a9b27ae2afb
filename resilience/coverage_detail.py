"""The ``detail`` of a coverage record, made readable once for every output.

A failed read's message can be a whole HTML error page (a proxy, or an endpoint that answers in
HTML), a credential-bearing URL, or a paragraph. :class:`resilience.model.Coverage` passes every
detail through :func:`readable`, so findings.json, the console and the reports print the same bounded
text. A short plain detail comes back unchanged, byte for byte.
"""

from __future__ import annotations

import html
import re

#: the longest detail kept (collectors clip each failed read to the same length)
MAX_CHARS = 400
ELLIPSIS = "..."
REDACTED = "[redacted]"

# one HTML page, from its doctype / <html> to </html> or the end of the text; botocore quotes a body
# it could not parse as a bytes literal (b'<!doctype html>\n...'), whose quotes go with the page
_PAGE = re.compile(r"""(?:\bb['"])?<(?:!doctype\b|html\b)(?P<page>.*?)(?:</html\s*>\s*['"]?|\Z)""", re.I | re.S)
_TITLE = re.compile(r"<(title|h1)\b[^>]*>(?P<text>.*?)</\1\s*>", re.I | re.S)
# an element name of HTML's own: a word in angle brackets (``<none>``, ``<ARN>``) is not markup
_TAG = re.compile(r"</?(?:a|b|body|br|button|center|code|div|em|font|footer|form|h[1-6]|head|header|hr|i|"
                  r"iframe|img|input|li|link|main|meta|nav|p|pre|script|section|small|span|strong|style|table|"
                  r"td|th|title|tr|ul)\b[^>]{0,200}>", re.I)
_SECRETS = (
    # query-string credentials of a presigned URL, and the like
    re.compile(r"(?P<key>\b(?:X-Amz-(?:Signature|Credential|Security-Token)|Signature|AWSAccessKeyId|"
               r"access_token|sig|token|password|secret)=)[^&\s'\"<>]+", re.I),
    # an AWS access key id on its own
    re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
)


def readable(text: str) -> str:
    """``text`` with each HTML page reduced to its title (or first heading, or its words), stray
    markup dropped, credentials redacted and the length capped at :data:`MAX_CHARS`."""
    if not text:
        return text
    if _PAGE.search(text) or _TAG.search(text):
        text = _PAGE.sub(lambda m: " " + _page_title(m.group(0)) + " ", text)
        text = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: (m.groupdict().get("key") or "") + REDACTED, text)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _page_title(page: str) -> str:
    # a bytes literal keeps its line breaks escaped ("\\n"): they are separators, not words
    page = page.replace("\\n", " ").replace("\\r", " ").replace("\\t", " ")
    found = _TITLE.search(page)
    words = found.group("text") if found else re.sub(r"<[^>]{0,200}>", " ", page)
    return " ".join(html.unescape(words).split()).strip("'\" ")
