// Table host: the topic's live pad. Notes are written to an outbox first (kept in localStorage), so nothing is
// lost while the Wi-Fi is down; the outbox is sent in order once connected, and the note id makes resending
// harmless. Every device of the topic sees every note at once; a stale edit shows both versions to choose from.
import { followBroadcasts } from "./broadcasts.js";
import { h, t, toast, uuid4 } from "./common.js";
import { connectLive } from "./live.js";
import { countdown } from "./timer.js";

const root = document.getElementById("host");
// A page opened from the service worker's copy has no token inside (the copy keeps no secret): take it from the address.
const token = root.dataset.token || decodeURIComponent(window.location.pathname.split("/")[2] || "");
const myTable = Number(root.dataset.table);
const outboxKey = `wc:outbox:${token.slice(0, 16)}`;

const notes = new Map();        // id -> note as the server last confirmed it
const conflicts = new Map();    // id -> {mine, current}
const failed = new Map();       // local id -> {data, message} (refused adds: kept so no text is lost)
let outbox = JSON.parse(localStorage.getItem(outboxKey) || "[]");
let event = null;
// null until the first snapshot: a pad reloaded offline cannot know, so it lets the host write into the outbox.
let padOpen = null;
let tab = "now";
let editing = null;
let unseenNow = 0;  // notes added while another tab was shown: a badge on "This round" until it is opened
let draft = null;  // the text being edited, kept across re-renders
let focusEdit = false;  // Edit was just pressed: the next render puts the keyboard in its text
let flushing = false;
// While the database is unreachable the server answers `unavailable`: the outbox waits 2 s, 4 s, 8 s, then every
// 10 s, and says why it waits; the note ids make each resend harmless.
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 10000;
let retryMs = 0;
let retryTimer = null;
let waitingFor = null;  // the server's (translated) reason while the outbox waits for it

function save() { localStorage.setItem(outboxKey, JSON.stringify(outbox)); }

function enqueue(op, data) {
  outbox.push({ op, data });
  save();
  render();
  flush();
}

function upsert(note) {
  if (note.deleted) notes.delete(note.id);
  else notes.set(note.id, note);
}

// ---- sending -----------------------------------------------------------------------------------------
async function flush() {
  if (flushing || !live.socket.connected) return;
  flushing = true;
  try {
    while (outbox.length && live.socket.connected) {
      const item = outbox[0];
      const ack = await live.request(item.op, item.data);
      if (!ack.ok && ["timeout", "unauthorized"].includes(ack.error?.code)) break;  // not sent: keep it queued
      if (!ack.ok && ack.error?.code === "rate_limited") {  // the link's budget: resend when the server says
        setTimeout(flush, 1000 * Math.max(1, ack.retry_after || 2));
        break;
      }
      if (!ack.ok && ack.error?.code === "unavailable") { retryLater(ack.error.message); break; }
      retryMs = 0;
      waitingFor = null;
      outbox.shift();
      save();
      settle(item, ack);
    }
  } finally {
    flushing = false;
    render();
  }
}

function retryLater(reason) {
  retryMs = Math.min(retryMs ? retryMs * 2 : RETRY_MIN_MS, RETRY_MAX_MS);
  waitingFor = reason;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { retryTimer = null; flush(); }, retryMs);
}

function settle(item, ack) {
  if (ack.ok) {
    upsert(ack.note);
    conflicts.delete(ack.note.id);
    return;
  }
  if (ack.error.code === "conflict" && ack.current) {
    upsert(ack.current);
    conflicts.set(ack.current.id, { mine: item.data, current: ack.current });  // shown on the note itself
    return;
  }
  if (ack.error.code === "pad_locked") padOpen = false;  // the grace period ended unannounced: say so at once
  if (item.op === "add_note") failed.set(item.data.id, { data: item.data, message: ack.error.message });
  toast(ack.error.message, "error");
}

// ---- writing -----------------------------------------------------------------------------------------
const form = document.getElementById("capture");
const field = document.getElementById("note-text");
field.dataset.placeholder = field.placeholder;

