"""The mock interview page of the web edition, driven end to end in headless Chromium from file://."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs

from mlbook.cli import run
from mlbook.content.load import load
from tests.conftest import CONTENT, SAMPLE
from tests.test_web import NEEDS_CHROMIUM, chromium


def test_the_start_page_links_the_mock_interview_and_its_data_holds_every_answered_question(site):
    assert '<a href="mock.html">' in (site / "index.html").read_text(encoding="utf-8")
    data = (site / "mock-data.js").read_text(encoding="utf-8")
    book = load(CONTENT)
    for question in book.questions:
        assert f'"id": "{question.id}"' in data
    script = (site / "mock.js").read_text(encoding="utf-8")
    for network in ("http:", "https:", "fetch(", "XMLHttpRequest", "WebSocket", "sendBeacon", "import("):
        assert network not in script


def test_no_mock_interview_without_answers(tmp_path):
    assert run(["html", "--no-answers", "--content", str(SAMPLE), "--out", str(tmp_path), "-q"]) == 0
    assert not (tmp_path / "site/mock.html").exists()
    assert "mock.html" not in (tmp_path / "site/index.html").read_text(encoding="utf-8")


def choose(driver, minutes: int, level: str, sections: list[str], seed: int) -> None:
    """Fill the plan's form with the keyboard and send it with Enter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    field = driver.find_element(By.ID, "mock-minutes")
    field.clear()
    field.send_keys(str(minutes))
    Select(driver.find_element(By.ID, "mock-level")).select_by_value(level)
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name=sections]"):
        if box.is_selected() != (box.get_attribute("value") in sections):
            box.send_keys(Keys.SPACE)
    seed_field = driver.find_element(By.ID, "mock-seed")
    seed_field.clear()
    seed_field.send_keys(str(seed), Keys.ENTER)


def visible(driver, element_id: str) -> bool:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id).is_displayed()


def question_on_screen(driver) -> dict:
    from selenium.webdriver.common.by import By

    number = driver.find_element(By.CSS_SELECTOR, "#mock-text .num").text
    return driver.execute_script("return window.MOCK.questions.find(q => q.n === arguments[0])", number)


