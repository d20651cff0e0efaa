// The web edition's behaviour: open/close all, open the answer a link points at, the theme switch,
// scrolling boxes made focusable, and the search (lunr, its index loaded on first use: search.js).
"use strict";

function setAll(open) {
  document.querySelectorAll("details.question").forEach((d) => { d.open = open; });
}

function openTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (target && target.tagName === "DETAILS") {
    target.open = true;
    target.scrollIntoView();
  }
}

// Theme: auto (the system's) → light → dark, remembered in localStorage.
const THEMES = ["auto", "light", "dark"];

function currentTheme() {
  return document.documentElement.dataset.theme || "auto";
}

function showTheme(button) {
  const names = JSON.parse(button.dataset.names);
  button.textContent = button.dataset.label + ": " + names[currentTheme()];
}

function nextTheme(button) {
  const theme = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
  if (theme === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    if (theme === "auto") localStorage.removeItem("mlbook-theme");
    else localStorage.setItem("mlbook-theme", theme);
  } catch (e) { /* storage refused (private mode): the choice lasts for this page */ }
  showTheme(button);
}

// A code block, table or formula wider than its box scrolls inside it: keyboard users reach it and
// hear what it is. Measured when the browser is idle after an answer opens, so that "open all" does
// not lay out every answer at once (content-visibility keeps those off screen unlaid).
const toMeasure = new Set();

function measureLater(details) {
  toMeasure.add(details);
  if (toMeasure.size === 1) (window.requestIdleCallback || setTimeout)(measurePending);
}

function measurePending(deadline) {
  for (const details of toMeasure) {
    if (deadline && deadline.timeRemaining && deadline.timeRemaining() < 2) break;
    toMeasure.delete(details);
    markScrollable(details);
  }
  if (toMeasure.size) (window.requestIdleCallback || setTimeout)(measurePending);
  else document.body.dataset.measured = "";
}

function markScrollable(root) {
  const names = JSON.parse(document.querySelector("main").dataset.scrollable || "{}");
  root.querySelectorAll("pre, table, math[display='block'], span.math").forEach((box) => {
    if (box.hasAttribute("data-scrolls") || box.scrollWidth <= box.clientWidth + 1) return;
    const kind = box.tagName === "PRE" ? "code" : box.tagName === "TABLE" ? "table" : "math";
    box.setAttribute("data-scrolls", "");
    box.tabIndex = 0;
    if (kind !== "table") box.setAttribute("role", "region");
    box.setAttribute("aria-label", names[kind] || kind);
  });
}

// Search.
const search = {
  index: null,
  loading: null,
  stem: null,
};

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
}

const VENDOR_SCRIPTS = ["vendor/lunr.min.js", "vendor/lunr.stemmer.support.min.js", "vendor/lunr.ru.min.js"];

// lunr, its Russian stemmer and the index: scripts, not fetched JSON, so that file:// pages search too.
function loadSearch(box) {
  if (!search.loading) {
    search.loading = [...VENDOR_SCRIPTS, box.dataset.index]
      .reduce((done, src) => done.then(() => loadScript(src)), Promise.resolve())
      .then(() => {
        const lunr = window.lunr;
        // Cyrillic words by Snowball's stemmer, others as they are (mlbook/render/search.py: stem)
        search.stem = (word) => (/[\u0430-\u044f]/.test(word) ? lunr.ru.stemmer(new lunr.Token(word, {})).toString() : word);
        lunr.Pipeline.registerFunction((token) => token.update((word) => search.stem(word)), "mlbook-stem");
        search.index = lunr.Index.load(window.SEARCH_INDEX);
      });
  }
  return search.loading;
}

// The words of a text as mlbook/render/search.py indexes them: lower case, yo as ye, a word written in
// parts (BatchNorm, mutual_info_regression) also as its parts.
function words(text) {
  const found = [];
  for (const word of text.match(/[\p{L}\p{N}_]+/gu) || []) {
    const parts = word.match(/[A-Z\u0410-\u042f\u0401]?[a-z\u0430-\u044f\u0451]+|[A-Z\u0410-\u042f\u0401]+(?![a-z\u0430-\u044f\u0451])|[0-9]+/g) || [];
    found.push(normal(word), ...(parts.length > 1 ? parts.map(normal) : []));
  }
  return found;
}

