"""Stage 2: the model → HTML through the Jinja templates in `templates/`."""

from __future__ import annotations

from urllib.parse import quote, urlencode
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from mlbook import cache
from mlbook.labels import labels
from mlbook.render import search, subject_index
from mlbook.markup.markdown import AnswerRenderer, pygments_css, question_html, question_text  # noqa: F401 (re-exported)
from mlbook.model import Book, Question, Section, Subsection, is_russian
from mlbook.render.mock import mock_pages
from mlbook.urls import is_safe_href

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PAPER_SIZES = {"A4": "A4", "A5": "A5", "letter": "letter"}


@dataclass(frozen=True)
class Page:
    """What kind of document to render and how."""

    kind: str
    """`book`, `handout` or `sheet`."""
    answers: bool = True
    """Whether answer text is included at all (False for the handout and `--no-answers`)."""
    paper: str = "A4"
    """Paper size for the PDF: A4, A5 or letter."""


def _link(url: str, text: str) -> Markup:
    """`<a href=url>text</a>` for a web address or a fragment; anything else is only its text."""
    return Markup('<a href="{}">{}</a>').format(url, text) if is_safe_href(url) else escape(text)


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["report_url"] = report_url
    env.globals["link"] = _link
    env.filters["question"] = question_html  # `{{ q.text | question }}`; `question(True)` with links
    return env


def report_url(book: Book, question: Question) -> str:
    """A new issue in the book's tracker with the question's number, id and text filled in."""
    words = labels(book.language)
    title = words("issue_title", number=question.number, question=question_text(question.text))
    body = words("issue_body", number=question.number, question=question_text(question.text), id=question.id)
    return f"{book.issues_url}/new?" + urlencode({"title": title, "body": body}, quote_via=quote)


def anchor(question: Question) -> str:
    return f"q-{question.id}"


def print_file_roots(book: Book) -> tuple[Path, ...]:
    """Folders the print HTML embeds files from: the book's, the templates, the figures' and the
    formulas' caches (formulas are referenced as files, see `AnswerRenderer.math_html`)."""
    return (book.root.resolve(), TEMPLATES, cache.folder("figures"), cache.folder("math"))


def render_print(book: Book, page: Page) -> tuple[str, AnswerRenderer]:
    """One HTML document for WeasyPrint (the handout, the sheet); the renderer remembers its figures."""
    html, renderer = _render_print_documents(book, page, [(True, _units(book), "")])
    return html[0], renderer


def render_book_parts(book: Book, page: Page) -> list[tuple[str, str]]:
    """The book as parts that each start a page, `(name, HTML)`: the front matter, then every subsection.

    Each part is laid out on its own; its page numbers are filled in later (`pdf.page_map.BookPart`).
    """
    units = [(section, sub, chunk) for section in book.sections for sub in section.subsections
             for chunk in _chunks(sub)]
    back = ["glossary", "index"] if has_back_matter(book, page) else []
    documents, _ = _render_print_documents(book, page, [(True, [], "")] + [(False, [unit], "") for unit in units]
                                           + [(False, [], name) for name in back])
    names = ["front"] + [_part_name(sub, chunk) for _, sub, chunk in units] + back
    return list(zip(names, documents))


def has_back_matter(book: Book, page: Page) -> bool:
    """Whether the document ends with the glossary and the subject index: the book with answers, of a
    bank that has a glossary."""
    return bool(book.glossary) and page.kind == "book" and page.answers


PART_CHARACTERS = 64_000
"""A subsection whose answers are longer than this (in Markdown characters) is laid out in parts of
even question counts: an edit then re-lays fewer pages, at the cost of a page break before the first
question of each later part."""


