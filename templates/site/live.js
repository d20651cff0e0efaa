// `build.py serve`: reload the page when the book was rebuilt, keeping the scroll position and the
// answers the author closed. Not part of the published web edition.
"use strict";
(() => {
  const key = "mlbook-preview:" + location.pathname;

  function save() {
    const closed = [...document.querySelectorAll("details.question")].filter((d) => !d.open).map((d) => d.id);
    sessionStorage.setItem(key, JSON.stringify({ y: window.scrollY, closed }));
  }

  function restore() {
    const saved = JSON.parse(sessionStorage.getItem(key) || "null");
    if (!saved) return;
    sessionStorage.removeItem(key);
    for (const id of saved.closed) {
      const details = document.getElementById(id);
      if (details) details.open = false;
    }
    window.scrollTo(0, saved.y);
  }

  history.scrollRestoration = "manual";
  if (document.readyState === "complete") restore();
  else window.addEventListener("load", restore);
  const events = new EventSource("/__events?since=" + window.MLBOOK_PREVIEW_VERSION);
  events.onmessage = () => {
    events.close();
    save();
    location.reload();
  };
})();
