// Projector: welcome + join QR, a huge countdown while a round runs, "find your table" between rounds,
// broadcast banners and a (mutable) sound at time-up. Readable from 10 m.
// Every box has a fixed place and size (app.css): a text longer than its box is clamped inside it, a list longer
// than its box shows what fits whole, and the A–Z list of names pages through everyone.
import { api, h, pageData, t } from "./common.js";
import { connectLive } from "./live.js";
import { countdown } from "./timer.js";

const root = document.getElementById("screen");
const { token, event: code } = root.dataset;
const lang = document.documentElement.lang || "en";
let view = pageData("state");
let seating = { round: null, people: [] };
const TICKER_MAX = 6;       // notes rendered per topic; those that do not fit the ticker's box are left out whole
const ROTATE_MS = 8000;
const MESSAGE_MS = 60000;   // nobody clicks a projector: a message stays a minute, beside the timer
const FIND_PAGE_MS = 10000;
let tickerNotes = [];  // newest first; only the ticker re-renders when a note arrives
let tickerTopic = 0;   // the ticker rotates through the topics
let themes = {};       // topic title -> ranked terms
let themesDue = null;

const muteButton = document.getElementById("mute");
let muted = localStorage.getItem("wc:muted") === "1";
function showMute() {
  muteButton.textContent = `♪ ${muted ? t("sound_off") : t("sound_on")}`;
  muteButton.setAttribute("aria-pressed", String(muted));
}
muteButton.addEventListener("click", () => { muted = !muted; localStorage.setItem("wc:muted", muted ? "1" : "0"); showMute(); });
showMute();

function chime() {
  if (muted) return;
  try {
    const ctx = new AudioContext();
    [0, 0.35, 0.7].forEach((delay, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = [660, 880, 990][i];
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + delay);
      gain.gain.exponentialRampToValueAtTime(0.4, ctx.currentTime + delay + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + delay + 0.6);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + delay);
      osc.stop(ctx.currentTime + delay + 0.65);
    });
  } catch { /* no audio device: the timer still shows 0:00 */ }
}

/** Leave out the children of a fixed box that do not fit in it whole (never half a line of a note or a name). */
function fitChildren(box) {
  const limit = box.getBoundingClientRect().bottom + 0.5;
  for (const child of box.children) child.hidden = false;
  for (const child of box.children) if (child.getBoundingClientRect().bottom > limit) child.hidden = true;
}

/** "1–4, 9, 11" for table numbers: short enough for one line on the projector. */
function numberRanges(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
    parts.push(j > i + 1 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(", "));
    i = j + 1;
  }
  return parts.join(", ");
}

function topicItems() {
  return view.topics.map((topic) => h("li", { class: "screen-topic" },
    h("span", { class: `swatch big c-${topic.colour}` }),
    h("div", { class: "topic-text" }, h("p", { class: "topic-title" }, topic.title),
      h("p", { class: "topic-tables" }, `${t(topic.tables.length === 1 ? "table" : "tables")} ${numberRanges(topic.tables)}`))));
}

function show(id) {
  for (const section of ["main-welcome", "main-round", "main-find", "main-harvest", "main-end"]) {
    document.getElementById(section).hidden = section !== id;
  }
  root.dataset.mode = id.replace("main-", "");
  if (id !== "main-find") stopFindPaging();
}

function currentRound() {
  return view.rounds.find((r) => r.number === view.current_round) || null;
}