function tagsOf(text) {
  return [...new Set([...text.matchAll(/#([\p{L}\p{N}_-]{1,40})/gu)].map((m) => m[1].toLowerCase()))].slice(0, 10);
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = field.value.trim();
  if (!text) return;
  enqueue("add_note", { id: uuid4(), text, kind: form.kind.value, tags: tagsOf(text) });
  field.value = "";
  field.focus();
  if (tab !== "now") {
    // The new note lands in "This round", which is not in view: say where it went, with a way there.
    unseenNow += 1;
    render();
    toast(t("note_added_to_now"), "ok", { label: t("show"), onClick: () => showTab("now") });
  }
});
field.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});

function edit(note, changes) {
  enqueue("edit_note", { id: note.id, base_version: note.version, ...changes });
}

/** The fields an edit changes (without its id and base version). */
function changesOf(data) {
  const { id: _id, base_version: _base, ...changes } = data;
  return changes;
}

function remove(note) {
  enqueue("delete_note", { id: note.id, base_version: note.version });
  toast(t("note_deleted"), "ok", { label: t("undo"), onClick: () => {
    const gone = { ...note, version: note.version + 1 };
    enqueue("restore_note", { id: note.id, base_version: gone.version });
  } });
}

// ---- showing -----------------------------------------------------------------------------------------
function pendingAdds() {
  return outbox.filter((item) => item.op === "add_note" && !notes.has(item.data.id)).map((item) => ({
    ...item.data, table: myTable, round: event?.current_round ?? null, version: 0, starred: false, queued: true,
  }));
}

function noteItem(note, { big = false } = {}) {
  const queued = note.queued || outbox.some((item) => item.data.id === note.id);
  const conflict = conflicts.get(note.id);
  const li = h("li", { class: `note k-${note.kind}${note.starred ? " starred" : ""}${queued ? " queued" : ""}${big ? " big" : ""}`,
    dataset: { id: note.id } });
  if (editing === note.id) {
    // What is typed survives a re-render by a push from another tablet; Escape cancels, as Cancel does.
    const area = h("textarea", { class: "edit-text", maxlength: 2000, rows: 3, "aria-label": t("note_text"),
      dataset: { action: "edit-text" }, oninput: () => { draft = area.value; } }, draft ?? note.text);
    const group = `kind-${note.id}`;
    const kinds = h("div", { class: "kinds edit-kinds", role: "radiogroup", "aria-label": t("kind") },
      KINDS.map((kind) => h("label", { class: `kind-chip k-${kind}` },
        h("input", { type: "radio", name: group, value: kind, checked: kind === note.kind }),
        h("span", {}, t(`kind_${kind}`)))));
    const cancel = () => { editing = null; draft = null; render(); };
    area.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); cancel(); } });
    const save = () => {
      editing = null;
      draft = null;
      const kind = kinds.querySelector("input:checked")?.value ?? note.kind;
      const changes = { text: area.value.trim(), tags: tagsOf(area.value) };
      if (kind !== note.kind) changes.kind = kind;
      edit(note, changes);
    };
    li.append(kinds, area, h("div", { class: "note-actions" },
      h("button", { type: "button", class: "primary", dataset: { action: "save" }, onclick: save }, t("save")),
      h("button", { type: "button", dataset: { action: "cancel" }, onclick: cancel }, t("cancel"))));
    return li;
  }
  li.append(...[
    h("span", { class: "note-kind" }, t(`kind_${note.kind}`)),
    h("p", { class: "note-text" }, note.text),
    note.tags?.length ? h("p", { class: "note-tags" }, note.tags.map((tag) => h("span", { class: "tag" }, `#${tag}`))) : null,
    h("p", { class: "note-meta" },
      `${t("table")} ${note.table ?? "–"}`, note.round ? ` · ${t("round_n", { n: note.round })}` : "",
      note.by_participant ? ` · ${t("from_phone")}` : "", queued ? ` · ${t("queued")}` : ""),
  ].filter(Boolean));
  if (!big && !note.queued) {
    const locked = writingLocked();  // the server would refuse: say so before the tap, not after
    li.append(h("div", { class: "note-actions" },
      h("button", { type: "button", class: `star${note.starred ? " on" : ""}`, "aria-pressed": String(note.starred),
        disabled: locked, dataset: { action: "star" }, onclick: () => edit(note, { starred: !note.starred }) },
        note.starred ? `★ ${t("starred")}` : `☆ ${t("star")}`),
      h("button", { type: "button", disabled: locked, dataset: { action: "edit" }, onclick: () => { editing = note.id; draft = null; focusEdit = true; render(); } }, t("edit")),
      h("button", { type: "button", class: "danger-button", disabled: locked, dataset: { action: "delete" }, onclick: () => remove(note) }, t("delete"))));
  }
  if (conflict) {
    const merged = `${conflict.current.text}\n${conflict.mine.text ?? ""}`.trim();
    li.append(h("div", { class: "conflict", role: "alert" },
      h("p", { class: "conflict-title" }, t("conflict_title")),
      h("p", {}, h("strong", {}, `${t("theirs")}: `), conflict.current.text),
      h("p", {}, h("strong", {}, `${t("mine")}: `), conflict.mine.text ?? t("mine_other")),
      h("div", { class: "note-actions" },
        h("button", { type: "button", onclick: () => { conflicts.delete(note.id); render(); } }, t("keep_theirs")),
        h("button", { type: "button", onclick: () => { conflicts.delete(note.id); edit(note, changesOf(conflict.mine)); } }, t("use_mine")),
        h("button", { type: "button", onclick: () => { conflicts.delete(note.id); editing = note.id; draft = null; focusEdit = true; notes.set(note.id, { ...note, text: merged }); render(); } }, t("merge")))));
  }
  return li;
}

