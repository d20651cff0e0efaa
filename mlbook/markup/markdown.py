"""Answers' Markdown → HTML: math, highlighted code, numbered figures; raw HTML is never passed."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name

from mlbook.markup import code_styles
from pygments.token import Token as PygmentsToken
from pygments.util import ClassNotFound

from mlbook.markup import figures, math, typography
from mlbook import cache
from mlbook.labels import Labels, labels
from mlbook.model import Question
from mlbook.urls import is_safe_href

CODE_STYLE = "friendly"
"""Pygments' style of the code blocks (print-friendly, light)."""


class _StyledTokensFormatter(HtmlFormatter):
    """Pygments' HTML with a class only on the tokens the style gives a look (colour, weight…).

    Names and punctuation have no rule in the stylesheet, and a whitespace token's only rule is a
    colour, which spaces do not show: those tokens are plain text, so that neighbouring ones are one
    run of text. WeasyPrint lays out every span as a box of its own: the book's code had 48,000
    spans, 57 % of them without a look, and they took a third of the layout time."""

    def __init__(self, styles: tuple, **options) -> None:
        super().__init__(style=styles[0], nowrap=True, **options)
        self.styled = set().union(*(_classes_with_a_look(style) for style in styles))
        """Classes that any of `styles` gives a look: the web edition's light and dark themes share one HTML."""

    def _get_css_classes(self, ttype):
        classes = super()._get_css_classes(ttype)
        if ttype in PygmentsToken.Text.Whitespace or not any(name in self.styled for name in classes.split()):
            return ""
        return classes


def _classes_with_a_look(style) -> set[str]:
    """Token classes `style` (a name or a Style) sets apart from plain text (its text colour is no look)."""
    style = get_style_by_name(style) if isinstance(style, str) else style
    plain = f"color: #{style.style_for_token(PygmentsToken.Text)['color']}".lower()
    return {name for name, (css, _, _) in HtmlFormatter(style=style).class2style.items() if css.lower() != plain}


@lru_cache(maxsize=None)
def _formatter(styles: tuple) -> _StyledTokensFormatter:
    return _StyledTokensFormatter(styles)


_FORMATTER = _formatter((CODE_STYLE,))
_INLINE_STYLE_FORMATTER = HtmlFormatter(nowrap=True, noclasses=True, style=CODE_STYLE)
@dataclass(frozen=True)
class Edition:
    """How answers are written for one kind of output."""

    name: str
    math: str
    """`svg-file`: a formula is an `<img>` of its cached SVG (print); `svg-inline`: the SVG in the page
    (e-ink readers without MathML); `mathml`; `mathml-parts`: MathML, a long display formula in parts
    that wrap (Kindle); `tex`: Anki's own `\\( \\)` math."""
    figure_src: str = "name"
    """`file`: a figure is its file's URL (print); `name`: its name inside the output."""
    figure_folder: str = "figures/"
    """The folder of the figures inside the output."""
    self_contained: bool = False
    """Each answer stands alone (an Anki card): code colours as inline styles, no links to figures."""
    lazy_images: bool = False
    """Figures carry their size and load when scrolled to (a web page shows them on demand)."""
    code_styles: tuple = (CODE_STYLE,)
    """Pygments' styles the edition's stylesheet gives code (a token gets a class if any styles it)."""


EDITIONS = {edition.name: edition for edition in (
    Edition("print", "svg-file", figure_src="file"),
    Edition("epub", "svg-inline"),
    Edition("kindle", "mathml-parts"),
    Edition("web", "mathml", lazy_images=True, code_styles=tuple(code_styles.WEB.values())),
    Edition("anki", "tex", figure_folder="", self_contained=True),
)}
TARGETS = tuple(EDITIONS)


def fence_info(info: str) -> tuple[str, str | None]:
    """A code block's language (the info string's first word, as written) and why it is not run: the
    text after `norun:` ('' when the reason is missing), None for a block that runs."""
    language, _, rest = info.strip().partition(" ")
    rest = rest.strip()
    return language, rest.removeprefix("norun:").strip() if rest.startswith("norun:") else None


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).use(
        dollarmath_plugin, double_inline=True).enable("table")


_PARSER = _parser()