function render() {
  document.getElementById("event-name").textContent = view.name;
  document.getElementById("joined-count").textContent = view.counts.joined;
  document.getElementById("join-box").hidden = !view.joining_open || ["harvest", "closed"].includes(view.status);
  const total = view.rounds.length;
  const label = document.getElementById("round-label");
  if (view.status === "running" || view.status === "paused") {
    label.textContent = t("round_of", { n: view.current_round, total });
    show("main-round");
    document.getElementById("paused-badge").hidden = view.status !== "paused";
    const topics = document.getElementById("topics-round");
    topics.replaceChildren(...topicItems());
    fitChildren(topics);
    clock.set(currentRound());
    renderTicker();
  } else if ((view.status === "ready" || view.status === "moving") && seating.round) {
    label.textContent = t("round_of", { n: seating.round, total });
    show("main-find");
    renderFind();
  } else if (view.status === "harvest") {
    label.textContent = t("status_harvest");
    show("main-harvest");
    renderHarvest();
  } else if (view.status === "closed") {
    label.textContent = t("status_closed");
    show("main-end");
    document.getElementById("end-text").textContent = t("event_over");
  } else {
    label.textContent = "";
    show("main-welcome");
    const topics = document.getElementById("topics");
    topics.replaceChildren(...topicItems());
    fitChildren(topics);
  }
}

// ---- "Find your table": everyone A–Z, as large as fits, in pages that turn by themselves ----

const FIND_SIZES = ["xl", "l", "m", "s", "xs"];  // font steps of the list (app.css), largest first
let findPages = [];
let findPage = 0;
let findTimer = null;
let measureCanvas = null;
let findKey = "";
let findLayoutCache = null;

function stopFindPaging() {
  clearInterval(findTimer);
  findTimer = null;
}

/** Lay the names out in columns that fit the list's box and keep clear of the join QR; returns pages of cells. */
function findLayout(list, people) {
  const box = list.getBoundingClientRect();
  const join = document.getElementById("join-box");
  const qr = join.hidden ? null : join.getBoundingClientRect();
  measureCanvas ??= document.createElement("canvas").getContext("2d");
  list.style.gridTemplateColumns = "";
  list.style.gridTemplateRows = "";
  for (const size of FIND_SIZES) {
    list.dataset.size = size;
    const probe = h("li", {}, h("span", { class: "seat-chip c-grey" }, "000"), h("span", { class: "find-name" }, "Ag"));
    list.replaceChildren(probe);
    const line = probe.getBoundingClientRect().height;
    const style = getComputedStyle(list);
    const gap = parseFloat(style.columnGap) || 0;
    const chip = probe.firstChild.getBoundingClientRect().width + parseFloat(getComputedStyle(probe).columnGap || "0");
    measureCanvas.font = getComputedStyle(probe.lastChild).font;
    const widths = people.map((p) => measureCanvas.measureText(p.name).width);
    // Columns as wide as three names in four need; the longer ones wrap onto a second line.
    const typical = chip + ([...widths].sort((a, b) => a - b)[Math.floor(widths.length * 0.75)] || 0);
    const columns = Math.max(1, Math.floor((box.width + gap) / (Math.max(typical, chip * 4) + gap)));
    const width = (box.width - gap * (columns - 1)) / columns;
    const rows = Math.max(1, Math.floor((box.height + 0.5) / line));
    // Rows a column has: all of them, or those above the join QR when the column reaches under it.
    const rowsOf = (c) => {
      const right = box.left + (c + 1) * width + c * gap;
      if (!qr || right <= qr.left - gap / 2) return rows;
      return Math.max(0, Math.min(rows, Math.floor((qr.top - gap / 2 - box.top) / line)));
    };
    // A name longer than its column wraps onto more lines, never cut: how many, the browser says (one hidden
    // column of every name at this width, laid out once).
    const ruler = h("ol", { class: "find-list find-ruler", dataset: { size } }, ...people.map((p) =>
      h("li", {}, h("span", { class: "seat-chip c-grey" }, p.table), h("span", { class: "find-name" }, p.name))));
    ruler.style.width = `${width}px`;
    list.after(ruler);
    const spans = [...ruler.children].map((li) => Math.min(rows, Math.max(1, Math.ceil(li.getBoundingClientRect().height / line - 0.02))));
    ruler.remove();
    const pages = [];
    let cells = [];
    let column = 0;
    let row = 0;
    people.forEach((person, i) => {
      while (row + spans[i] > rowsOf(column)) {
        column += 1;
        row = 0;
        if (column >= columns) {
          pages.push(cells);
          cells = [];
          column = 0;
        }
      }
      cells.push({ person, column, row, span: spans[i] });
      row += spans[i];
    });
    if (cells.length) pages.push(cells);
    if (pages.length <= 1 || size === FIND_SIZES.at(-1)) return { pages, columns, rows, line };
  }
  return { pages: [], columns: 1, rows: 1, line: 0 };
}