function failedItems() {
  return [...failed.entries()].map(([id, { data, message }]) => h("li", { class: "note failed" },
    h("p", { class: "note-text" }, data.text), h("p", { class: "note-error" }, message),
    h("div", { class: "note-actions" },
      h("button", { type: "button", onclick: () => { failed.delete(id); enqueue("add_note", data); } }, t("retry")),
      h("button", { type: "button", onclick: () => { failed.delete(id); render(); } }, t("discard")))));
}

const KINDS = ["idea", "question", "insight", "quote"];

/** What the host may do now: before round 1 (prepare), writing, a round just over (finish notes), locked. */
function padState() {
  if (padOpen === null || !event) return "unknown";
  if (event.status === "closed") return "closed";
  const started = event.rounds.some((r) => r.status !== "planned");
  if (!started) return padOpen ? "open" : "before";
  if (!padOpen) return "locked";
  return event.status === "running" || event.status === "paused" ? "open" : "grace";
}

function writingLocked() {
  return ["before", "locked", "closed"].includes(padState());
}

function renderPadState() {
  const state = padState();
  const banner = document.getElementById("pad-state");
  const text = { before: t("pad_before"), grace: t("pad_grace"), locked: t("pad_locked"), closed: t("pad_closed") }[state];
  banner.hidden = !text;
  banner.textContent = text || "";
  banner.dataset.state = state;
  const disabled = writingLocked();
  const fields = document.getElementById("capture-fields");
  if (fields.disabled !== disabled) {
    fields.disabled = disabled;
    field.placeholder = disabled ? t(state === "before" ? "pad_before_short" : "pad_locked_short") : field.dataset.placeholder;
    if (!disabled) field.focus();
  }
  form.dataset.state = state;
}

/** Where the keyboard is within a note (its id, which control), so a re-render can put it back there. */
function focusedNote() {
  const active = document.activeElement;
  const item = active?.closest?.(".notes li[data-id]");
  return item ? { id: item.dataset.id, action: active.dataset.action, list: item.parentElement.id } : null;
}

/** Put the keyboard back after a re-render: on the same control, on the note's Edit after Save or Cancel, on the
 * text field when the note is gone. Keyboard and screen-reader users would otherwise land at the top of the page. */
