"""The words every output prints, in the book's language: one YAML file per language in
templates/languages/ (`ru.yaml`, `en.yaml`, …), chosen by `language:` in book.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

LANGUAGES = Path(__file__).resolve().parent.parent / "templates" / "languages"
TYPOGRAPHY = ("russian", "none")


class LabelsError(ValueError):
    """A language without a labels file, or a labels file that lacks a key; the message says which."""


class Labels:
    """The labels of one language: `labels.key` is the text, `labels.count("questions_count", 5)` picks
    the plural form, `labels.html("about_source", source=link)` fills placeholders with escaping."""

    def __init__(self, language: str, texts: dict) -> None:
        self.language = language
        self._texts = texts
        self._locale = Locale.parse(language.replace("-", "_"))

    def __getattr__(self, key: str):
        try:
            return self._texts[key]
        except KeyError:
            raise AttributeError(f"no label '{key}' for language '{self.language}'") from None

    def __call__(self, key: str, **values) -> str:
        """The label with its {placeholders} filled, as plain text."""
        return str(getattr(self, key)).format(**values)

    def html(self, key: str, **values) -> Markup:
        """The label escaped for HTML, its placeholders filled (Markup values kept as they are)."""
        return Markup(escape(str(getattr(self, key)))).format(**values)

    def count(self, key: str, n: int) -> str:
        """«111 вопросов» / "111 questions": the plural form the language's rules give for n."""
        forms = getattr(self, key)
        return forms.get(self._locale.plural_form(n), forms["other"]).format(n=n)

    def difficulty_name(self, level: int) -> str:
        return self.difficulty_names[level]


def available() -> list[str]:
    return sorted(path.stem for path in LANGUAGES.glob("*.yaml"))


@lru_cache(maxsize=None)
def labels(language: str) -> Labels:
    """The labels of `language` (a BCP 47 tag: `ru`, `en`, `en-GB` falls back to `en`)."""
    path = next((LANGUAGES / f"{tag}.yaml" for tag in (language, language.split("-")[0])
                 if (LANGUAGES / f"{tag}.yaml").is_file()), None)
    if path is None:
        raise LabelsError(f"no labels for language '{language}' (templates/languages/ has: "
                          f"{', '.join(available())}); add templates/languages/{language}.yaml")
    texts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = sorted(set(_reference_keys()) - set(texts))
    if missing:
        raise LabelsError(f"{path.name} lacks the labels {', '.join(missing)} (see ru.yaml)")
    if texts["typography"] not in TYPOGRAPHY:
        raise LabelsError(f"{path.name}: typography must be one of {', '.join(TYPOGRAPHY)}")
    try:
        return Labels(language, texts)
    except (UnknownLocaleError, ValueError):
        raise LabelsError(f"'{language}' is not a language code Babel knows (e.g. ru, en, de)") from None


@lru_cache(maxsize=1)
def _reference_keys() -> tuple[str, ...]:
    """Every key a labels file must have: those of ru.yaml, the reference language."""
    return tuple(yaml.safe_load((LANGUAGES / "ru.yaml").read_text(encoding="utf-8")))