def parse(body: str) -> list[Token]:
    """Fresh tokens of an answer, for rendering (which marks tokens as it goes)."""
    return _PARSER.parse(body)


def parse_inline(text: str) -> list[Token]:
    """Tokens of one line of Markdown (a key point): emphasis, code and `$…$` math, no blocks."""
    return _PARSER.parseInline(text)


@lru_cache(maxsize=1024)
def parse_for_reading(body: str) -> tuple[Token, ...]:
    """Tokens of an answer shared by every caller that only reads them (checks, figure numbers):
    an answer is parsed once for those, however often they look at it."""
    return tuple(_PARSER.parse(body))


@lru_cache(maxsize=4096)
def parse_inline_for_reading(text: str) -> tuple[Token, ...]:
    """Tokens of one line of Markdown (a key point) for callers that only read them."""
    return tuple(_PARSER.parseInline(text))


def is_figure_paragraph(tokens: list[Token], i: int) -> bool:
    """True when tokens[i] opens a paragraph that holds one image and nothing else."""
    if tokens[i].type != "paragraph_open" or i + 2 >= len(tokens):
        return False
    children = [c for c in tokens[i + 1].children or [] if not (c.type == "text" and not c.content.strip())]
    return len(children) == 1 and children[0].type == "image"


def figure_label(src: str) -> str:
    """The name a figure is referred to by: its file name without the extension (`[](#fig:name)`)."""
    return "fig:" + Path(src).stem


def figure_numbers(questions) -> dict[str, tuple[str, Question]]:
    """Every figure's label → (number, question), numbered per section in book order as rendered."""
    numbers, per_section = {}, {}
    for question in questions:
        section = question.number.split(".")[0]
        tokens = parse_for_reading(question.body)
        for i in range(len(tokens)):
            if is_figure_paragraph(tokens, i):
                image = next(c for c in tokens[i + 1].children if c.type == "image")
                per_section[section] = per_section.get(section, 0) + 1
                numbers.setdefault(figure_label(str(image.attrs.get("src", ""))),
                                   (f"{section}.{per_section[section]}", question))
    return numbers


_QUESTION_PARSER = MarkdownIt("commonmark", {"html": False}).disable(["image"])
"""A question's text is one line of Markdown: code, emphasis and links (no images, no raw HTML)."""


def question_html(text: str, links: bool = False) -> Markup:
    """A question as HTML: `code`, *emphasis*; links as links (web, EPUB) or as their text (print,
    contents, anything already inside a link), and only to http(s) addresses."""
    tokens = _QUESTION_PARSER.parseInline(text)
    kept: list[bool] = []
    for child in (child for token in tokens for child in token.children or []):
        if child.type == "link_open":
            kept.append(links and is_safe_href(str(child.attrs.get("href", ""))))
            child.hidden = not kept[-1]
        elif child.type == "link_close":
            child.hidden = not kept.pop()
    return Markup(_QUESTION_PARSER.renderer.render(tokens, _QUESTION_PARSER.options, {}))


def question_text(text: str) -> str:
    """A question as plain text (bookmarks, the EPUB's table of contents, the search index)."""
    tokens = _QUESTION_PARSER.parseInline(text)
    return "".join(child.content for token in tokens for child in token.children or []
                   if child.type in ("text", "code_inline")) or text


def _source_markdown(entry: str) -> str:
    """A `sources` entry as a Markdown link (a bare address links to itself)."""
    return entry if entry.startswith("[") else f"[{entry}]({entry})"


def figure_scripts(book) -> list[Path]:
    """The scripts that make the book's figures (each once, in book order): what a build runs."""
    scripts: dict[Path, None] = {}
    for question in book.questions:
        for token in parse_for_reading(question.body):
            for child in token.children or []:
                path = figures.resolve_quietly(str(child.attrs.get("src", "")), question.source.path,
                                               book.root, scripts=True) if child.type == "image" else None
                if path is not None and not path.is_file() and path.with_suffix(".py").is_file():
                    scripts[path.with_suffix(".py")] = None
    return list(scripts)


