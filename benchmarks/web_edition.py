"""The web edition's weight and speed, as a reader's Chromium sees them (benchmarks/README.md, "Web edition").

    .venv/bin/python benchmarks/web_edition.py output/site

Per section page, served over HTTP: the page's HTML; what loads with every answer closed (the page, its
stylesheet, scripts, fonts and the figures the browser fetches; search.js loads on the first search);
the figures of all its answers; the time from a click on "open all" to the next frame (median of 5, at
full speed and with the CPU throttled 4×, a phone-class CPU); the page's elements."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_web import chromium, served  # noqa: E402 (the tests' own browser set-up)

OPEN_ALL = """const done = arguments[0], button = document.getElementById('open-all'), start = performance.now();
button.click(); document.body.offsetHeight;
requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0));"""


def open_all_ms(driver, url: str, throttling: int) -> float:
    driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": throttling})
    times = []
    for _ in range(5):
        driver.get(url)
        times.append(driver.execute_async_script(OPEN_ALL))
    driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": 1})
    return statistics.median(times)


def measure(site: Path) -> None:
    print("| page | HTML KB | loaded, answers closed, KB | figures KB | open all, ms | at 4× CPU, ms | elements |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with chromium(Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/mlbook-bench-profile")) as driver, \
            served(site) as base:
        driver.set_window_size(1280, 900)
        for page in sorted(site.glob("section-*.html")):
            url = f"{base}/{page.name}"
            driver.get(url)
            time.sleep(1.0)  # let lazy figures and fonts that would load, load
            resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            loaded = {page} | {site / unquote(urlsplit(name).path.lstrip("/")) for name in resources}
            figures = {site / src for src in _figure_sources(page)}
            fast, slow = open_all_ms(driver, url, 1), open_all_ms(driver, url, 4)
            elements = driver.execute_script("return document.getElementsByTagName('*').length")
            print(f"| {page.name} | {_kb(page)} | {_kb(*(p for p in loaded if p.is_file()))} | {_kb(*figures)}"
                  f" | {fast:.0f} | {slow:.0f} | {elements:,} |")


def _figure_sources(page: Path) -> set[str]:
    import re
    return set(re.findall(r'<img src="(figures/[^"]+)"', page.read_text(encoding="utf-8")))


def _kb(*paths: Path) -> str:
    return f"{sum(p.stat().st_size for p in paths) / 1000:,.0f}"


if __name__ == "__main__":
    measure(Path(sys.argv[1]))