function showFindPage() {
  const list = document.getElementById("find-list");
  const cells = findPages[findPage] || [];
  list.replaceChildren(...cells.map(({ person, column, row, span }) => {
    const item = h("li", { class: span > 1 ? "wraps" : null },
      h("span", { class: `seat-chip c-${person.colour}` }, person.table), h("span", { class: "find-name" }, person.name));
    item.style.gridColumn = String(column + 1);  // CSSOM, not an inline style attribute (CSP)
    item.style.gridRow = `${row + 1} / span ${span}`;
    return item;
  }));
  const pageLabel = document.getElementById("find-page");
  if (findPages.length > 1 && cells.length) {
    const initials = (p) => p.name.slice(0, 2);
    pageLabel.textContent = t("find_page", {
      first: initials(cells[0].person), last: initials(cells.at(-1).person), n: findPage + 1, count: findPages.length,
    });
  } else pageLabel.textContent = "";
}

function renderFind() {
  document.getElementById("find-title").textContent = t("find_your_table");
  const list = document.getElementById("find-list");
  const collator = new Intl.Collator(lang, { sensitivity: "base", numeric: true });
  const people = [...seating.people].sort((a, b) => collator.compare(a.name, b.name));
  // Laying out 400 names measures them all: done again only when the names or the room for them changed.
  const box = list.getBoundingClientRect();
  const join = document.getElementById("join-box");
  const key = [box.width, box.height, join.hidden || join.getBoundingClientRect().top,
    ...people.map((p) => `${p.name}\u0000${p.table}\u0000${p.colour}`)].join("\u0001");
  if (key !== findKey) {
    findKey = key;
    findLayoutCache = findLayout(list, people);
  }
  const layout = findLayoutCache;
  list.style.gridTemplateColumns = `repeat(${layout.columns}, minmax(0, 1fr))`;
  list.style.gridTemplateRows = `repeat(${layout.rows}, ${layout.line}px)`;
  findPages = layout.pages;
  if (findPage >= findPages.length) findPage = 0;
  showFindPage();
  // A redraw (a walk-in, a resize) keeps the page clock running, so the pages still turn in a busy room.
  if (findPages.length < 2) stopFindPaging();
  else if (!findTimer) startFindPaging();
}

function startFindPaging() {
  findTimer = setInterval(() => { findPage = (findPage + 1) % findPages.length; showFindPage(); }, FIND_PAGE_MS);
}

// Whoever stands at the projector's laptop may turn the pages: → / PageDown next, ← / PageUp back.
document.addEventListener("keydown", (event) => {
  if (root.dataset.mode !== "find" || findPages.length < 2) return;
  const step = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 }[event.key];
  if (!step) return;
  event.preventDefault();
  findPage = (findPage + step + findPages.length) % findPages.length;
  showFindPage();
  stopFindPaging();
  startFindPaging();
});

// ---- the notes ticker and the live themes: fixed boxes, the topic turns every few seconds ----

function colourOfTopic(title) {
  return view.topics.find((topic) => topic.title === title)?.colour || "grey";
}

function currentTickerTopic() {
  const topics = view.topics.filter((topic) => tickerNotes.some((n) => n.topic === topic.title));
  return topics.length ? topics[tickerTopic % topics.length] : null;
}

