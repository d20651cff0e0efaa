"""`make bench`: time and memory of the book build, against pandoc driving the same engine.

One run measures everything, so the ratios hold on a noisy machine. Not a test: it asserts nothing,
it prints a table and which targets of the build-speed issue are met.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlbook.content.load import load  # noqa: E402

PY = sys.executable
ROWS: list[tuple[str, float, float | None, float | None]] = []


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(proc.name))
        except (OSError, IndexError, ValueError):
            continue
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def rss_mb(pids: list[int]) -> float:
    """The sum of the processes' resident sizes (pages shared between them counted in each)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[21])
        except (OSError, IndexError, ValueError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def pss_mb(pids: list[int]) -> float:
    """The sum of their proportional sizes (a page shared by n processes counted 1/n in each): what
    they take from the machine. Slower to read (the kernel walks the page tables): sampled less often."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024


PSS_EVERY = 10
"""Samples (of 50 ms) between two readings of PSS (each costs ≈ 2.5 ms per 600 MB of process)."""


def measured(name: str, command: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """Run a command; record (wall seconds, peak RSS and PSS MB of the process and its workers
    together) and return the seconds and the peak PSS."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0.0, 0.0]

    def sample():
        count = 0
        while process.poll() is None:
            pids = process_tree(process.pid)
            peak[0] = max(peak[0], rss_mb(pids))
            if count % PSS_EVERY == 0:
                peak[1] = max(peak[1], pss_mb(pids))
            count += 1
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{name}: {' '.join(command)} failed:\n{errors.decode()[-2000:]}")
    ROWS.append((name, seconds, peak[0], peak[1]))
    print(f"{name}: {seconds:.2f} s, peak RSS {peak[0]:.0f} MB, PSS {peak[1]:.0f} MB", flush=True)
    return seconds, peak[1]


def pdf_command(content: Path | None, out: Path) -> list[str]:
    """`build.py pdf` of a bank (None: the one the folder it runs in has) into `out`."""
    bank = [] if content is None else ["--content", str(content)]
    return [PY, "build.py", "pdf", "-q", *bank, "--out", str(out)]


def build_pdf(name: str, content: Path, out: Path, cache: Path) -> tuple[float, float]:
    return measured(name, pdf_command(content, out), {"MLBOOK_CACHE": str(cache)})


def append_to_answer(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def book_builds(content: Path, work: Path, cache: Path) -> dict[str, float]:
    """The book PDF: from an empty cache, with nothing changed, after one edit, after a CSS-like change."""
    times, out = {}, work / "out"
    times["cold"], times["cold MB"] = build_pdf("book PDF, empty cache (formulas, figures, layout)", content,
                                                out, cache)
    times["no-op"], _ = build_pdf("book PDF, nothing changed", content, out, cache)
    book = load(content)
    largest = max(book.sections, key=lambda s: sum(len(q.body) for q in s.questions))
    smallest = min(book.sections, key=lambda s: sum(len(q.body) for q in s.questions))
    for label, section in (("edit large", largest), ("edit small", smallest)):
        question = section.questions[len(section.questions) // 2]
        append_to_answer(question.source.path, "Ещё одно предложение, добавленное при замере скорости.")
        times[label], _ = build_pdf(f"book PDF, one answer edited ({question.number}, section of"
                                    f" {len(section.questions)} questions)", content, out, cache)
    question = largest.questions[0]  # ≈ 40 lines: its part gains a page, every later page number moves
    append_to_answer(question.source.path, " ".join(["Длинный абзац, добавленный при замере скорости: он"
                                                     " сдвигает следующие вопросы на другие страницы."] * 40))
    times["edit moves"], _ = build_pdf(f"book PDF, one answer edited so that its part gains a page"
                                       f" ({question.number})", content, out, cache)
    shutil.rmtree(cache / "layout" / "parts")  # as after a change to print.css: every part again
    times["full"], times["full MB"] = build_pdf("book PDF, all parts laid out (warm formulas, page map)",
                                                content, out, cache)
    shutil.rmtree(cache / "layout" / "parts")
    shutil.rmtree(cache / "layout" / "drawings")  # as after a change to the size formulas are drawn at
    times["redraw"], _ = build_pdf("book PDF, all parts laid out, formulas' drawings too", content, out, cache)
    return times


def back_matter_cost(content: Path, work: Path, cache: Path, pairs: int) -> tuple[float, float] | None:
    """What the glossary and the subject index add to a full build: the bank with and without its
    `glossary.yaml`, all parts laid out, alternating; the medians' ratios (`alternating`). None for a bank
    without a glossary."""
    if not (content / "glossary.yaml").is_file():
        return None
    without = work / "content-without-glossary"
    shutil.copytree(content, without)
    (without / "glossary.yaml").unlink()
    other_cache = work / "cache-without-glossary"
    shutil.copytree(cache, other_cache)  # the same formulas; its own page map, made by its first build
    out = work / "out-ab"
    return alternating("all parts laid out", {"with glossary.yaml": (pdf_command(content, out), ROOT, cache),
                                              "without glossary.yaml": (pdf_command(without, out), ROOT, other_cache)},
                       pairs)


def baseline_cost(revision: str, content: Path, work: Path, cache: Path, pairs: int) -> tuple[float, float]:
    """The full build of this checkout's bank (as it is, not the copy the other rows edit) against the one of
    an earlier `revision` (its code and its bank, run with this checkout's packages), all parts laid out,
    alternating; the medians' ratios (`alternating`)."""
    baseline = work / "baseline"
    baseline.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=ROOT, capture_output=True)
    if archive.returncode:
        raise SystemExit(f"--baseline {revision}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive.stdout, check=True)
    caches = {name: work / f"cache-{name}" for name in ("checkout", "baseline")}
    for copy in caches.values():  # the same formulas; the rows after these keep their cache as it was
        shutil.copytree(cache, copy)
    out = work / "out-baseline"
    return alternating("all parts laid out", {"this checkout": (pdf_command(content, out), ROOT, caches["checkout"]),
                                              f"at {revision}": (pdf_command(None, out), baseline, caches["baseline"])},
                       pairs)


def alternating(what: str, builds: dict[str, tuple[list[str], Path, Path]], pairs: int) -> tuple[float, float]:
    """Two builds (name → (command, folder it runs in, its cache)), each first run once to make its
    page map, then each `pairs` times with its layout cache emptied, alternating, the order swapped every
    pair so that the machine's drift falls on both. A row for each: the median of wall time and of CPU
    time (the build and its workers). Returns the first's medians over the second's (wall, CPU)."""
    def build(name: str) -> None:
        command, folder, cache = builds[name]
        subprocess.run(command, cwd=folder, env={**os.environ, "MLBOOK_CACHE": str(cache)}, check=True,
                       stdout=subprocess.DEVNULL)

    first, second = builds
    for name in builds:
        build(name)
    runs: dict[str, list[tuple[float, float]]] = {first: [], second: []}
    for pair in range(pairs):
        for name in (first, second) if pair % 2 == 0 else (second, first):
            shutil.rmtree(builds[name][2] / "layout" / "parts")
            before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            build(name)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs[name].append((time.perf_counter() - start, after.ru_utime + after.ru_stime
                               - before.ru_utime - before.ru_stime))
    wall = {name: statistics.median(w for w, _ in runs[name]) for name in runs}
    cpu = {name: statistics.median(c for _, c in runs[name]) for name in runs}
    for name in runs:
        row = f"A/B: {what}, {name} (median of {pairs}, CPU {cpu[name]:.1f} s)"
        ROWS.append((row, wall[name], None, None))
        print(f"{row}: {wall[name]:.2f} s ({', '.join(f'{w:.1f}' for w, _ in runs[name])})", flush=True)
    return wall[first] / wall[second], cpu[first] / cpu[second]


def make_all(content: Path, out: Path, cache: Path) -> float:
    env = {"MLBOOK_CACHE": str(cache)}
    measured("make all (both cores)", ["make", "-s", "all", f"OUT={out}", f"BANK={content}"], env)
    seconds, _ = measured("make all, nothing changed", ["make", "-s", "all", f"OUT={out}", f"BANK={content}"], env)
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
                body = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)",
                              lambda m: f"![{m.group(1)}]({question.source.path.parent / m.group(2)}", body)
                parts.append(f"### {question.number} {question.text}\n\n{body}\n")
    target.write_text("\n".join(parts), encoding="utf-8")


def peer(content: Path, out: Path) -> float | None:
    """pandoc → HTML (TOC) → WeasyPrint with page numbers in the TOC."""
    if not shutil.which("pandoc"):
        print("pandoc is not installed: the peer rows are skipped (Debian: apt-get install pandoc)")
        return None
    out.mkdir(parents=True, exist_ok=True)
    source, css = out / "peer.md", out / "peer.css"
    export_markdown(content, source)
    css.write_text(PEER_CSS, encoding="utf-8")
    html_time, _ = measured("peer: pandoc → HTML", ["pandoc", str(source), "-s", "--toc", "--mathml",
                                                     "--css", str(css), "-o", str(out / "peer.html")])
    pdf_time, _ = measured("peer: WeasyPrint on pandoc's HTML", [PY, "-c", "import sys, weasyprint;"
                                                                   " weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2])",
                                                                   str(out / "peer.html"), str(out / "peer.pdf")])
    ROWS.append(("peer: pandoc → HTML → WeasyPrint, total", html_time + pdf_time, None, None))
    return html_time + pdf_time


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
            if path.name not in ("README.md", "CHECKED.md"):
                relative = path.relative_to(content)
                (target / relative).with_name(f"{path.stem}-x{copy}.md").write_text(
                    path.read_text(encoding="utf-8"), encoding="utf-8")


def scaling(content: Path, work: Path, cache: Path, factors: list[int]) -> dict[int, tuple[float, float]]:
    """Each bank built twice (the first makes its page map); the second, all parts laid out, is timed."""
    results = {}
    for factor in factors:
        bank = work / f"bank-{factor}x"
        scaled_bank(content, factor, bank)
        command = pdf_command(bank, work / f"out-{factor}x")
        subprocess.run(command, cwd=ROOT, env={**os.environ, "MLBOOK_CACHE": str(cache)}, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(cache / "layout" / "parts")
        results[factor] = measured(f"scale: {factor}× bank, book PDF, all parts laid out", command,
                                   {"MLBOOK_CACHE": str(cache)})
    return results


def fresh_clone(work: Path) -> tuple[float, float] | None:
    """`git clone` of this checkout, then `make pdf` in it: set-up and a first build, as a new user."""
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    seconds, _ = measured("fresh clone: make pdf (venv, packages, empty caches)", ["make", "-s", "pdf"],
                          {"MLBOOK_CACHE": str(work / "clone-cache")}, cwd=clone)
    size = subprocess.run(["du", "-sm", str(clone / ".venv")], capture_output=True, text=True).stdout.split()[0]
    ROWS.append((f"fresh clone: .venv size {size} MB", 0.0, None, None))
    return seconds, float(size)


def report(times, peer_pdf, noop_all, scale, clone, back_matter, baseline) -> None:
    print(f"\n{'measurement':<72} {'seconds':>9} {'RSS MB':>9} {'PSS MB':>9}")
    print("-" * 102)
    for name, seconds, rss, pss in ROWS:
        print(f"{name:<72} {seconds:>9.2f} {'' if rss is None else f'{rss:9.0f}':>9}"
              f" {'' if pss is None else f'{pss:9.0f}':>9}")
    print("\ntargets (ratios in this run)")
    checks = [
        ("full build (all parts) ≤ 0.5× peer", times["full"] / peer_pdf if peer_pdf else None, 0.5),
        ("full build, drawings too (× peer)", times["redraw"] / peer_pdf if peer_pdf else None, None),
        ("one answer edited, largest section ≤ 0.15× peer", times["edit large"] / peer_pdf if peer_pdf else None, 0.15),
        ("one answer edited, smallest section (× peer)", times["edit small"] / peer_pdf if peer_pdf else None, None),
        ("one answer edited, its part a page longer (× peer)", times["edit moves"] / peer_pdf if peer_pdf else None, None),
        ("no-op make all ≤ 0.5 s", noop_all, 0.5),
        ("peak memory (PSS) of the book build ≤ 1000 MB", max(times["full MB"], times["cold MB"]), 1000.0),
        ("empty cache ≤ 1.2× the full build", times["cold"] / times["full"], 1.2),
    ]
    if back_matter:
        checks += [("glossary and index: full build with / without ≤ 1.10", back_matter[0], 1.10),
                   ("glossary and index: CPU with / without (the build and its workers)", back_matter[1], None)]
    if baseline:
        revision, (wall, cpu) = baseline
        checks += [(f"full build: this checkout / at {revision} ≤ 1.10", wall, 1.10),
                   (f"full build: CPU, this checkout / at {revision}", cpu, None)]
    if 1 in scale and 4 in scale:
        checks += [("4× bank time ≤ 4.4× the 1× bank", scale[4][0] / scale[1][0], 4.4),
                   ("4× bank peak memory (PSS) ≤ 1000 MB", scale[4][1], 1000.0)]
    if clone:
        checks += [("fresh clone → make pdf ≤ 240 s", clone[0], 240.0),
                   ("fresh clone installs ≤ 400 MB (.venv)", clone[1], 400.0)]
    for name, value, limit in checks:
        if value is None:
            print(f"  {name:<52} not measured")
        else:
            verdict = "" if limit is None else ("met" if value <= limit else "NOT met")
            print(f"  {name:<52} {value:8.2f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--scales", default="1,4", help="bank sizes for the scaling run (default 1,4)")
    parser.add_argument("--no-clone", action="store_true", help="skip the fresh-clone `make pdf` row")
    parser.add_argument("--pairs", type=int, default=3,
                        help="alternating builds with and without the glossary, each (default 3; 0 skips them)")
    parser.add_argument("--baseline", metavar="REVISION",
                        help="also time the full build against the one at this git revision (its code and bank),"
                             " alternating --pairs times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlbook-bench-") as work:
        work = Path(work)
        content = work / "content"
        shutil.copytree(args.content.resolve(), content)
        cache = work / "cache"
        peer_pdf = peer(content, work / "peer")
        times = book_builds(content, work, cache)
        back_matter = back_matter_cost(content, work, cache, args.pairs) if args.pairs else None
        baseline = None
        if args.baseline:
            baseline = args.baseline, baseline_cost(args.baseline, args.content.resolve(), work, cache,
                                                    args.pairs or 3)
        noop_all = make_all(content, work / "all", cache)
        scale = scaling(args.content.resolve(), work, work / "scale-cache",
                        [int(f) for f in args.scales.split(",") if f])
        clone = None if args.no_clone else fresh_clone(work)
        report(times, peer_pdf, noop_all, scale, clone, back_matter, baseline)
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
