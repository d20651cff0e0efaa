"""The web edition's mock interview: its page (`mock.html`), script and styles (`templates/site/mock.*`)
and its data (`mock-data.js`): every answered question with its minutes, key points, follow-ups and
answer as HTML, the levels' difficulty mixes and the page's words.

The page (`templates/site/mock.html.j2`, `mock.js`) draws its plan in the browser the way
`content.plan` draws the sheet's — sections in proportion, the level's mix, never over the slot by
more than the tolerance, easier to harder — with a seeded generator of its own, so a seed gives the
same plan in every browser (not the same as the sheet's for that seed)."""

from __future__ import annotations

import json

from jinja2 import Environment
from markupsafe import Markup

from mlbook.content import plan
from mlbook.labels import labels
from mlbook.markup.markdown import AnswerRenderer, question_html
from mlbook.model import Book

ASSETS = ("mock.js", "mock.css")
"""Files of templates/site/ the page loads, copied into the site as they are (`web.site`)."""


def mock_pages(env: Environment, common: dict, renderer: AnswerRenderer, href) -> dict[str, str]:
    """The mock interview's files by name, from the web edition's template context (`common`)."""
    book = common["book"]
    pages = {"mock.html": env.get_template("site/mock.html.j2").render(  # no open/close-all: nothing to fold
        levels=plan.LEVELS, **(common | {"answers_on": False})),
        "mock-data.js": mock_data(book, common["answers"], common["key_points"], renderer, href)}
    return pages


def mock_data(book: Book, answers: dict[str, Markup], key_points: dict[str, list[Markup]],
              renderer: AnswerRenderer, href) -> str:
    """`mock-data.js`: `window.MOCK = {...}` for the mock interview page."""
    questions = [{
        "id": q.id, "n": q.number, "s": q.number.split(".")[0], "d": q.difficulty, "m": book.minutes_of(q),
        "t": str(question_html(q.text)), "k": [str(point) for point in key_points.get(q.id, [])],
        "f": [[str(renderer.render_inline(f.probe)), str(renderer.render_inline(f.gist))] for f in q.follow_ups],
        "a": str(answers.get(q.id, "")), "u": href(q),
    } for q in book.questions if q.answered and q.difficulty]
    data = {
        "sections": [{"n": s.number, "title": s.title} for s in book.sections],
        "questions": questions,
        "levels": plan.LEVELS,
        "tolerance": plan.TOLERANCE,
        "labels": labels(book.language).mock,
        "questionsCount": labels(book.language).questions_count,
    }
    return "window.MOCK = " + json.dumps(data, ensure_ascii=False) + ";\n"