function renderTicker() {
  if (root.dataset.mode !== "round") return;
  const topic = currentTickerTopic();
  // Starred insights of the topic first, then its newest notes.
  const notes = tickerNotes.filter((n) => !topic || n.topic === topic.title);
  const shown = [...notes.filter((n) => n.starred).slice(0, 2), ...notes.filter((n) => !n.starred)].slice(0, TICKER_MAX);
  renderThemes(topic);
  const ticker = document.getElementById("ticker");
  ticker.replaceChildren(...shown.map((note) =>
    h("li", { class: `ticker-note c-${colourOfTopic(note.topic)}${note.starred ? " starred" : ""}` },
      h("span", { class: "ticker-where" }, `${t("table")} ${note.table ?? ""}`),
      h("span", { class: "ticker-text" }, note.text))));
  fitChildren(ticker);
}

let themesShown = null;  // which topic's themes (and which fetch) are on screen: redraw only when that changes
let themesFetch = 0;

function renderThemes(topic) {
  const key = `${topic?.title ?? ""}#${themesFetch}#${lang}`;
  if (key === themesShown) return;
  themesShown = key;
  const terms = topic ? themes[topic.title] || [] : [];
  document.getElementById("themes-title").textContent = topic ? `${t("themes")} · ${topic.title}` : t("themes");
  const list = document.getElementById("themes");
  list.replaceChildren(...(terms.length
    ? terms.slice(0, 8).map((term, i) => h("li", { class: `theme-term rank-${Math.min(i, 3)}` },
      h("span", { class: "theme-word" }, term.term), h("span", { class: "theme-count" }, ` ${term.tables}`)))
    : [h("li", { class: "themes-waiting" }, t("themes_waiting"))]));
  fitChildren(list);
}

async function loadThemes() {
  themesDue = null;
  try { themes = (await api("GET", `/events/${code}/themes`, token)).topics; } catch { return; }
  themesFetch += 1;
  renderTicker();
  if (view.status === "harvest") renderHarvest();
}

function themesSoon() {
  // Themes are recomputed on the server at most every 5 s, not once per note (20 notes/s stay smooth).
  if (!themesDue) themesDue = setTimeout(loadThemes, 5000);
}

setInterval(() => { tickerTopic += 1; renderTicker(); }, ROTATE_MS);

function noteArrived(note) {
  themesSoon();
  tickerNotes = [note, ...tickerNotes.filter((n) => n.id !== note.id)].slice(0, 50);
  renderTicker();
}

function noteGone(id) {
  tickerNotes = tickerNotes.filter((n) => n.id !== id);
  renderTicker();
}

// ---- a message to the room: a banner above the content, the timer stays in view ----

let messageTimer;
let messageId = null;
function hideMessage() {
  clearTimeout(messageTimer);
  document.getElementById("screen-message").hidden = true;
  messageId = null;
}
// Shown until it expires by the server's clock (a message from a server without expiry: MESSAGE_MS), is withdrawn,
// or a newer one replaces it; the next round's start withdraws it on the server.
function showMessage(message) {
  const now = live.serverNow();
  const ends = message.expires_at ? Date.parse(message.expires_at) : now + MESSAGE_MS;
  if (!(ends > now)) return;
  const box = document.getElementById("screen-message");
  document.getElementById("screen-message-text").textContent = message.text;
  box.dataset.long = String(message.text.length > 120);
  box.hidden = false;
  messageId = message.id ?? null;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(hideMessage, Math.min(ends - now, 2 ** 31 - 1));
}

// ---- the harvest ----

let ballot = { items: [] };
const BARS = 8;

function renderBars() {
  const top = ballot.items.filter((item) => item.votes > 0).sort((a, b) => b.votes - a.votes).slice(0, BARS);
  const most = Math.max(1, ...top.map((item) => item.votes));
  const bars = document.getElementById("bars");
  if (!top.length) {
    bars.replaceChildren(h("li", { class: "bars-hint" }, t("vote_on_phone")));
    return;
  }
  bars.replaceChildren(...top.map((item) => {
    const bar = h("span", { class: `bar-fill c-${item.colour}` });
    bar.style.width = `${(item.votes / most) * 100}%`;  // CSSOM, not an inline style attribute (CSP)
    return h("li", { class: "bar", dataset: { id: item.id } }, h("span", { class: "bar-text" }, item.text), bar,
      h("span", { class: "bar-count" }, item.votes));
  }));
  fitChildren(bars);
}

