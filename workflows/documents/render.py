"""Rendering official documents: PDF from HTML/CSS (WeasyPrint), DOCX from Word (docxtpl).

Templates are looked up first in the instance's override folder (the replacements an
admin uploaded, ``TemplateSource.override_dir``), then in the package's
``workflows/templates/``. Both engines use a sandboxed Jinja environment with
``StrictUndefined``: a template that names a value the context lacks fails loudly
instead of printing a blank into an official document.

The PDF never depends on the machine's fonts: the family "Times New Roman" (what
Nghị định 30/2020/NĐ-CP asks for) is declared with ``@font-face`` on the Liberation
Serif files shipped in ``fonts/`` (Times-metric, full Vietnamese, SIL OFL 1.1), and
WeasyPrint embeds the glyphs used. WeasyPrint may fetch nothing but those files.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from workflows.catalogue import vn_number

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "templates"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Times New Roman"
_FACES = (("Regular", "normal", "normal"), ("Bold", "bold", "normal"),
          ("Italic", "normal", "italic"), ("BoldItalic", "bold", "italic"))


class RenderError(Exception):
    """A template could not be rendered (syntax error, unknown value, broken file)."""


@dataclass(frozen=True)
class TemplateSource:
    """Where templates are read: the admins' replacements first, then the package's."""

    override_dir: Path | None = None

    def path(self, name: str) -> Path:
        """The file that is used for ``name`` (a replacement if there is one)."""
        if self.override_dir is not None:
            candidate = Path(self.override_dir) / name
            if candidate.is_file():
                return candidate
        return PACKAGE_DIR / name

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def hashes(self, name: str) -> dict[str, str]:
        """sha256 of the template ``name`` as used now, and of the shared layout
        (``_van_ban.html``) when it builds on it: what a generated document records."""
        data = self.read(name)
        out = {name: hashlib.sha256(data).hexdigest()}
        if name.endswith(".html") and b"_van_ban.html" in data:
            out["_van_ban.html"] = hashlib.sha256(self.read("_van_ban.html")).hexdigest()
        return out

    def folders(self) -> list[str]:
        dirs = [str(self.override_dir)] if self.override_dir is not None else []
        return [*dirs, str(PACKAGE_DIR)]


# -- formatting helpers, also Jinja filters ----------------------------------------------
def money(value: int | float | None) -> str:
    """An amount in đồng as Vietnamese write it: ``1.404.000 đ`` (``—`` when unknown)."""
    return "—" if value is None else f"{vn_number(int(value))} đ"


def official_number(number: str | None) -> str:
    """The register's ``7/QĐ-VP`` as printed (Nghị định 30: numbers below 10 take a 0)."""
    text = str(number or "").strip()
    head, sep, tail = text.partition("/")
    if sep and head.isdigit() and len(head) < 2:
        head = head.zfill(2)
    return f"{head}{sep}{tail}"


def as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def vn_date(value: Any) -> str:
    """``ngày 05 tháng 02 năm 2026`` (day < 10 and months 1, 2 take a leading 0)."""
    when = as_date(value)
    if when is None:
        return "ngày … tháng … năm …"
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"ngày {when.day:02d} tháng {month} năm {when.year}"


def short_date(value: Any) -> str:
    """``25/11/2026``."""
    when = as_date(value)
    return when.strftime("%d/%m/%Y") if when is not None else ""


FILTERS = {"money": money, "official_number": official_number, "vn_date": vn_date,
           "short_date": short_date, "vn_number": vn_number}


def _environment(source: TemplateSource, extra: Mapping[str, str] | None,
                 autoescape: bool) -> SandboxedEnvironment:
    loader = FileSystemLoader(source.folders())
    if extra:
        loader = ChoiceLoader([DictLoader(dict(extra)), loader])  # type: ignore[assignment]
    env = SandboxedEnvironment(loader=loader, autoescape=autoescape, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    return env


# -- PDF -----------------------------------------------------------------------------------
def font_face_css() -> str:
    """``@font-face`` rules binding "Times New Roman" to the shipped Liberation Serif files."""
    rules = []
    for style, weight, slant in _FACES:
        url = (FONTS_DIR / f"LiberationSerif-{style}.ttf").as_uri()
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}"); '
                     f"font-weight: {weight}; font-style: {slant}; }}")
    return "\n".join(rules)