@dataclass
class RenderedFigure:
    """A figure placed in the output."""

    number: str
    """Number shown in the caption, e.g. `2.3`."""
    path: Path
    """The image file (as made by its script, if any)."""
    name: str
    """File name inside an EPUB (`figures/...`)."""


@dataclass
class AnswerRenderer:
    """Renders answers for one output; `target` names its `Edition` (one of TARGETS)."""

    target: str
    content_root: Path
    language: str = "ru"
    """The book's language: the words of captions and notes, and whether the Russian typograph runs."""
    questions: dict[str, Question] = field(default_factory=dict)
    """Questions present in this document, by id: targets of `[](#id)` links."""
    href: object = None
    """Function from a question to its link target in this document."""
    figure_scripts: bool = False
    """Whether figure scripts may run (the bank's `figure_scripts: true`)."""
    figures: list[RenderedFigure] = field(default_factory=list)
    _per_section: dict[str, int] = field(default_factory=dict)
    _figure_numbers: dict | None = None

    def render(self, question: Question) -> Markup:
        """The answer as HTML, its sources under it; for an unanswered question with sources, the
        "no answer yet" line and the sources."""
        if not question.answered:
            return Markup('<p class="unanswered">{}</p>').format(self.labels.unanswered) + self.sources(question)
        return self._render_body(question) + self.sources(question)

    def sources(self, question: Question) -> Markup:
        """`Sources: link, link` — where the question or its answer comes from."""
        if not question.sources:
            return Markup("")
        links = Markup(", ").join(self.render_inline(_source_markdown(entry)) for entry in question.sources)
        return Markup('<p class="sources"><span class="label">{}:</span> {}</p>\n').format(self.labels.sources,
                                                                                         links)

    def _render_body(self, question: Question) -> Markup:
        tokens = parse(question.body)
        section = question.number.split(".")[0]
        for i, token in enumerate(tokens):
            if is_figure_paragraph(tokens, i):
                token.hidden = tokens[i + 2].hidden = True
                image = next(c for c in tokens[i + 1].children if c.type == "image")
                image.meta["figure"] = self._add_figure(image, question, section)
            if token.type == "heading_open":
                level = min(6, max(int(token.tag[1]), 3) + 1)
                token.tag = tokens[i + 2].tag = f"h{level}"
        self._typeset(tokens)
        return Markup(_PARSER.renderer.render(tokens, _PARSER.options, {"renderer": self}))

    @property
    def edition(self) -> Edition:
        return EDITIONS[self.target]

    @property
    def labels(self) -> Labels:
        return labels(self.language)

    def _typeset(self, tokens) -> None:
        if self.labels.typography == "russian":
            typography.apply(tokens)

    def figure_numbers(self) -> dict[str, tuple[str, Question]]:
        if self._figure_numbers is None:
            self._figure_numbers = figure_numbers(self.questions.values())
        return self._figure_numbers

    def render_inline(self, text: str) -> Markup:
        """One line of Markdown (a key point): emphasis, code and `$…$` math, no blocks."""
        tokens = _PARSER.parseInline(text)
        self._typeset(tokens)
        return Markup(_PARSER.renderer.render(tokens, _PARSER.options, {"renderer": self}))

    def _add_figure(self, image: Token, question: Question, section: str) -> RenderedFigure:
        count = self._per_section.get(section, 0) + 1
        self._per_section[section] = count
        source = figures.resolve(image.attrs["src"], question.source.path, self.content_root,
                                 self.figure_scripts)
        path = figures.materialize(source)
        figure = RenderedFigure(f"{section}.{count}", path,
                                f"{self.edition.figure_folder}mlbook-fig-{section}-{count}{path.suffix}")
        self.figures.append(figure)
        return figure

    def image_src(self, figure: RenderedFigure) -> str:
        if self.edition.figure_src == "name":
            return figure.name
        path = figure.path.resolve()  # the bank's own file by its place in the bank, a made one in the cache
        root = self.content_root.resolve()
        return quote(path.relative_to(root).as_posix()) if path.is_relative_to(root) else cache.url(path)

    def math_html(self, latex: str, display: bool) -> str:
        latex = latex.strip()
        kind = self.edition.math
        if kind == "mathml-parts" and display:
            return _display_mathml(latex)
        if kind == "mathml" and not display:  # the web: a box that can scroll (a <math> cannot)
            return f'<span class="math">{math.mathml(latex, display)}</span>'
        if kind in ("mathml", "mathml-parts"):
            return str(math.mathml(latex, display))
        if kind == "svg-inline":
            if display:
                return _display_svg(latex)
            svg = math.inline_svg(latex, display)
            # The baseline shift sits on a wrapper: e-book converters drop an SVG's own style.
            depth = math.svg_box(math.svg(latex, display))[2]
            return f'<span class="math" style="vertical-align:{-depth:.3f}em">{svg}</span>'
        if kind == "tex":
            return str(escape(f"\\[{latex}\\]" if display else f"\\({latex}\\)"))
        width, height, depth = math.svg_box(math.svg(latex, display))
        style = f"width:{width:.3f}em;height:{height:.3f}em"
        if not display:
            style += f";vertical-align:{-depth:.3f}em"
        # A reference to the cached file, not a data: URL: the HTML of a part is 10x smaller
        img = (f'<img class="math" src="{cache.url(math.svg_file(latex, display))}" style="{style}"'
               f' alt="{math.attribute(latex)}"/>')
        return f'<div class="math-display">{img}</div>' if display else img