function renderHarvest() {
  renderBars();
  const starred = ballot.items.filter((item) => item.starred);
  const topics = document.getElementById("harvest-topics");
  topics.replaceChildren(...view.topics.map((topic) => h("li", {},
    h("p", { class: "topic-title" }, h("span", { class: `swatch c-${topic.colour}` }), topic.title),
    h("p", { class: "harvest-themes" }, (themes[topic.title] || []).slice(0, 5).map((term) => term.term).join(" · ")),
    h("ul", { class: "harvest-insights" }, starred.filter((item) => item.topic === topic.title).slice(0, 4)
      .map((item) => h("li", {}, `★ ${item.text}`))))));
  fitChildren(topics);
}

async function loadBallot() {
  try { ballot = await api("GET", `/events/${code}/votes`, token); } catch { ballot = { items: [] }; }
  if (view.status === "harvest") renderHarvest();
}

async function loadSeating() {
  try { seating = await api("GET", `/events/${code}/seating`, token); } catch { seating = { round: null, people: [] }; }
  render();
}

const live = connectLive(token, {
  snapshot: (data) => {
    view = data.event;
    tickerNotes = [...(data.notes || [])].reverse();
    renderTicker();
    loadThemes();
    loadSeating();
    if (view.status === "harvest") loadBallot();
    const onShow = data.broadcasts || [];
    if (onShow.length) showMessage(onShow.at(-1)); else hideMessage();
  },
  note_added: (p) => noteArrived(p.note),
  note_updated: (p) => (p.note.deleted || p.note.hidden ? noteGone(p.note.id) : noteArrived(p.note)),
  note_deleted: (p) => noteGone(p.note.id),
  attendance_changed: (p) => { view.counts.joined = p.joined; render(); if (view.status !== "running") loadSeating(); },
  joining_changed: (p) => { view.joining_open = p.joining_open; render(); },
  presence_changed: (p) => { document.getElementById("connected-count").textContent = p.connected.participants; },
  round_started: (p) => applyRound(p),
  round_paused: (p) => applyRound(p),
  round_resumed: (p) => applyRound(p),
  round_extended: (p) => applyRound(p),
  round_reopened: (p) => applyRound(p),
  round_ended: (p) => { applyRound(p); loadSeating(); },
  round_cancelled: (p) => { applyRound(p); loadSeating(); },
  harvest_started: (p) => { view.status = p.status; render(); loadBallot(); },
  ballot_changed: () => loadBallot(),
  votes_changed: (p) => {
    const item = ballot.items.find((i) => i.id === p.note_id);
    if (item) { item.votes = p.votes; renderBars(); } else loadBallot();
  },
  event_closed: (p) => { view.status = p.status; render(); },
  message_broadcast: (p) => showMessage(p),
  broadcast_withdrawn: (p) => { if (p.id === messageId) hideMessage(); },
  // The setup changed (topic texts, tables, rounds): a fresh snapshot redraws everything without a reload.
  event_updated: () => live.sync({}),
  unauthorized: () => window.location.reload(),
});
const clock = countdown(document.getElementById("big-timer"), live, {
  onTimeUp: chime, signal: document.getElementById("timer-signal"),
});

function applyRound(push) {
  view.status = push.status;
  const i = view.rounds.findIndex((r) => r.number === push.round.number);
  if (i >= 0) view.rounds[i] = push.round;
  if (push.status === "running" || push.status === "paused") view.current_round = push.round.number;
  if (push.status === "ready") view.current_round = push.round.number - 1 || null;
  render();
}

// A banner coming or going, another window size: the boxes change size, so what fits in them is worked out again.
let resizeDue = null;
const refit = new ResizeObserver(() => {
  cancelAnimationFrame(resizeDue);
  resizeDue = requestAnimationFrame(render);
});
for (const section of document.querySelectorAll(".screen-main")) refit.observe(section);

render();