function restoreFocus(was) {
  if (!was || (document.activeElement && document.activeElement !== document.body)) return;
  const item = document.querySelector(`#${was.list} li[data-id="${CSS.escape(was.id)}"]`);
  const target = item?.querySelector(`[data-action="${was.action}"]`) ?? item?.querySelector('[data-action="edit"]');
  (target ?? field).focus();
}

function render() {
  const was = focusedNote();
  const current = event?.current_round ?? null;
  const all = [...notes.values()];
  const mine = [...pendingAdds(), ...all.filter((n) => n.table === myTable && n.round === current)]
    .sort((a, b) => (b.created_at || "9").localeCompare(a.created_at || "9"));
  const earlier = all.filter((n) => !(n.table === myTable && n.round === current))
    .sort((a, b) => Number(b.starred) - Number(a.starred) || (b.round ?? 0) - (a.round ?? 0) || a.table - b.table);
  document.getElementById("notes-now").replaceChildren(...failedItems(), ...mine.map((n) => noteItem(n)),
    mine.length ? [] : h("li", { class: "empty" }, t(padState() === "before" ? "pad_before_short" : "no_notes_yet")));
  document.getElementById("notes-earlier").replaceChildren(...earlier.map((n) => noteItem(n)),
    earlier.length ? [] : h("li", { class: "empty" }, t("no_earlier_notes")));
  const recapNotes = earlier.filter((n) => n.round !== current).sort((a, b) => Number(b.starred) - Number(a.starred)
    || Number(b.kind === "insight") - Number(a.kind === "insight")).slice(0, 12);
  document.getElementById("recap").replaceChildren(h("h2", {}, t("recap_title")),
    recapNotes.length ? h("ol", { class: "notes" }, recapNotes.map((n) => noteItem(n, { big: true })))
      : h("p", { class: "empty" }, t("no_earlier_notes")));
  for (const [name, id] of [["now", "notes-now"], ["earlier", "notes-earlier"], ["recap", "recap"]]) {
    document.getElementById(id).hidden = tab !== name;
  }
  const state = document.getElementById("outbox-state");
  state.hidden = outbox.length === 0;
  state.textContent = t("outbox", { n: outbox.length }) + (waitingFor ? ` — ${waitingFor}` : "");
  state.dataset.waiting = String(Boolean(waitingFor && outbox.length));
  const badge = document.getElementById("now-badge");
  badge.hidden = unseenNow === 0;
  badge.textContent = unseenNow ? ` +${unseenNow}` : "";
  renderPadState();
  renderClock();
  const area = focusEdit && document.querySelector(`.notes li[data-id="${CSS.escape(editing)}"] .edit-text`);
  focusEdit = false;
  if (area) area.focus();  // Edit was pressed: the text is ready to change
  else restoreFocus(was);
}

function showTab(name) {
  tab = name;
  if (name === "now") unseenNow = 0;
  document.querySelectorAll(".pad-tabs [data-tab]").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
  render();
}

document.querySelector(".pad-tabs").addEventListener("click", (e) => {
  const button = e.target.closest("[data-tab]");
  if (button) showTab(button.dataset.tab);
});

// The tabs also follow the arrow keys, Home and End, as tabs do elsewhere (WAI-ARIA tabs pattern).
document.querySelector(".pad-tabs [role=tablist]").addEventListener("keydown", (e) => {
  const tabs = [...document.querySelectorAll(".pad-tabs [role=tab]")];
  const i = tabs.indexOf(document.activeElement);
  const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
  if (i < 0 || next === undefined) return;
  e.preventDefault();
  const tab = tabs[(next + tabs.length) % tabs.length];
  tab.focus();
  tab.click();
});

document.getElementById("photo-input").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const body = new FormData();
  body.append("photo", file);
  const response = await fetch(`/api/v1/events/${root.dataset.event}/photos`, {
    method: "POST", headers: { Authorization: `Bearer ${token}` }, body,
  }).catch(() => null);
  const data = response ? await response.json().catch(() => null) : null;
  toast(response?.ok ? t("photo_saved") : (data?.error?.message || t("offline")), response?.ok ? "ok" : "error");
  e.target.value = "";
});