def _chunks(sub: Subsection) -> list[tuple[Question, ...]]:
    size = sum(len(q.body) for q in sub.questions)
    count = min(len(sub.questions), max(1, -(-size // PART_CHARACTERS)))
    per_part = -(-len(sub.questions) // count)
    return [sub.questions[i:i + per_part] for i in range(0, len(sub.questions), per_part)]


def _part_name(sub: Subsection, chunk: tuple[Question, ...]) -> str:
    """The subsection's number; for its later parts, the number of their first question."""
    return sub.number if chunk[0] is sub.questions[0] else chunk[0].number


def _units(book: Book) -> list[tuple[Section, Subsection, tuple[Question, ...]]]:
    return [(section, sub, sub.questions) for section in book.sections for sub in section.subsections]


def _render_print_documents(book: Book, page: Page, documents) -> tuple[list[str], AnswerRenderer]:
    """HTML documents of `(with front matter?, [(section, subsection)], back matter)` — back matter is
    "", "glossary" or "index" —, answers rendered once."""
    back_matter = has_back_matter(book, page)
    common, renderer = _context(book, "print", lambda q: f"#{anchor(q)}", page.answers,
                                page.answers or page.kind == "sheet")
    common.update(back_matter=back_matter)
    if back_matter:
        common.update(back_matter_context(book))
    template = environment().get_template(
        {"book": "book.html.j2", "handout": "book.html.j2", "sheet": "sheet.html.j2"}[page.kind])
    css = (TEMPLATES / "print.css").read_text(encoding="utf-8")
    if page.kind == "sheet":
        common.update(follow_ups=_follow_ups(book, renderer),
                      planned_minutes=sum(book.minutes_of(q) for q in book.questions))
    common.update(page=page, css=Markup(css.replace("PAPER_SIZE", PAPER_SIZES[page.paper])
                                        .replace("PAGE_LABEL", _css_string(labels(book.language).page))
                                        + pygments_css()))
    return [template.render(front=front, units=units, back=back, **common)
            for front, units, back in documents], renderer


def back_matter_context(book: Book) -> dict:
    """What the glossary and the subject index show, in every edition."""
    found = subject_index.entries(book)
    return dict(glossary=subject_index.glossary_order(book, found),
                glossary_reverse=subject_index.reverse_order(book, found),
                index_groups=subject_index.groups(book, found),
                other_language="en" if is_russian(book.language) else "ru")


def _context(book: Book, edition: str, href, answers_on: bool, key_points_on: bool | None = None):
    """What every template of an edition is given — the book, its labels, the rendered answers and key
    points (when the edition has them), links between questions — and the edition's answer renderer.

    `edition` is one of `markdown.TARGETS`; `href` links a question in this edition."""
    renderer = AnswerRenderer(edition, book.root, book.language, {q.id: q for q in book.questions}, href,
                              figure_scripts=book.figure_scripts)
    answers = _answers(book, renderer) if answers_on else {}
    key_points = _key_points(book, renderer) if (answers_on if key_points_on is None else key_points_on) else {}
    return dict(book=book, t=labels(book.language), answers=answers, key_points=key_points, anchor=anchor,
                links=_links(book), href=href), renderer


def _css_string(text: str) -> str:
    """`text` for the inside of a CSS string: quotes, backslashes and angle brackets escaped."""
    return "".join(f"\\{ord(ch):x} " if ch in '"\\<>' else ch for ch in text)


def render_epub_parts(book: Book, answers_on: bool, edition: str = "epub"):
    """(front matter XHTML, [(section, XHTML)], [(file name, XHTML)] of the glossary and the subject index
    (none without a glossary), renderer) for the EPUB writer. `edition`: "epub" draws
    formulas as inline SVG, "kindle" writes them as MathML (markdown.TARGETS)."""
    common, renderer = _context(book, edition, epub_href, answers_on)
    env = environment()
    front = env.get_template("epub_front.xhtml.j2").render(book=book, t=common["t"])
    chapters = [(section, env.get_template("epub_section.xhtml.j2").render(section=section, answers_on=answers_on,
                                                                          **common))
                for section in book.sections]
    back = []
    if book.glossary and answers_on:
        context = dict(common, **back_matter_context(book))
        back = [(name, env.get_template("epub_back.xhtml.j2").render(back=kind, **context))
                for kind, name in (("glossary", EPUB_GLOSSARY), ("index", EPUB_INDEX))]
    return front, chapters, back, renderer


EPUB_GLOSSARY, EPUB_INDEX = "glossary.xhtml", "index.xhtml"
"""The back matter's files in the EPUB."""


def epub_chapter_name(section_number: str) -> str:
    return f"section-{section_number}.xhtml"


def epub_href(question: Question) -> str:
    return f"{epub_chapter_name(question.number.split('.')[0])}#{anchor(question)}"


def _answers(book: Book, renderer: AnswerRenderer) -> dict[str, Markup]:
    return {q.id: renderer.render(q) for q in book.questions if q.answered or q.sources}


def _key_points(book: Book, renderer: AnswerRenderer) -> dict[str, list[Markup]]:
    return {q.id: _key_points_of(q, renderer) for q in book.questions}


def _links(book: Book) -> dict[str, Question]:
    """Questions that `see_also` may point at and that are present in this document."""
    return {q.id: q for q in book.questions}


SITE_GLOSSARY, SITE_INDEX = "glossary.html", "subject-index.html"
"""The web edition's pages of the glossary and the subject index."""


def site_page_name(section_number: str) -> str:
    return f"section-{section_number}.html"


def site_href(question: Question) -> str:
    return f"{site_page_name(question.number.split('.')[0])}#{anchor(question)}"


def render_site(book: Book, answers_on: bool, open_answers: bool = False) -> tuple[dict[str, str], AnswerRenderer]:
    """The web edition's pages by file name (index, one per section, the search index).

    `open_answers`: answers start open (the author's preview); the reader's edition folds them.
    """
    common, renderer = _context(book, "web", site_href, answers_on)
    common.update(answers_on=answers_on, page_name=site_page_name, open_answers=open_answers,
                  neighbours=lambda section: _neighbours(book.sections, section))
    env = environment()
    pages = {"index.html": env.get_template("site/index.html.j2").render(**common)}
    if answers_on:  # the mock interview: questions one at a time, timed, self-scored
        pages.update(mock_pages(env, common, renderer, site_href))
    for section in book.sections:
        pages[site_page_name(section.number)] = env.get_template("site/section.html.j2").render(
            section=section, **common)
    if book.glossary and answers_on:
        context = dict(common, **back_matter_context(book))
        pages[SITE_GLOSSARY] = env.get_template("site/glossary.html.j2").render(**context)
        pages[SITE_INDEX] = env.get_template("site/subject-index.html.j2").render(**context)
    pages["search.js"] = search.index_script(book, site_href)
    return pages, renderer


def _neighbours(sections, section) -> tuple[Section | None, Section | None]:
    """The sections before and after `section` (None at either end): the web pages' previous/next links."""
    i = sections.index(section)
    return (sections[i - 1] if i else None), (sections[i + 1] if i + 1 < len(sections) else None)


def render_anki_notes(book: Book) -> tuple[list[tuple[Question, dict[str, str]]], AnswerRenderer]:
    """Each question's card fields: number, question, key points, answer (Anki's math and styles)."""
    renderer = AnswerRenderer("anki", book.root, book.language, {}, lambda q: "",
                              figure_scripts=book.figure_scripts)
    notes = []
    for question in book.questions:
        points = "".join(f"<li>{point}</li>" for point in _key_points_of(question, renderer))
        notes.append((question, {
            "Number": question.number,
            "Question": str(question_html(question.text)),
            "KeyPoints": f"<ul>{points}</ul>" if points else "",
            "Answer": (str(renderer.render(question)) if question.answered or question.sources
                       else f"<i>{escape(renderer.labels.unanswered)}</i>"),
        }))
    return notes, renderer


def _follow_ups(book: Book, renderer: AnswerRenderer) -> dict[str, list[tuple[Markup, Markup]]]:
    """Each question's follow-ups as (probe, gist) HTML, for the interviewer sheet; a probe that does
    not end a sentence or a clause is joined to its gist by a dash, as the answers write them."""
    def probe(text: str) -> Markup:
        return renderer.render_inline(text if text.endswith((".", ":", "?", "!", "…")) else f"{text} —")

    return {q.id: [(probe(f.probe), renderer.render_inline(f.gist)) for f in q.follow_ups] for q in book.questions}


def _key_points_of(question: Question, renderer: AnswerRenderer) -> list[Markup]:
    return [renderer.render_inline(point) for point in question.key_points]