def press(driver, key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()


def answer(driver, scores, count: int, start: int = 0) -> list[dict]:
    """Answer questions start+1, start+2, … of a plan of `count` with the keyboard: reveal the key points
    and follow-ups, then the answer, then score; the questions seen."""
    from selenium.webdriver.common.by import By

    seen = []
    for index, score in enumerate(scores, start=start):
        question = question_on_screen(driver)
        seen.append(question)
        assert driver.find_element(By.ID, "mock-position").text == f"Вопрос {index + 1} из {count}"
        assert not visible(driver, "mock-points") and not visible(driver, "mock-answer")
        press(driver, "k")
        assert visible(driver, "mock-points") and not visible(driver, "mock-answer")
        assert len(driver.find_elements(By.CSS_SELECTOR, "#mock-key-points li")) == len(question["k"])
        assert len(driver.find_elements(By.CSS_SELECTOR, "#mock-follow-ups li")) == len(question["f"]) > 0
        press(driver, "a")
        assert visible(driver, "mock-answer") and len(driver.find_element(By.ID, "mock-answer").text) > 100
        press(driver, str(score))
    return seen


@NEEDS_CHROMIUM
def test_a_mock_interview_end_to_end(site, tmp_path):
    from selenium.webdriver.common.by import By

    page = (site / "mock.html").as_uri()
    with chromium(tmp_path / "profile") as driver:
        driver.get((site / "index.html").as_uri())
        driver.find_element(By.CSS_SELECTOR, 'a[href="mock.html"]').click()
        assert driver.current_url == page
        choose(driver, 20, "junior", ["1", "2"], 5)
        fields = parse_qs(driver.current_url.split("#", 1)[1])
        assert fields == {"minutes": ["20"], "level": ["junior"], "sections": ["1,2"], "seed": ["5"]}
        summary = driver.find_element(By.ID, "mock-plan-summary").text
        count, minutes = map(int, re.fullmatch(r"План: (\d+) вопрос\w*, (\d+) мин", summary).groups())
        assert 18 <= minutes <= 22 and count >= 3
        shared = driver.find_element(By.ID, "mock-share").text
        assert shared == driver.current_url
        driver.find_element(By.ID, "mock-start").click()

        # the countdown starts from the question's minutes and runs
        question = question_on_screen(driver)
        clock = driver.find_element(By.ID, "mock-clock")
        assert clock.text == f"{question['m']:02d}:00"
        time.sleep(1.3)
        assert clock.text < f"{question['m']:02d}:00" and clock.text.startswith(f"{question['m'] - 1:02d}:5")
        assert driver.find_element(By.CSS_SELECTOR, ".mock-keys").text == (
            "Клавиши: K — тезисы, A — ответ, 0–3 — оценка.")
        driver.save_screenshot(str(site.parent / "mock-question.png"))

        # one question scored: the session is in localStorage at once, and the plan's page offers to go on.
        # (Not checked by reloading the tab: under the suite's load, headless Chromium at times gave the
        # reloaded file:// page an empty localStorage, with the session written seconds before.)
        scores = [3] + [index % 4 for index in range(1, count)]
        seen = answer(driver, scores[:1], count)
        stored = driver.execute_script("return Object.values(localStorage).map((value) => JSON.parse(value))")
        assert [state["current"]["index"] for state in stored if state.get("current")] == [1]
        driver.execute_script("window.dispatchEvent(new HashChangeEvent('hashchange'))")  # back to the plan
        assert visible(driver, "mock-setup") and not visible(driver, "mock-question")
        assert driver.find_element(By.ID, "mock-start").text == "Продолжить"
        driver.find_element(By.ID, "mock-start").click()
        seen += answer(driver, scores[1:], count, start=1)
        assert len(seen) == count and len({q["id"] for q in seen}) == count
        assert {q["s"] for q in seen} == {"1", "2"} and sum(q["m"] for q in seen) == minutes
        for section in ("1", "2"):  # each section from easier to harder
            difficulties = [q["d"] for q in seen if q["s"] == section]
            assert difficulties == sorted(difficulties)

        # the summary: points per section and in all, the questions to revisit with their links
        assert visible(driver, "mock-summary")
        rows = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                for row in driver.find_elements(By.CSS_SELECTOR, "#mock-section-scores tr")]
        for row, section in zip(rows, ("1", "2")):
            mine = [scores[i] for i, q in enumerate(seen) if q["s"] == section]
            assert row[0].startswith(section + " ") and row[1] == str(len(mine))
            assert row[2] == f"{sum(mine)} / {3 * len(mine)}" and row[3] == f"{round(100 * sum(mine) / (3 * len(mine)))}%"
        assert rows[-1][:3] == ["Итого", str(count), f"{sum(scores)} / {3 * count}"]
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#mock-revisit a")]
        low = [q for q, s in zip(seen, scores) if s <= 1]
        assert [link.rsplit("/", 1)[1] for link in links] == [q["u"] for q in low] and low
        driver.save_screenshot(str(site.parent / "mock-summary.png"))

        # the session is kept in the browser: the past sessions list it, linking back to the plan
        driver.find_element(By.ID, "mock-new").click()
        past = driver.find_elements(By.CSS_SELECTOR, "#mock-past li")
        assert len(past) == 1 and f"{sum(scores)} / {3 * count}" in past[0].text
        assert past[0].find_element(By.TAG_NAME, "a").get_attribute("href") == shared

        # only the site's own files are loaded: nothing over the network
        sources = driver.execute_script(
            "return [...document.querySelectorAll('script[src], link[href], img[src]')].map(e => e.src || e.href)")
        assert len(sources) >= 4 and all(name.startswith("file://") for name in sources)

    # the shared address, in another browser, draws the same plan
    with chromium(tmp_path / "other-profile") as driver:
        driver.get(shared)
        assert driver.find_element(By.ID, "mock-plan-summary").text == summary
        driver.find_element(By.ID, "mock-start").click()
        again = [question_on_screen(driver)]
        for _ in range(count - 1):
            press(driver, "2")
            again.append(question_on_screen(driver))
        assert [q["id"] for q in again] == [q["id"] for q in seen]


@NEEDS_CHROMIUM
def test_the_mock_interview_in_the_dark_theme(site, tmp_path):
    from selenium.webdriver.common.by import By

    with chromium(tmp_path / "profile") as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        driver.get((site / "mock.html").as_uri() + "#minutes=10&level=senior&sections=4&seed=1")
        driver.find_element(By.ID, "mock-start").click()
        colours = driver.execute_script(
            "const style = (el) => getComputedStyle(el);"
            "return [style(document.body).backgroundColor, style(document.getElementById('mock-text')).color,"
            " style(document.querySelector('.mock-score')).backgroundColor]")
        assert colours[0] == "rgb(21, 24, 28)" and colours[1] == "rgb(230, 230, 230)"
        assert colours[2] == colours[0]
        driver.save_screenshot(str(site.parent / "mock-dark.png"))
