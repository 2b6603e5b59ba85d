// Projector: welcome + join QR, a huge countdown while a round runs, "find your table" between rounds,
// broadcast overlays and a (mutable) sound at time-up. Readable from 10 m.
import { api, h, pageData, showOverlay, t } from "./common.js";
import { connectLive } from "./live.js";
import { countdown } from "./timer.js";

const root = document.getElementById("screen");
const { token, event: code } = root.dataset;
let view = pageData("state");
let seating = { round: null, people: [] };
const TICKER_SIZE = 4;
const ROTATE_MS = 8000;
let tickerNotes = [];  // newest first; only the ticker re-renders when a note arrives
let tickerTopic = 0;   // the ticker rotates through the topics
let themes = {};       // topic title -> ranked terms
let themesDue = null;
const FIND_LIST_MAX = 120;  // beyond this a list of names is unreadable from the back of the room

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

function topicItems(compact) {
  return view.topics.map((topic) => h("li", { class: "screen-topic" },
    h("span", { class: `swatch big c-${topic.colour}` }),
    h("div", {}, h("p", { class: "topic-title" }, topic.title),
      h("p", { class: "topic-tables" }, `${t(topic.tables.length === 1 ? "table" : "tables")} ${topic.tables.join(", ")}`),
      compact ? null : null)));
}

function show(id) {
  for (const section of ["main-welcome", "main-round", "main-find", "main-harvest", "main-end"]) {
    document.getElementById(section).hidden = section !== id;
  }
  root.dataset.mode = id.replace("main-", "");
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
    document.getElementById("topics-round").replaceChildren(...topicItems(true));
    clock.set(currentRound());
  } else if ((view.status === "ready" || view.status === "moving") && seating.round) {
    label.textContent = t("round_of", { n: seating.round, total });
    show("main-find");
    renderFind();
  } else if (view.status === "harvest") {
    label.textContent = t("status_harvest");
    show("main-harvest");
    renderHarvest();
  } else if (view.status === "closed") {
    label.textContent = t(view.status === "harvest" ? "status_harvest" : "status_closed");
    show("main-end");
    document.getElementById("end-text").textContent = t(view.status === "closed" ? "event_over" : "harvest_now");
  } else {
    label.textContent = "";
    show("main-welcome");
    document.getElementById("topics").replaceChildren(...topicItems(false));
  }
}

function renderFind() {
  document.getElementById("find-title").textContent = t("find_your_table");
  const list = document.getElementById("find-list");
  const many = seating.people.length > FIND_LIST_MAX;
  list.hidden = many;
  document.getElementById("find-phone").hidden = !many;
  // 2 columns up to 24 names, 4 up to 60, 6 up to 120: balanced columns that fit a 16:9 projector.
  list.dataset.size = seating.people.length > 60 ? "small" : seating.people.length > 24 ? "medium" : "large";
  list.replaceChildren(...(many ? [] : seating.people.map((p) => h("li", {},
    h("span", { class: `seat-chip c-${p.colour}` }, p.table), " ", p.name))));
}

function colourOfTopic(title) {
  return view.topics.find((topic) => topic.title === title)?.colour || "grey";
}

function currentTickerTopic() {
  const topics = view.topics.filter((topic) => tickerNotes.some((n) => n.topic === topic.title));
  return topics.length ? topics[tickerTopic % topics.length] : null;
}

function renderTicker() {
  const topic = currentTickerTopic();
  // Starred insights of the topic first, then its newest notes.
  const notes = tickerNotes.filter((n) => !topic || n.topic === topic.title);
  const shown = [...notes.filter((n) => n.starred).slice(0, 2), ...notes.filter((n) => !n.starred)].slice(0, TICKER_SIZE);
  renderThemes(topic);
  document.getElementById("ticker").replaceChildren(...shown.map((note) =>
    h("li", { class: `ticker-note c-${colourOfTopic(note.topic)}${note.starred ? " starred" : ""}` },
      h("span", { class: "ticker-where" }, `${t("table")} ${note.table ?? ""}`),
      h("span", { class: "ticker-text" }, note.text))));
}

let themesShown = null;  // which topic's themes (and which fetch) are on screen: redraw only when that changes
let themesFetch = 0;

function renderThemes(topic) {
  const key = `${topic?.title ?? ""}#${themesFetch}`;
  if (key === themesShown) return;
  themesShown = key;
  const title = document.getElementById("themes-title");
  const terms = topic ? themes[topic.title] || [] : [];
  title.textContent = topic && terms.length ? `${t("themes")} · ${topic.title}` : "";
  document.getElementById("themes").replaceChildren(...terms.slice(0, 6).map((term, i) =>
    h("li", { class: `theme-term rank-${Math.min(i, 3)}` }, term.term, h("span", { class: "theme-count" }, ` ${term.tables}`))));
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

let ballot = { items: [] };
const BARS = 8;

function renderBars() {
  const top = ballot.items.filter((item) => item.votes > 0).sort((a, b) => b.votes - a.votes).slice(0, BARS);
  const most = Math.max(1, ...top.map((item) => item.votes));
  if (!top.length) {
    document.getElementById("bars").replaceChildren(h("li", { class: "bars-hint" }, t("vote_on_phone")));
    return;
  }
  document.getElementById("bars").replaceChildren(...top.map((item) => {
    const bar = h("span", { class: `bar-fill c-${item.colour}` });
    bar.style.width = `${(item.votes / most) * 100}%`;  // CSSOM, not an inline style attribute (CSP)
    return h("li", { class: "bar", dataset: { id: item.id } }, h("span", { class: "bar-text" }, item.text), bar,
      h("span", { class: "bar-count" }, item.votes));
  }));
}

function renderHarvest() {
  renderBars();
  const starred = ballot.items.filter((item) => item.starred);
  document.getElementById("harvest-topics").replaceChildren(...view.topics.map((topic) => h("li", {},
    h("p", { class: "topic-title" }, h("span", { class: `swatch c-${topic.colour}` }), topic.title),
    h("p", { class: "harvest-themes" }, (themes[topic.title] || []).slice(0, 5).map((term) => term.term).join(" · ")),
    h("ul", { class: "harvest-insights" }, starred.filter((item) => item.topic === topic.title).slice(0, 4)
      .map((item) => h("li", {}, `★ ${item.text}`))))));
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
  // Nobody clicks a projector: messages fade after a minute.
  message_broadcast: (p) => showOverlay(p.text, 60000),
  // The setup changed (topic texts, tables, rounds): a fresh snapshot redraws everything without a reload.
  event_updated: () => live.sync({}),
  unauthorized: () => window.location.reload(),
});
const clock = countdown(document.getElementById("big-timer"), live, { onTimeUp: chime });

function applyRound(push) {
  view.status = push.status;
  const i = view.rounds.findIndex((r) => r.number === push.round.number);
  if (i >= 0) view.rounds[i] = push.round;
  if (push.status === "running" || push.status === "paused") view.current_round = push.round.number;
  if (push.status === "ready") view.current_round = push.round.number - 1 || null;
  render();
}

render();
