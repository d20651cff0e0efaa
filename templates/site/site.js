// Answers open on demand: open/close all, open the one a link points at, search the questions.
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

function normalize(text) {
  return text.toLowerCase().replace(/ё/g, "е");
}

function search(query) {
  const list = document.getElementById("search-results");
  list.textContent = "";
  const words = normalize(query).split(/\s+/).filter(Boolean);
  if (!words.length || !window.SEARCH_INDEX) return;
  const hits = window.SEARCH_INDEX.filter((q) => {
    const text = normalize(q.n + " " + q.t + " " + q.k);
    return words.every((w) => text.includes(w));
  });
  for (const q of hits.slice(0, 50)) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = q.u;
    link.textContent = q.n + " " + q.t;
    item.appendChild(link);
    list.appendChild(item);
  }
  if (!hits.length) {
    const item = document.createElement("li");
    item.className = "nothing";
    item.textContent = list.dataset.nothingFound;
    list.appendChild(item);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const openAll = document.getElementById("open-all");
  const closeAll = document.getElementById("close-all");
  if (openAll) openAll.addEventListener("click", () => setAll(true));
  if (closeAll) closeAll.addEventListener("click", () => setAll(false));
  const box = document.getElementById("search");
  if (box) box.addEventListener("input", () => search(box.value));
  openTarget();
});
window.addEventListener("hashchange", openTarget);
