// The mock interview: a plan drawn in the browser (minutes, level, sections, seed — all in the URL's
// #fragment, so a plan can be shared), one question at a time against a countdown, key points,
// follow-ups and the answer on request, a 0–3 self-score, and a summary. Progress and past sessions
// stay in localStorage; nothing goes over the network.
"use strict";

(function () {
  const DATA = window.MOCK;
  const L = DATA.labels;
  const root = document.getElementById("mock");
  const STORE = "mlbook-mock:" + root.dataset.book;
  const $ = (id) => document.getElementById(id);
  let session = null;
  let ticking = null;

  // --- the plan: the same rules as the sheet's (mlbook/content/plan.py), a seeded generator of our own

  function generator(seed) {  // mulberry32: small, seedable, the same sequence in every browser
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffled(items, random) {
    const list = items.slice();
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  }

  function drawPlan(choice) {
    const mix = DATA.levels[choice.level];
    const sections = DATA.sections.map((s) => ({
      n: s.n, questions: DATA.questions.filter((q) => q.s === s.n && choice.sections.includes(s.n)),
    })).filter((s) => s.questions.length);
    const size = sections.reduce((sum, s) => sum + s.questions.length, 0);
    const pool = sections.reduce((sum, s) => sum + s.questions.reduce((m, q) => m + q.m, 0), 0);
    if (!size) return { questions: [], minutes: 0, pool: 0 };
    const random = generator(choice.seed);
    const shares = sections.map((s) => choice.minutes * s.questions.length / size);
    const buckets = sections.map((s) => [1, 2, 3].map((d) => shuffled(s.questions.filter((q) => q.d === d), random)));
    const used = sections.map(() => [0, 0, 0]);
    const limit = choice.minutes * (1 + DATA.tolerance);
    const chosen = new Set();
    let total = 0;
    const fits = (s, d) => buckets[s][d].length && total + buckets[s][d][0].m <= limit;
    const sum = (list) => list.reduce((a, b) => a + b, 0);
    while (total < choice.minutes) {
      const open = sections.map((_, s) => s).filter((s) => [0, 1, 2].some((d) => fits(s, d)));
      if (!open.length) break;
      const s = open.reduce((best, s) => (shares[s] - sum(used[s]) > shares[best] - sum(used[best]) ? s : best));
      const ds = [0, 1, 2].filter((d) => fits(s, d));
      const d = ds.reduce((best, d) => (shares[s] * mix[d] - used[s][d] > shares[s] * mix[best] - used[s][best] ? d : best));
      const question = buckets[s][d].shift();
      used[s][d] += question.m;
      total += question.m;
      chosen.add(question.id);
    }
    const questions = [];
    for (const s of sections) {  // each section from easier to harder, book order among equals
      const picked = s.questions.filter((q) => chosen.has(q.id));
      picked.sort((x, y) => x.d - y.d);
      questions.push(...picked);
    }
    return { questions, minutes: total, pool };
  }

  // --- the choice in the URL: #minutes=45&level=middle&sections=1,2&seed=7

  function readChoice() {
    const fields = new URLSearchParams(location.hash.slice(1));
    if (!fields.has("minutes")) return null;
    const minutes = parseInt(fields.get("minutes"), 10);
    const level = fields.get("level") || "middle";
    const seed = parseInt(fields.get("seed") || "0", 10);
    const known = DATA.sections.map((s) => s.n);
    const sections = (fields.get("sections") || known.join(",")).split(",").filter((n) => known.includes(n));
    if (!(minutes > 0) || !(level in DATA.levels) || !(seed >= 0)) return null;
    return { minutes, level, seed, sections };
  }

  function choiceHash(choice) {
    return "#" + new URLSearchParams({ minutes: choice.minutes, level: choice.level,
      sections: choice.sections.join(","), seed: choice.seed }).toString();
  }

  function formChoice() {
    const form = $("mock-form");
    return {
      minutes: parseInt(form.elements.minutes.value, 10),
      level: form.elements.level.value,
      seed: parseInt(form.elements.seed.value, 10) || 0,
      sections: [...form.querySelectorAll("input[name=sections]:checked")].map((box) => box.value),
    };
  }

  function fillForm(choice) {
    const form = $("mock-form");
    form.elements.minutes.value = choice.minutes;
    form.elements.level.value = choice.level;
    form.elements.seed.value = choice.seed;
    form.querySelectorAll("input[name=sections]").forEach((box) => { box.checked = choice.sections.includes(box.value); });
  }

  // --- what the browser keeps

  function stored() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || { current: null, past: [] };
    } catch (error) {
      return { current: null, past: [] };
    }
  }

  function keep(state) {
    try {
      localStorage.setItem(STORE, JSON.stringify(state));
    } catch (error) { /* storage full or refused: the session still runs, unsaved */ }
  }

  function saveSession() {
    const state = stored();
    state.current = session;
    keep(state);
  }

  // --- the screens

  function show(panel) {
    for (const id of ["mock-setup", "mock-question", "mock-summary"]) $(id).hidden = id !== panel;
  }

  function plural(n) {
    const forms = DATA.questionsCount;
    const rule = new Intl.PluralRules(document.documentElement.lang).select(n);
    return (forms[rule] || forms.other).replace("{n}", n);
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  }

  function showPlan(choice) {
    fillForm(choice);
    const plan = drawPlan(choice);
    $("mock-plan").hidden = false;
    $("mock-plan-summary").textContent = format(L.plan_summary, { questions: plural(plan.questions.length), minutes: plan.minutes });
    const warning = $("mock-plan-warning");
    warning.hidden = plan.minutes >= choice.minutes * (1 - DATA.tolerance);
    warning.textContent = plan.questions.length ? format(L.short_pool, { minutes: plan.minutes }) : L.empty_pool;
    const share = $("mock-share");
    share.href = choiceHash(choice);
    share.textContent = location.href.split("#")[0] + choiceHash(choice);
    $("mock-start").disabled = !plan.questions.length;
    const current = stored().current;
    const resumable = current && current.hash === choiceHash(choice) && current.index < current.ids.length;
    $("mock-start").textContent = resumable ? L.resume : L.start;
    return plan;
  }

  function start() {
    const choice = readChoice();
    const current = stored().current;
    if (current && current.hash === choiceHash(choice) && current.index < current.ids.length) {
      session = current;
    } else {
      const plan = drawPlan(choice);
      session = { hash: choiceHash(choice), ids: plan.questions.map((q) => q.id), scores: [], index: 0,
                  planned: plan.minutes, started: new Date().toISOString() };
    }
    saveSession();
    showQuestion();
  }

  function byId(id) {
    return DATA.questions.find((q) => q.id === id);
  }

  function showQuestion() {
    const question = byId(session.ids[session.index]);
    show("mock-question");
    $("mock-position").textContent = format(L.question_of, { index: session.index + 1, count: session.ids.length });
    $("mock-section").textContent = question.s + " " + DATA.sections.find((s) => s.n === question.s).title;
    const text = $("mock-text");
    text.innerHTML = '<span class="num">' + question.n + "</span> " + question.t;
    $("mock-key-points").innerHTML = question.k.map((point) => "<li>" + point + "</li>").join("");
    $("mock-follow-ups").innerHTML = question.f.map(([probe, gist]) => "<li><strong>" + probe + "</strong> " + gist + "</li>").join("");
    $("mock-answer").innerHTML = question.a;
    $("mock-points").hidden = true;
    $("mock-answer").hidden = true;
    startClock(question.m * 60);
    text.focus();
  }

  function startClock(seconds) {
    const clock = $("mock-clock");
    const ends = Date.now() + seconds * 1000;
    clearInterval(ticking);
    const tick = () => {
      const left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
      clock.textContent = String(Math.floor(left / 60)).padStart(2, "0") + ":" + String(left % 60).padStart(2, "0");
      clock.parentElement.classList.toggle("over", left === 0);
      if (left === 0) {
        clock.textContent = L.time_up;
        clearInterval(ticking);
      }
    };
    tick();
    ticking = setInterval(tick, 250);
  }

  function reveal(id) {
    $(id).hidden = false;
  }

  function score(value) {
    if ($("mock-question").hidden) return;
    session.scores[session.index] = value;
    session.index += 1;
    saveSession();
    if (session.index < session.ids.length) showQuestion();
    else finish();
  }

  function finish() {
    clearInterval(ticking);
    const state = stored();
    const total = session.scores.reduce((a, b) => a + b, 0);
    state.past.unshift({ hash: session.hash, date: new Date().toISOString(), points: total,
                         max: 3 * session.ids.length, questions: session.ids.length });
    state.past = state.past.slice(0, 20);
    state.current = null;
    keep(state);
    showSummary(session);
  }

  function showSummary(done) {
    show("mock-summary");
    const rows = [];
    let points = 0;
    for (const section of DATA.sections) {
      const mine = done.ids.map((id, i) => [byId(id), done.scores[i]]).filter(([q]) => q.s === section.n);
      if (!mine.length) continue;
      const got = mine.reduce((sum, [, s]) => sum + s, 0);
      points += got;
      rows.push([section.n + " " + section.title, mine.length, got + " / " + 3 * mine.length,
                 Math.round(100 * got / (3 * mine.length)) + "%"]);
    }
    const max = 3 * done.ids.length;
    rows.push([L.total, done.ids.length, points + " / " + max, Math.round(100 * points / max) + "%"]);
    const body = $("mock-section-scores");
    body.textContent = "";
    for (const cells of rows) {
      const row = body.insertRow();
      for (const cell of cells) row.insertCell().textContent = cell;
    }
    body.lastElementChild.className = "mock-total";
    const revisit = $("mock-revisit");
    revisit.textContent = "";
    done.ids.forEach((id, i) => {
      if (done.scores[i] > 1) return;
      const question = byId(id);
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = question.u;
      link.innerHTML = '<span class="num">' + question.n + "</span> " + question.t;
      item.append(link, " — " + done.scores[i]);
      revisit.appendChild(item);
    });
    if (!revisit.children.length) {
      const item = document.createElement("li");
      item.textContent = L.nothing_to_revisit;
      revisit.appendChild(item);
    }
    $("mock-new").focus();
  }

  function showPast() {
    const past = stored().past;
    $("mock-past-box").hidden = !past.length;
    const list = $("mock-past");
    list.textContent = "";
    for (const entry of past) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = entry.hash;
      link.textContent = new Date(entry.date).toLocaleString(document.documentElement.lang);
      item.append(link, " — " + entry.points + " / " + entry.max + " (" + plural(entry.questions) + ")");
      list.appendChild(item);
    }
  }

  function route() {
    clearInterval(ticking);
    show("mock-setup");
    showPast();
    const choice = readChoice();
    if (choice) showPlan(choice);
    else $("mock-plan").hidden = true;
  }

  $("mock-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const hash = choiceHash(formChoice());
    if (location.hash === hash) route();
    else location.hash = hash;
  });
  $("mock-start").addEventListener("click", start);
  $("mock-show-points").addEventListener("click", () => reveal("mock-points"));
  $("mock-show-answer").addEventListener("click", () => reveal("mock-answer"));
  document.querySelectorAll(".mock-score").forEach((button) => {
    button.addEventListener("click", () => score(parseInt(button.dataset.score, 10)));
  });
  $("mock-new").addEventListener("click", () => {
    history.replaceState(null, "", location.pathname);
    route();
  });
  document.addEventListener("keydown", (event) => {
    if ($("mock-question").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea")) return;
    const key = event.key.toLowerCase();  // event.code: the same physical keys in any keyboard layout
    if (["0", "1", "2", "3"].includes(key)) score(parseInt(key, 10));
    else if (key === "k" || event.code === "KeyK") reveal("mock-points");
    else if (key === "a" || event.code === "KeyA") reveal("mock-answer");
    else return;
    event.preventDefault();
  });
  window.addEventListener("hashchange", route);
  route();
})();
