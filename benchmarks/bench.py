"""`make bench`: time and memory of every output, stage by stage, against pandoc driving the same engine.

One run measures everything, so the ratios hold on a noisy machine. Not a test: it asserts nothing,
it prints a table and which targets of the build-speed issue are met.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlbook import cover, math, render, write  # noqa: E402
from mlbook.load import load  # noqa: E402

PY = sys.executable
ROWS: list[tuple[str, float, float | None]] = []


def measured(name: str, command: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """Run a command under GNU time; record and return (wall seconds, peak resident MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *command], cwd=cwd, check=True,
                       env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        peak_mb = int(report.read().split()[-1]) / 1024
    ROWS.append((name, seconds, peak_mb))
    return seconds, peak_mb


def timed(name: str, function):
    started = time.perf_counter()
    result = function()
    ROWS.append((name, time.perf_counter() - started, None))
    return result


def outputs(content: Path, out: Path, cache: Path) -> dict[str, float]:
    """Each output built alone by the CLI (warm caches), then `make all` cold and as a no-op."""
    env = {"MLBOOK_CACHE": str(cache)}
    times = {}
    for target in ("pdf", "epub", "handout", "sheet"):
        times[target], _ = measured(f"output: {target}", [PY, "build.py", target, "-q", "--content", str(content),
                                                           "--out", str(out)], env)
    shutil.rmtree(out)
    times["make all"], _ = measured("make all (both cores)", ["make", "-s", "all", f"OUT={out}", f"BANK={content}"], env)
    times["no-op"], _ = measured("make all, nothing changed", ["make", "-s", "all", f"OUT={out}",
                                                                f"BANK={content}"], env)
    return times


def incremental(content: Path, out: Path) -> tuple[float, float]:
    """A cold full build (empty caches), then one answer edited and the PDF rebuilt."""
    with tempfile.TemporaryDirectory() as cold_cache:
        cold, _ = measured("book PDF, cold (empty caches)", [PY, "build.py", "pdf", "-q", "--content",
                                                              str(content), "--out", str(out)],
                           {"MLBOOK_CACHE": cold_cache})
        first = sorted(content.rglob("*.md"))[1]
        first.write_text(first.read_text(encoding="utf-8") + "\nОдин новый абзац.\n", encoding="utf-8")
        edited, _ = measured("book PDF after editing one answer", [PY, "build.py", "pdf", "-q", "--content",
                                                                    str(content), "--out", str(out)],
                             {"MLBOOK_CACHE": cold_cache})
    return cold, edited


