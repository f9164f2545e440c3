"""Lesson HTML: Markdown plus our blocks and callouts, sanitised by an allow-list, once, at import.

The output is safe to insert into a page as it is: whatever an author (or an uploaded .zip)
writes, only the tags and attributes below survive, relative links become the URLs of the
course's lessons and stored media, and any other URL is dropped.
"""

from __future__ import annotations

import posixpath
import re
import secrets
import xml.etree.ElementTree as etree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from lms.courses.format import COURSE_FILE, LESSON_FILE_RE, MEDIA_DIR, AudioBlock, VocabBlock
from lms.dictionary.queries import EntryText
from lms.i18n import gettext as _

# Learner pages serve lessons at these paths; media are served by courses.media.
COURSE_PATH = "/courses/{course}"
LESSON_PATH = "/courses/{course}/{lesson}"
MEDIA_PATH = "/media/{course}/{sha256}.{extension}"

CALLOUT_KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING")
CALLOUT_RE = re.compile(r"^\[!(?P<kind>[A-Za-z]+)\][ \t]*(?P<title>[^\n]*)(?:\n|$)")
EXTERNAL_SCHEMES = ("http", "https", "mailto")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

TAGS = {
    "a", "abbr", "audio", "b", "blockquote", "br", "caption", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "source", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "audio": {"src", "controls", "aria-label"},
    "source": {"src"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "div": {"data-quiz"},
    "tr": {"data-entry"},
}
ATTRIBUTE_VALUES = {
    "th": {"align": {"left", "center", "right"}, "scope": {"col", "row"}},
    "td": {"align": {"left", "center", "right"}},
    "div": {"role": {"note"}},
    "audio": {"preload": {"none", "metadata"}},
}
CLASSES = {
    "div": {"callout", "quiz-slot", "table-wrap"} | {f"callout-{k.lower()}" for k in CALLOUT_KINDS},
    "p": {"callout-title"},
    "figure": {"audio"},
    "table": {"vocab"},
    "small": {"vocab-note"},
}
CLEAN_CONTENT_TAGS = {"script", "style", "template", "svg", "math", "iframe", "object", "noscript"}


def callout_title(kind: str) -> str:
    return {
        "NOTE": _("Ghi chú"),
        "TIP": _("Mẹo"),
        "IMPORTANT": _("Quan trọng"),
        "WARNING": _("Cảnh báo"),
    }[kind]


# Targets of links and images -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a link or image address in a course file points at."""

    kind: str  # anchor, external, course, lesson, media, scheme (refused), relative (refused)
    path: str = ""
    fragment: str = ""


def classify(url: str) -> Target:
    """Say what url points at, relative to the course folder."""
    url = url.strip()
    if url.startswith("#"):
        return Target("anchor", fragment=url[1:])
    if _SCHEME_RE.match(url):
        scheme = url.split(":", 1)[0].lower()
        return Target("external") if scheme in EXTERNAL_SCHEMES else Target("scheme")
    if url.startswith("/") or "\\" in url:
        return Target("relative", url)
    path, _hash, fragment = url.partition("#")
    path = unquote(path.partition("?")[0])
    if not path:
        return Target("relative", url)
    normal = posixpath.normpath(path)
    if normal == COURSE_FILE:
        return Target("course", normal, fragment)
    if LESSON_FILE_RE.match(normal):
        return Target("lesson", normal, fragment)
    if normal.startswith(MEDIA_DIR + "/"):
        return Target("media", normal)
    return Target("relative", path)


@dataclass(frozen=True)
class Links:
    """The URLs one course's relative addresses turn into."""

    course_slug: str
    lessons: Mapping[str, str]  # lesson file name -> lesson slug
    media: Mapping[str, str]  # media path -> URL

    def url(self, value: str, *, external: bool = True) -> str | None:
        """Return the URL to put in the page for value, or None to drop it."""
        target = classify(value)
        if target.kind == "anchor":
            return value.strip()
        if target.kind == "external":
            return value.strip() if external else None
        suffix = f"#{target.fragment}" if target.fragment else ""
        if target.kind == "course":
            return COURSE_PATH.format(course=self.course_slug) + suffix
        if target.kind == "lesson" and target.path in self.lessons:
            lesson = self.lessons[target.path]
            return LESSON_PATH.format(course=self.course_slug, lesson=lesson) + suffix
        if target.kind == "media":
            return self.media.get(target.path)
        return None


# Sanitising ----------------------------------------------------------------------------------


def sanitise(html: str, links: Links) -> str:
    """Keep only allowed markup; rewrite relative addresses, drop any other."""

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "href":
            return links.url(value)
        if attribute == "src":
            # Pages may load only our own files (CSP); images from elsewhere would not show.
            return links.url(value, external=False)
        return value

    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ATTRIBUTES,
        tag_attribute_values=ATTRIBUTE_VALUES,
        allowed_classes=CLASSES,
        attribute_filter=rewrite,
        url_schemes=set(EXTERNAL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Our blocks ----------------------------------------------------------------------------------


def _audio_player(path: str, label: str | None = None) -> Markup:
    """A player for a media path; sanitise() turns the path into the stored file's URL."""
    aria = Markup(' aria-label="{}"').format(label) if label else Markup("")
    return Markup(
        '<audio controls preload="none" src="{url}"{aria}><a href="{url}">{download}</a></audio>'
    ).format(url=path, aria=aria, download=_("Tải tệp âm thanh"))


def audio_html(block: AudioBlock) -> Markup:
    """Render an audio block: a player, its caption and the transcript on demand."""
    parts = [
        Markup('<figure class="audio">'),
        _audio_player(block.src),
        Markup("<figcaption>{}</figcaption>").format(block.caption),
    ]
    if block.transcript:
        lines = Markup("<br>").join(block.transcript.splitlines())
        parts.append(
            Markup("<details><summary>{}</summary><p>{}</p></details>").format(
                _("Lời thoại"), lines
            )
        )
    parts.append(Markup("</figure>"))
    return Markup("\n").join(parts)


# A row naming a dictionary entry, as vocab_html writes it and the sanitiser keeps it: the
# lesson page shows the entry's headword, meaning and native recording as they are today
# (entry_rows_now).
_ENTRY_ROW_RE = re.compile(
    r'(<tr data-entry="(?P<key>[a-z0-9-]+)"><td lang="[^"<>]*">)[^<]*(</td><td>)[^<]*'
    r'(?P<note>(?:<br><small class="vocab-note">[^<]*</small>)?</td><td>)'
    r"(?P<audio>.*?)(</td></tr>)",
    re.S,
)


def entry_keys(html: str) -> list[str]:
    """The dictionary entries a lesson's vocabulary rows name, each once, in order."""
    if 'data-entry="' not in html:  # most lessons: no search through the text
        return []
    return list(dict.fromkeys(match["key"] for match in _ENTRY_ROW_RE.finditer(html)))


def entry_rows_now(html: str, entries: Mapping[str, EntryText]) -> str:
    """The lesson's HTML with each entry row's headword and meaning as the dictionary has them
    now, and its approved native recording (with the speaker's name) in place of the lesson's
    own audio; a row whose entry is gone or unpublished keeps what it showed at import."""

    def current(match: re.Match[str]) -> str:
        entry = entries.get(match["key"])
        if entry is None:
            return match[0]
        audio = Markup(match["audio"])
        if entry.audio_url:
            audio = Markup(
                '<audio controls preload="none" src="{url}" aria-label="{label}"></audio>'
                '<br><small class="vocab-note">{who}</small>'
            ).format(
                url=entry.audio_url,
                label=_("Nghe “%(word)s”", word=entry.headword),
                who=_("Giọng %(speaker)s", speaker=entry.speaker),
            )
        return Markup("{}{}{}{}{}{}{}").format(
            Markup(match[1]),
            entry.headword,
            Markup(match[3]),
            entry.meaning,
            Markup(match["note"]),
            audio,
            Markup(match[6]),
        )

    return _ENTRY_ROW_RE.sub(current, html)


def vocab_html(
    block: VocabBlock, language: str, entries: Mapping[str, EntryText] | None = None
) -> Markup:
    """Render a vocabulary table: word, meaning and a player on every row. A row naming a
    dictionary entry (entries holds them by key) is marked with its key."""
    word_heading, meaning_heading = block.columns or (_("Từ"), _("Nghĩa"))
    rows = []
    for row in block.rows:
        note = (
            Markup('<br><small class="vocab-note">{}</small>').format(row.note) if row.note else ""
        )
        mark = Markup("")
        word, meaning = row.word, row.meaning or ""
        if row.entry is not None:
            entry = (entries or {})[row.entry]
            mark = Markup(' data-entry="{}"').format(row.entry)
            word, meaning = entry.headword, entry.meaning
        label = _("Nghe “%(word)s”", word=word or meaning)
        rows.append(
            Markup(
                '<tr{mark}><td lang="{lang}">{word}</td><td>{meaning}{note}</td><td>{audio}</td>'
                "</tr>"
            ).format(
                mark=mark,
                lang=language,
                word=word or "—",
                meaning=meaning,
                note=note,
                audio=_audio_player(row.audio, label) if row.audio else "",
            )
        )
    caption = Markup("<caption>{}</caption>").format(block.caption) if block.caption else ""
    head = Markup(
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th><th '
        'scope="col">{}</th></tr></thead>'
    ).format(word_heading, meaning_heading, _("Nghe"))
    table = Markup(
        '<div class="table-wrap"><table class="vocab">{}{}<tbody>{}</tbody></table></div>'
    )
    return table.format(caption, head, Markup("").join(rows))


def quiz_slot_html(slug: str) -> Markup:
    """Mark where a quiz stands; the lesson page puts the quiz form there."""
    return Markup('<div class="quiz-slot" data-quiz="{}"></div>').format(slug)


# Markdown ------------------------------------------------------------------------------------


class _BlockPreprocessor(Preprocessor):
    """Swap our marker lines for the stashed HTML of the blocks they stand for."""

    def __init__(self, md: markdown.Markdown, blocks: Mapping[str, str]) -> None:
        super().__init__(md)
        self.blocks = blocks

    def run(self, lines: list[str]) -> list[str]:
        output = []
        for line in lines:
            html = self.blocks.get(line.strip())
            if html is None:
                output.append(line)
            else:
                output.extend(["", self.md.htmlStash.store(html), ""])
        return output


class _CalloutTreeprocessor(Treeprocessor):
    """Turn a quote starting with [!NOTE] (or TIP, IMPORTANT, WARNING) into a callout.

    Markdown joins two quotes separated only by a blank line into one; a paragraph that starts
    with a marker therefore starts a new callout, so each callout stays a box of its own.
    """

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for quote in list(root.iter("blockquote")):
            groups = self._split(quote)
            if groups is None:
                continue
            parent = parents[quote]
            index = list(parent).index(quote)
            parent.remove(quote)
            for offset, (kind, title, children) in enumerate(groups):
                parent.insert(index + offset, self._callout(kind, title, children))

    @staticmethod
    def _marker(element: etree.Element) -> re.Match[str] | None:
        if element.tag != "p" or not element.text:
            return None
        match = CALLOUT_RE.match(element.text)
        if not match or match.group("kind").upper() not in CALLOUT_KINDS:
            return None
        return match

    def _split(self, quote: etree.Element) -> list[tuple[str, str, list[etree.Element]]] | None:
        """Return [(kind, title, children)] when the quote starts with a marker, else None."""
        children = list(quote)
        if not children or self._marker(children[0]) is None:
            return None
        groups: list[tuple[str, str, list[etree.Element]]] = []
        for child in children:
            match = self._marker(child)
            if match is not None:
                text = child.text = (child.text or "")[match.end() :]
                kind = match.group("kind").upper()
                title = match.group("title").strip() or callout_title(kind)
                groups.append((kind, title, []))
                if not text.strip() and not len(child):
                    continue
            groups[-1][2].append(child)
        return groups

    @staticmethod
    def _callout(kind: str, title: str, children: list[etree.Element]) -> etree.Element:
        box = etree.Element("div", {"class": f"callout callout-{kind.lower()}", "role": "note"})
        heading = etree.SubElement(box, "p", {"class": "callout-title"})
        heading.text = title
        box.extend(children)
        return box


class _CourseExtension(Extension):
    def __init__(self, blocks: Mapping[str, str]) -> None:
        super().__init__()
        self.blocks = blocks

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After whitespace normalisation, before fenced code and raw HTML blocks.
        md.preprocessors.register(_BlockPreprocessor(md, self.blocks), "course_blocks", 28)
        # Before inline processing, while the marker is still plain text.
        md.treeprocessors.register(_CalloutTreeprocessor(md), "course_callouts", 25)


def render_markdown(parts: Sequence[str | Markup], links: Links) -> str:
    """Render parts (Markdown text, or Markup from our blocks) into one sanitised fragment."""
    nonce = secrets.token_hex(8)
    blocks: dict[str, str] = {}
    source = []
    for part in parts:
        if isinstance(part, Markup):
            marker = f"course-block-{nonce}-{len(blocks)}"
            blocks[marker] = str(part)
            source.append(f"\n\n{marker}\n\n")
        else:
            source.append(part)
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "def_list", _CourseExtension(blocks)],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    return sanitise(md.convert("\n".join(source)), links).strip()