def _display_parts(latex: str, draw_part) -> str | None:
    """A display formula as parts that sit side by side on a wide screen and on lines of their own on
    a narrow one (a whole formula shrunk to a 9 cm line would be unreadably small): its pieces
    (`math.display_pieces`), each drawn by `draw_part`, with their gaps; None where it has no places to
    break, or a part does not render on its own (the formula is then kept whole)."""
    try:
        pieces = math.display_pieces(latex)
        if len(pieces) > 1:
            return "".join(f"{gap}{draw_part(piece)}" for gap, piece in pieces)
    except math.MathError:
        pass
    return None


def _display_svg(latex: str) -> str:
    """A display formula for the e-ink EPUB: one picture, or one per part in a block that carries the
    LaTeX as its name."""
    parts = _display_parts(latex, lambda piece: math.inline_svg(piece, True, labelled=False))
    if parts is None:
        return f'<div class="math-display">{math.inline_svg(latex, True)}</div>'
    return f'<div class="math-display" role="math" aria-label="{math.attribute(latex)}">{parts}</div>'


def _display_mathml(latex: str) -> str:
    """A display formula for the Kindle EPUB: MathML, whole or in parts (each its own `<math>` in display
    style, its LaTeX as alttext)."""
    parts = _display_parts(latex, math.mathml_in_display_style)
    return str(math.mathml(latex, True)) if parts is None else f'<div class="math-display">{parts}</div>'


def _renderer_of(env) -> AnswerRenderer:
    return env["renderer"]


def _render_math_inline(self, tokens, idx, options, env):
    return _renderer_of(env).math_html(tokens[idx].content, False)


def _render_math_inline_double(self, tokens, idx, options, env):
    return _renderer_of(env).math_html(tokens[idx].content, True)


def _render_math_block(self, tokens, idx, options, env):
    return _renderer_of(env).math_html(tokens[idx].content, True) + "\n"


def _render_fence(self, tokens, idx, options, env):
    token = tokens[idx]
    language, reason = fence_info(token.info)
    try:
        lexer = get_lexer_by_name(language.lower()) if language else None
    except ClassNotFound:
        lexer = None
    edition = _renderer_of(env).edition
    formatter = _INLINE_STYLE_FORMATTER if edition.self_contained else _formatter(edition.code_styles)
    code = _highlighted(token.content, lexer, formatter) if lexer else str(escape(token.content))
    label = f'<span class="code-lang">{escape(language)}</span>' if language else ""
    if reason:
        label += f'<span class="code-note">{escape(_renderer_of(env).labels.code_not_run)}: {escape(reason)}</span>'
    kind = "code long" if token.content.count("\n") >= LONG_CODE_LINES else "code"
    return f'<div class="{kind}">{label}<pre class="highlight"><code>{code}</code></pre></div>\n'


LONG_CODE_LINES = 40
"""A code block this long may break across pages in print (`.code.long`): kept whole, one that does not fit
what is left of a page moved to the next and left the rest empty — after a heading that goes with it, a page
with nothing but the heading."""