def _font_files() -> dict[str, Path]:
    paths = [FONTS_DIR / f"LiberationSerif-{style}.ttf" for style, _w, _i in _FACES]
    return {path.as_uri(): path for path in paths}


def _url_fetcher() -> Any:
    """A WeasyPrint fetcher that reads the shipped font files and nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = _font_files().get(url)
            if path is None:
                raise ValueError(f"Không được tải tài nguyên ngoài: {url}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})

    return FontsOnly()


def render_html(name: str, context: Mapping[str, Any], source: TemplateSource,
                extra: Mapping[str, str] | None = None) -> str:
    """The HTML text of template ``name`` (``extra``: templates to try first, by name)."""
    try:
        return _environment(source, extra, autoescape=True).get_template(name).render(
            **context)
    except Exception as exc:  # jinja2 syntax, undefined values, sandbox refusals
        raise RenderError(_describe(name, exc)) from exc


def _layout(name: str, context: Mapping[str, Any], source: TemplateSource,
            extra: Mapping[str, str] | None) -> Any:
    """WeasyPrint's laid-out document of an HTML template (pages, ready to write)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(name, context, source, extra)
    fonts = FontConfiguration()
    fetcher = _url_fetcher()
    try:
        return HTML(string=html, base_url=str(FONTS_DIR), url_fetcher=fetcher).render(
            stylesheets=[CSS(string=font_face_css(), font_config=fonts, url_fetcher=fetcher)],
            font_config=fonts)
    except Exception as exc:
        raise RenderError(_describe(name, exc)) from exc


def render_pdf(name: str, context: Mapping[str, Any], source: TemplateSource,
               extra: Mapping[str, str] | None = None) -> bytes:
    """A PDF from an HTML template, with the shipped fonts embedded."""
    document = _layout(name, context, source, extra)
    try:
        return document.write_pdf()  # type: ignore[no-any-return]
    except Exception as exc:
        raise RenderError(_describe(name, exc)) from exc


def render_pdf_pages(name: str, context: Mapping[str, Any], source: TemplateSource
                     ) -> tuple[bytes, list[bytes]]:
    """The whole PDF and one PDF per page, laid out once (Giấy khen: a page per person)."""
    document = _layout(name, context, source, None)
    try:
        return document.write_pdf(), [document.copy([page]).write_pdf()
                                      for page in document.pages]
    except Exception as exc:
        raise RenderError(_describe(name, exc)) from exc


# -- DOCX ----------------------------------------------------------------------------------
def render_docx(name: str, context: Mapping[str, Any], source: TemplateSource,
                data: bytes | None = None) -> bytes:
    """A DOCX from a Word template (``data``: the template's bytes instead of its file)."""
    from docxtpl import DocxTemplate

    try:
        template = DocxTemplate(io.BytesIO(data if data is not None else source.read(name)))
        template.render(dict(context), jinja_env=_environment(source, None, autoescape=True))
        out = io.BytesIO()
        template.save(out)
    except Exception as exc:
        raise RenderError(_describe(name, exc)) from exc
    return out.getvalue()


def _describe(name: str, exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    where = f" (dòng {line})" if line else ""
    return f"Không dựng được văn bản từ mẫu «{name}»{where}: {_reason(exc)}"


def _reason(exc: Exception) -> str:
    """Jinja's usual complaints in Vietnamese; anything else as it was said."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError

    text = str(exc)
    if isinstance(exc, UndefinedError):
        missing = re.search(r"'([^']+)' is undefined", text)
        attribute = re.search(r"has no attribute '([^']+)'", text)
        if missing:
            return f"mẫu dùng giá trị «{missing.group(1)}» mà dữ liệu văn bản không có"
        if attribute:
            return f"mẫu dùng thuộc tính «{attribute.group(1)}» mà dữ liệu văn bản không có"
        return f"mẫu dùng một giá trị không có trong dữ liệu ({text})"
    if isinstance(exc, TemplateNotFound):
        return f"không tìm thấy mẫu «{text}»"
    if isinstance(exc, TemplateSyntaxError):
        return f"sai cú pháp Jinja ({text})"
    return text
