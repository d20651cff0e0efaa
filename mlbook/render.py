"""Stage 2: the model → HTML through the Jinja templates in `templates/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .markdown import AnswerRenderer, pygments_css  # noqa: F401 (re-exported)
from .model import Book, Question

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAPER_SIZES = {"A4": "A4", "A5": "A5", "letter": "letter"}
DIFFICULTY_NAMES = {1: "базовый", 2: "средний", 3: "продвинутый"}


@dataclass(frozen=True)
class Page:
    """What kind of document to render and how."""

    kind: str
    """`book`, `handout` or `sheet`."""
    answers: bool = True
    """Whether answer text is included at all (False for the handout and `--no-answers`)."""
    paper: str = "A4"
    """Paper size for the PDF: A4, A5 or letter."""


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["difficulty_name"] = DIFFICULTY_NAMES.get
    return env


def anchor(question: Question) -> str:
    return f"q-{question.id}"


def render_print(book: Book, page: Page) -> tuple[str, AnswerRenderer]:
    """One HTML document for WeasyPrint; the renderer remembers the figures it placed."""
    renderer = AnswerRenderer("print", book.root, {q.id: q for q in book.questions},
                              lambda q: f"#{anchor(q)}")
    answers = _answers(book, renderer) if page.answers else {}
    key_points = _key_points(book, renderer) if page.answers or page.kind == "sheet" else {}
    template = {"book": "book.html.j2", "handout": "book.html.j2", "sheet": "sheet.html.j2"}[page.kind]
    css = (TEMPLATES / "print.css").read_text(encoding="utf-8")
    html = environment().get_template(template).render(
        book=book, page=page, answers=answers, key_points=key_points, anchor=anchor,
        links=_links(book),
        href=lambda q: f"#{anchor(q)}",
        css=Markup(css.replace("PAPER_SIZE", PAPER_SIZES[page.paper]) + pygments_css()),
    )
    return html, renderer


def render_epub_parts(book: Book, answers_on: bool):
    """(front matter XHTML, [(section, XHTML)], renderer) for the EPUB writer."""
    renderer = AnswerRenderer("epub", book.root, {q.id: q for q in book.questions}, epub_href)
    answers = _answers(book, renderer) if answers_on else {}
    key_points = _key_points(book, renderer) if answers_on else {}
    env = environment()
    links = _links(book)
    front = env.get_template("epub_front.xhtml.j2").render(book=book)
    chapters = [
        (section, env.get_template("epub_section.xhtml.j2").render(
            book=book, section=section, answers=answers, key_points=key_points, anchor=anchor,
            links=links, answers_on=answers_on, href=epub_href))
        for section in book.sections
    ]
    return front, chapters, renderer


def epub_chapter_name(section_number: str) -> str:
    return f"section-{section_number}.xhtml"


def epub_href(question: Question) -> str:
    return f"{epub_chapter_name(question.number.split('.')[0])}#{anchor(question)}"


def _answers(book: Book, renderer: AnswerRenderer) -> dict[str, Markup]:
    return {q.id: renderer.render(q) for q in book.questions if q.answered}


def _key_points(book: Book, renderer: AnswerRenderer) -> dict[str, list[Markup]]:
    return {q.id: _key_points_of(q, renderer) for q in book.questions}


def _links(book: Book) -> dict[str, Question]:
    """Questions that `see_also` may point at and that are present in this document."""
    return {q.id: q for q in book.questions}


def site_page_name(section_number: str) -> str:
    return f"section-{section_number}.html"


def site_href(question: Question) -> str:
    return f"{site_page_name(question.number.split('.')[0])}#{anchor(question)}"


def render_site(book: Book, answers_on: bool) -> tuple[dict[str, str], AnswerRenderer]:
    """The web edition's pages by file name (index, one per section, the search index)."""
    renderer = AnswerRenderer("web", book.root, {q.id: q for q in book.questions}, site_href)
    answers = _answers(book, renderer) if answers_on else {}
    key_points = _key_points(book, renderer) if answers_on else {}
    env = environment()
    common = dict(book=book, answers=answers, key_points=key_points, anchor=anchor, href=site_href,
                  links=_links(book), answers_on=answers_on, page_name=site_page_name)
    pages = {"index.html": env.get_template("site/index.html.j2").render(**common)}
    for section in book.sections:
        pages[site_page_name(section.number)] = env.get_template("site/section.html.j2").render(
            section=section, **common)
    pages["search.js"] = "window.SEARCH_INDEX = " + json.dumps(
        [{"n": q.number, "t": q.text, "k": " ".join(q.key_points + q.tags), "u": site_href(q)}
         for q in book.questions], ensure_ascii=False) + ";\n"
    return pages, renderer


def render_anki_notes(book: Book) -> tuple[list[tuple[Question, dict[str, str]]], AnswerRenderer]:
    """Each question's card fields: number, question, key points, answer (Anki's math and styles)."""
    renderer = AnswerRenderer("anki", book.root, {}, lambda q: "")
    notes = []
    for question in book.questions:
        points = "".join(f"<li>{point}</li>" for point in _key_points_of(question, renderer))
        notes.append((question, {
            "Number": question.number,
            "Question": str(escape(question.text)),
            "KeyPoints": f"<ul>{points}</ul>" if points else "",
            "Answer": str(renderer.render(question)) if question.answered else "<i>Ответ ещё не написан.</i>",
        }))
    return notes, renderer


def _key_points_of(question: Question, renderer: AnswerRenderer) -> list[Markup]:
    return [renderer.render_inline(point) for point in question.key_points]