def _highlighted(code: str, lexer, formatter: HtmlFormatter) -> str:
    """Pygments' HTML for a code block, from the disk cache when this block was highlighted before."""
    styles = (f"inline {CODE_STYLE}" if formatter is _INLINE_STYLE_FORMATTER
              else "styled-classes " + " ".join(sorted(formatter.styled)))
    cached = cache.entry("code", ".html", cache.versions("pygments"), lexer.name, styles, code)
    return cache.cached_text(cached, lambda: highlight(code, lexer, formatter))


def _render_link_open(self, tokens, idx, options, env):
    """`[](#id)` and `[text](#id)` link to another question: its number, and the page in print."""
    token = tokens[idx]
    href = str(token.attrs.get("href", ""))
    if not href.startswith("#"):
        if not is_safe_href(href):  # `mailto:`, a path on the reader's disk…: the text, not a link
            token.meta["dropped"] = True
            return ""
        return self.renderToken(tokens, idx, options, env)
    renderer = _renderer_of(env)
    empty = idx + 1 < len(tokens) and tokens[idx + 1].type == "link_close"
    if href.startswith("#fig:"):
        return _figure_link(renderer, token, href[1:], empty)
    question = renderer.questions.get(href[1:])
    label = question.number if question else href[1:]
    if question is None:  # the target is not in this selection: keep the text, drop the link
        token.meta["dropped"] = True
        return label if empty else ""
    return f'<a class="xref" href="{escape(renderer.href(question))}">' + (label if empty else "")


def _figure_link(renderer: AnswerRenderer, token: Token, label: str, empty: bool) -> str:
    """`[](#fig:name)`: «рис. 2.3», a link to the figure (to its page in print)."""
    number, question = renderer.figure_numbers().get(label, (None, None))
    text = f"{escape(renderer.labels.figure_ref)}\u00a0{number}" if empty and number else ""
    if number is None or renderer.edition.self_contained:
        token.meta["dropped"] = True
        return text or (label if empty else "")
    anchor = f"fig-{number.replace('.', '-')}"
    page = renderer.href(question).split("#")[0]
    return f'<a class="xref figref" href="{escape(page)}#{anchor}">' + text


def _render_link_close(self, tokens, idx, options, env):
    opener = next(t for t in reversed(tokens[:idx]) if t.type == "link_open")
    return "" if opener.meta.get("dropped") else "</a>"


def _render_image(self, tokens, idx, options, env):
    token = tokens[idx]
    renderer = _renderer_of(env)
    alt = escape(self.renderInlineAsText(token.children or [], options, env))
    figure = token.meta.get("figure")
    if figure is None:
        return f'<span class="inline-figure">[{alt}]</span>'
    title = token.attrs.get("title")
    caption = f"{escape(renderer.labels.figure)} {figure.number}." + (f" {escape(title)}" if title else "")
    return (f'<figure id="fig-{figure.number.replace(".", "-")}"><img src="{escape(renderer.image_src(figure))}"'
            f'{_lazy(figure) if renderer.edition.lazy_images else ""} alt="{alt}"/>'
            f'<figcaption>{caption}</figcaption></figure>\n')


def _lazy(figure: RenderedFigure) -> str:
    """` width height loading="lazy"`: the page keeps the figure's place and loads it when near."""
    size = figures.pixel_size(figure.path)
    return (f' width="{size[0]}" height="{size[1]}"' if size else "") + ' loading="lazy" decoding="async"'


_PARSER.add_render_rule("math_inline", _render_math_inline)
_PARSER.add_render_rule("math_inline_double", _render_math_inline_double)
_PARSER.add_render_rule("math_block", _render_math_block)
_PARSER.add_render_rule("math_block_label", _render_math_block)
_PARSER.add_render_rule("fence", _render_fence)
_PARSER.add_render_rule("image", _render_image)
_PARSER.add_render_rule("link_open", _render_link_open)
_PARSER.add_render_rule("link_close", _render_link_close)


def pygments_css() -> str:
    """Print-friendly light highlighting styles for `.highlight`."""
    return HtmlFormatter(style=CODE_STYLE).get_style_defs(".highlight")