def stages(content: Path, out: Path) -> str:
    """The pipeline in this process, stage by stage; returns the book's final HTML."""
    book = timed("stage: load and check (warm caches)", lambda: load(content))
    formulas = [m for q in book.questions for m in re.findall(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", q.body, re.S)]
    with tempfile.TemporaryDirectory() as empty:
        saved, math.CACHE_DIR = math.CACHE_DIR, Path(empty)
        math.svg.cache_clear()
        timed(f"stage: math, {len(formulas)} formulas from an empty cache",
              lambda: [math.svg((a or b).strip(), bool(a)) for a, b in formulas])
        math.CACHE_DIR = saved
        math.svg.cache_clear()
    html, _ = timed("stage: Markdown + templates → HTML", lambda: render.render_print(book, render.Page("book")))
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = timed("stage: WeasyPrint layout", lambda: weasyprint.HTML(
        string=html, base_url=str(content) + "/", url_fetcher=write.BookFetcher([content, render.TEMPLATES,
                                                                                 ROOT / ".cache"])).render())
    timed("stage: PDF write", lambda: document.write_pdf(out / "stage.pdf"))
    css = (render.TEMPLATES / "epub.css").read_text(encoding="utf-8") + render.pygments_css()
    timed("stage: EPUB (render + write)", lambda: write.write_epub(book, True, out / "stage.epub", css,
                                                                   cover.cover_png(book)))
    return html


def floor(html: str, content: Path, out: Path) -> float:
    """WeasyPrint alone on the final book HTML: what no pipeline around it can go below."""
    page = out / "final.html"
    page.write_text(html, encoding="utf-8")
    script = ("import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1], base_url=sys.argv[2])"
              ".write_pdf(sys.argv[3])")
    seconds, _ = measured("floor: WeasyPrint alone on the final HTML",
                          [PY, "-c", script, str(page), str(content) + "/", str(out / "floor.pdf")])
    return seconds


PEER_CSS = """
@page { size: A4; margin: 22mm 20mm; @bottom-center { content: counter(page); } }
body { font-family: "PT Serif", serif; font-size: 10.5pt; hyphens: auto; }
nav#TOC a::after { content: leader(".") target-counter(attr(href), page); }
pre { white-space: pre-wrap; font-family: "PT Mono", monospace; font-size: 8.3pt; }
h1 { break-before: page; }
"""


def export_markdown(content: Path, target: Path) -> None:
    """The same book as one Markdown file: headings, questions and answers, with `$` math."""
    book = load(content)
    parts = [f"---\ntitle: {book.title}\nlang: ru\n---\n"]
    for section in book.sections:
        parts.append(f"# {section.number} {section.title}\n")
        for sub in section.subsections:
            if sub.title:
                parts.append(f"## {sub.number} {sub.title}\n")
            for question in sub.questions:
                body = re.sub(r"^(#+)", r"\1##", question.body, flags=re.M)
                body = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)", lambda m: f"![{m.group(1)}]({question.source.path.parent / m.group(2)}",
                              body)
                parts.append(f"### {question.number} {question.text}\n\n{body}\n")
    target.write_text("\n".join(parts), encoding="utf-8")


def peer(content: Path, out: Path) -> tuple[float | None, float | None]:
    """pandoc → HTML (TOC) → WeasyPrint with page numbers in the TOC; and pandoc → EPUB."""
    if not shutil.which("pandoc"):
        print("pandoc is not installed: the peer rows are skipped (Debian: apt-get install pandoc)")
        return None, None
    source, css = out / "peer.md", out / "peer.css"
    export_markdown(content, source)
    css.write_text(PEER_CSS, encoding="utf-8")
    html_time, _ = measured("peer: pandoc → HTML", ["pandoc", str(source), "-s", "--toc", "--mathml",
                                                     "--css", str(css), "-o", str(out / "peer.html")])
    pdf_time, _ = measured("peer: WeasyPrint on pandoc's HTML", [PY, "-c", "import sys, weasyprint;"
                                                                   " weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2])",
                                                                   str(out / "peer.html"), str(out / "peer.pdf")])
    ROWS.append(("peer: pandoc → HTML → WeasyPrint, total", html_time + pdf_time, None))
    epub_time, _ = measured("peer: pandoc → EPUB", ["pandoc", str(source), "--mathml", "--toc", "-o",
                                                     str(out / "peer.epub")])
    return html_time + pdf_time, epub_time


def scaled_bank(content: Path, factor: int, target: Path) -> None:
    """A bank of `factor` copies of every section (new ids), answers and figures included."""
    import yaml

    shutil.copytree(content, target)
    meta = yaml.safe_load((content / "book.yaml").read_text(encoding="utf-8"))
    sections = []
    for copy in range(factor):
        for section in meta["sections"]:
            clone = yaml.safe_load(yaml.safe_dump(section))
            clone["id"] = f"{section['id']}-{copy}"
            clone["title"] = f"{section['title']} ({copy + 1})" if copy else section["title"]
            groups = clone.get("subsections") or [clone]
            for group in groups:
                if copy:
                    group["questions"] = [f"{qid}-x{copy}" for qid in group["questions"]]
            sections.append(clone)
    meta["sections"] = sections
    (target / "book.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for copy in range(1, factor):
        for path in content.rglob("*.md"):
            if path.name != "README.md":
                relative = path.relative_to(content)
                (target / relative).with_name(f"{path.stem}-x{copy}.md").write_text(
                    path.read_text(encoding="utf-8"), encoding="utf-8")


def scaling(content: Path, out: Path, factors: list[int]) -> dict[int, tuple[float, float]]:
    results = {}
    for factor in factors:
        bank = out / f"bank-{factor}x"
        scaled_bank(content, factor, bank)
        results[factor] = measured(f"scale: {factor}× bank, book PDF", [PY, "build.py", "pdf", "-q", "--content",
                                                                        str(bank), "--out", str(out / f"out-{factor}x")])
    return results


def report(times, cold, edited, floor_time, peer_pdf, peer_epub, scale) -> None:
    print(f"\n{'measurement':<52} {'seconds':>9} {'peak MB':>9}")
    print("-" * 72)
    for name, seconds, peak in ROWS:
        print(f"{name:<52} {seconds:>9.2f} {'' if peak is None else f'{peak:9.0f}':>9}")
    print("\ntargets (ratios in this run)")
    checks = [("book PDF ≤ 0.5× pandoc → WeasyPrint peer", times["pdf"] / peer_pdf if peer_pdf else None, 0.5),
              ("make all ≤ 1.2× book PDF alone", times["make all"] / times["pdf"], 1.2),
              ("one answer edited ≤ 0.35× cold full build", edited / cold, 0.35),
              ("no-op make all ≤ 0.5 s", times["no-op"], 0.5),
              ("EPUB ≤ 1× pandoc EPUB", times["epub"] / peer_epub if peer_epub else None, 1.0),
              ("book PDF ≥ floor (WeasyPrint alone), ratio", times["pdf"] / floor_time, None)]
    if 1 in scale and 10 in scale:
        checks += [("10× bank time ≤ 10× the 1× bank", scale[10][0] / scale[1][0], 10.0),
                   ("10× bank peak memory ≤ 1500 MB", scale[10][1], 1500.0)]
    for name, value, limit in checks:
        if value is None:
            print(f"  {name:<48} not measured")
        else:
            verdict = "" if limit is None else ("met" if value <= limit else "NOT met")
            print(f"  {name:<48} {value:8.2f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--scales", default="1,4,10", help="bank sizes for the scaling run (default 1,4,10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlbook-bench-") as work:
        work = Path(work)
        content = work / "content"
        shutil.copytree(args.content.resolve(), content)
        times = outputs(content, work / "out", ROOT / ".cache")
        html = stages(content, work)
        floor_time = floor(html, content, work)
        peer_pdf, peer_epub = peer(content, work)
        cold, edited = incremental(content, work / "incremental")
        scale = scaling(args.content.resolve(), work, [int(f) for f in args.scales.split(",") if f])
        report(times, cold, edited, floor_time, peer_pdf, peer_epub, scale)
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