// ---- live --------------------------------------------------------------------------------------------
let myTopicId;

/** The setup changed: show the new topic text and rounds in place (a reload would lose what is being typed). */
function applySetup(p) {
  const topicId = p.tables[String(myTable)];
  // Moved to another topic (possible only before the table was played): reload to join that topic's pad.
  if (topicId === undefined || (myTopicId !== undefined && topicId !== myTopicId)) { window.location.reload(); return; }
  const topic = p.topics.find((tp) => tp.id === topicId);
  renderTable({ number: myTable, topic_id: topicId, topic: topic?.title ?? null, question: topic?.question ?? null,
    colour: topic?.colour ?? p.no_topic_colour });
  if (event) {
    event.name = p.name;
    event.rounds = p.rounds.map((r) => ({ status: "planned", ...event.rounds.find((old) => old.number === r.number), ...r }));
  }
  render();
}

function renderTable(table) {
  myTopicId = table.topic_id ?? null;
  document.getElementById("table-number").textContent = table.number;
  document.getElementById("topic-title").textContent = table.topic || "";
  document.getElementById("topic-question").textContent = table.question || "";
  root.querySelector(".host-head").className = `host-head c-${table.colour}`;
}

function renderClock() {
  if (!event) return;
  const going = event.status === "running" || event.status === "paused";
  const before = !event.rounds.some((r) => r.status !== "planned");
  document.getElementById("round-label").textContent = going
    ? t("round_of", { n: event.current_round, total: event.rounds.length })
    : before ? t("not_started") : t(`status_${event.status}`);
  document.getElementById("host-timer").hidden = !going;
  clock?.set(going ? event.rounds.find((r) => r.number === event.current_round) : null);
}

function applyRound(push) {
  event.status = push.status;
  const i = event.rounds.findIndex((r) => r.number === push.round.number);
  if (i >= 0) event.rounds[i] = push.round;
  if (push.status === "running" || push.status === "paused") event.current_round = push.round.number;
  // A running round opens the pad, an ended one keeps it open for the grace period; a cancelled first round
  // leaves it as before the start. The server is the judge on each write.
  padOpen = push.status !== "ready" && push.status !== "setup";
  render();
}

const board = followBroadcasts(() => live.serverNow());
const live = connectLive(token, {
  snapshot: (data) => {
    board.snapshot(data.broadcasts);
    event = data.event;
    padOpen = data.pad_open;
    if (data.table) renderTable(data.table);
    notes.clear();
    for (const note of data.notes || []) upsert(note);
    render();
    flush();
  },
  note_added: (p) => { upsert(p.note); render(); },
  note_updated: (p) => { upsert(p.note); render(); },
  note_deleted: (p) => { notes.delete(p.note.id); render(); },
  pads_changed: (p) => { padOpen = p.open; render(); },
  round_started: (p) => { board.clear(); applyRound(p); }, round_paused: applyRound, round_resumed: applyRound, round_extended: applyRound,
  round_ended: applyRound, round_reopened: applyRound, round_cancelled: applyRound,
  harvest_started: (p) => { event.status = p.status; render(); },
  event_closed: (p) => { event.status = p.status; padOpen = false; render(); },
  message_broadcast: board.message_broadcast,
  broadcast_withdrawn: board.broadcast_withdrawn,
  event_updated: applySetup,
  unauthorized: () => window.location.reload(),
});
const clock = countdown(document.getElementById("host-timer"), live);
live.socket.on("connect", () => flush());
render();
field.focus();

// Reloading the pad without Wi-Fi opens this page from a service worker's copy (browsers allow service workers on
// HTTPS and on localhost only). The page loaded before the worker existed asks it to keep a copy now.
if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/h/sw.js", { scope: "/h/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      if (!navigator.serviceWorker.controller) registration.active?.postMessage({ keep: window.location.pathname });
    })
    .catch(() => {});
}