function normal(word) {
  return word.toLowerCase().replace(/ё/g, "е");
}

function runQuery(text) {
  const terms = [...new Set(words(text))];
  if (!terms.length) return [];
  return search.index.query((query) => {
    terms.forEach((term, i) => {
      query.term(term, { presence: window.lunr.Query.presence.REQUIRED, boost: 10 });
      // the word being typed: its beginnings match too (without stemming), weighted lower
      if (i === terms.length - 1 && term.length >= 3) {
        query.term(term, { usePipeline: false, wildcard: window.lunr.Query.wildcard.TRAILING, boost: 1 });
      }
    });
  });
}

function highlighted(text, stems) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}_]+/gu)) {
    const word = normal(match[0]);
    if (!stems.has(search.stem(word)) && ![...stems].some((s) => word.startsWith(s) && s.length >= 3)) continue;
    fragment.append(text.slice(last, match.index));
    const mark = document.createElement("mark");
    mark.textContent = match[0];
    fragment.append(mark);
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

function snippet(doc, stems) {
  const points = doc.k.split(" · ");
  const hit = points.find((p) => words(p).some((w) => stems.has(search.stem(w)))) || points[0] || "";
  return hit.length > 160 ? hit.slice(0, 157) + "…" : hit;
}

function announce(status, count) {
  if (!count) {
    status.textContent = status.dataset.nothingFound;
    return;
  }
  const forms = JSON.parse(status.dataset.found);
  const form = forms[new Intl.PluralRules(document.documentElement.lang).select(count)] || forms.other;
  status.textContent = form.replace("{n}", count);
}

function showResults(box) {
  const list = document.getElementById("search-results");
  const status = document.getElementById("search-status");
  list.textContent = "";
  const query = box.value.trim();
  if (!query) {
    list.hidden = true;
    status.textContent = "";
    return;
  }
  let hits;
  try {
    hits = runQuery(query);
  } catch (e) {  // a query lunr cannot parse: nothing found
    hits = [];
  }
  announce(status, hits.length);
  for (const hit of hits.slice(0, 30)) {
    const doc = window.SEARCH_DOCS[Number(hit.ref)];
    const stems = new Set(Object.keys(hit.matchData.metadata));
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = doc.u;
    link.append(doc.n + " ", highlighted(doc.t, stems));
    item.append(link);
    const text = snippet(doc, stems);
    if (text) {
      const span = document.createElement("span");
      span.className = "snippet";
      span.append(highlighted(text, stems));
      item.append(span);
    }
    list.append(item);
  }
  if (!hits.length) {
    const item = document.createElement("li");
    item.className = "nothing";
    item.textContent = status.dataset.nothingFound;
    list.append(item);
  }
  list.hidden = false;
}

function setUpSearch() {
  const box = document.getElementById("search");
  if (!box) return;
  const update = () => loadSearch(box).then(() => showResults(box));
  box.addEventListener("focus", () => loadSearch(box));
  box.addEventListener("input", update);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      box.value = "";
      showResults(box);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const openAll = document.getElementById("open-all");
  const closeAll = document.getElementById("close-all");
  if (openAll) openAll.addEventListener("click", () => setAll(true));
  if (closeAll) closeAll.addEventListener("click", () => setAll(false));
  const theme = document.getElementById("theme");
  if (theme) {
    showTheme(theme);
    theme.addEventListener("click", () => nextTheme(theme));
  }
  document.querySelectorAll("details.question").forEach((d) => {
    d.addEventListener("toggle", () => {
      if (d.open) measureLater(d);
      delete document.body.dataset.measured;
    });
  });
  document.querySelectorAll("details.question[open]").forEach(measureLater);
  setUpSearch();
  openTarget();
});
window.addEventListener("hashchange", openTarget);
window.mlbookSearch = { words, load: () => loadSearch(document.getElementById("search")), search };  // for the tests
