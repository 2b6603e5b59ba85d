// Moderator console: edit the setup, manage participants, open/close joining, watch people arrive live.
import { api, h, pageData, t, toast } from "./common.js";
import { connectLive } from "./live.js";
import { setupControl } from "./control.js";
import { setupNotes } from "./notes_panel.js";
import { setupPlan } from "./plan.js";
import { setupForm } from "./setup_form.js";
import { setupHelpDesk } from "./helpdesk.js";
import { setupHealth } from "./health.js";
import { setupWaiting } from "./waiting.js";
import { setupHarvest } from "./harvest.js";

const root = document.getElementById("console");
const { token, event: code } = root.dataset;
let view = pageData("state");

// ---- setup editor -------------------------------------------------------------------------------------
const setup = setupForm({
  token, code,
  getView: () => view,
  setView: (next) => { view = next; },
  onSaved: () => { renderHeader(); renderPeople(); },
});

function showMessage(id, text) {
  const el = document.getElementById(id);
  el.textContent = text || "";
  el.hidden = !text;
}

// ---- participants ------------------------------------------------------------------------------------
// At 400 people the list is searched and filtered, and shown a page at a time (never a page 29,000 px tall).
const peopleBody = document.querySelector("#people tbody");
const PAGE_SIZE = 30;
const filters = {
  search: document.getElementById("people-search"),
  group: document.getElementById("people-group"),
  status: document.getElementById("people-status"),
  table: document.getElementById("people-table"),
};
let peoplePage = 0;
let seatOf = new Map(); // person id → table number in the round running or next (from the plan)
let seatRound = null;

let editingPerson = null;

function splitNeeds(text) {
  return text.split(",").map((n) => n.trim()).filter(Boolean);
}

function editRow(p) {
  const name = h("input", { name: "name", value: p.name, maxlength: 200, "aria-label": t("name") });
  const group = h("input", { name: "group", value: p.group || "", list: "group-list", maxlength: 100, "aria-label": t("group") });
  const needs = h("input", { name: "needs", value: (p.needs || []).join(", "), placeholder: t("needs_example"), "aria-label": t("access_needs") });
  const save = async () => {
    try {
      await api("PATCH", `/events/${code}/participants/${p.id}`, token, {
        name: name.value, group: group.value || null, needs: splitNeeds(needs.value) });
      editingPerson = null;
      toast(t("person_saved", { name: name.value }));
      await reload();
    } catch (err) { toast(err.message, "error"); }
  };
  return h("tr", { class: "editing", dataset: { id: p.id } },
    h("td", {}, name), h("td", {}, group), h("td", { colspan: 2 }, h("label", { class: "inline-label" }, t("access_needs"), needs)),
    h("td", { class: "person-actions" }, h("button", { type: "button", class: "primary", onclick: save }, t("save")),
      h("button", { type: "button", class: "link-button", onclick: () => { editingPerson = null; renderPeople(); } }, t("cancel"))));
}

function fillSelect(select, values, label = (v) => v) {
  const current = select.value;
  select.replaceChildren(h("option", { value: "" }, t("all")),
    ...values.map((v) => h("option", { value: String(v), selected: String(v) === current }, label(v))));
}

function filteredPeople() {
  const needle = filters.search.value.trim().toLocaleLowerCase();
  const { value: group } = filters.group;
  const { value: status } = filters.status;
  const { value: table } = filters.table;
  return view.participants.filter((p) => (!needle || p.name.toLocaleLowerCase().includes(needle)
      || (p.email || "").toLocaleLowerCase().includes(needle))
    && (!group || (group === "-" ? !p.group : p.group === group))
    && (!status || p.status === status)
    && (!table || String(seatOf.get(p.id) ?? "-") === table));
}

function personRow(p) {
  const seat = seatOf.get(p.id);
  return h("tr", { dataset: { id: p.id } },
    h("td", { class: "pname" }, h("a", { href: `/p/${p.token}`, target: "_blank", rel: "noopener" }, p.name),
      (p.needs || []).map((n) => h("span", { class: "pill need", title: t("access_needs") }, n))),
    h("td", { class: "group-cell" }, p.group || ""),
    h("td", { class: "table-cell" }, seat ? h("span", { class: `seat-chip c-${(view.tables.find((tb) => tb.number === seat) || {}).colour || "grey"}` }, seat) : "—"),
    h("td", { class: "muted source-cell" }, t(`source_${p.source}`)),
    h("td", { class: "person-actions" },
      h("button", { type: "button", class: "link-button", onclick: () => { editingPerson = p.id; renderPeople(); } }, t("edit")),
      started()
      ? h("select", { class: "status-select", "aria-label": t("presence"), onchange: (e) => setStatus(p, e.target.value) },
        ["active", "left", "no_show"].map((s) => h("option", { value: s, selected: p.status === s }, t(`presence_${s}`))))
      : h("button", { type: "button", class: "link-button danger", onclick: () => removePerson(p) }, t("remove"))));
}

function renderPeople() {
  const active = view.participants.filter((p) => p.status === "active");
  document.getElementById("people-count").textContent = `(${active.length})`;
  fillSelect(filters.group, [...(view.groups || []), ...(view.participants.some((p) => !p.group) ? ["-"] : [])],
    (g) => (g === "-" ? t("no_group") : g));
  fillSelect(filters.table, [...view.tables.map((tb) => tb.number), ...(seatOf.size ? ["-"] : [])],
    (n) => (n === "-" ? t("no_table") : `${t("table")} ${n}`));
  document.getElementById("people-table-h").textContent = seatRound ? t("table_in_round", { n: seatRound }) : t("table");
  const shown = filteredPeople();
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  peoplePage = Math.min(peoplePage, pages - 1);
  const from = peoplePage * PAGE_SIZE;
  const slice = shown.slice(from, from + PAGE_SIZE);
  peopleBody.replaceChildren(...slice.map((p) => (p.id === editingPerson ? editRow(p) : personRow(p))),
    slice.length ? [] : h("tr", { class: "empty" }, h("td", { colspan: 5 }, view.participants.length ? t("no_match") : t("no_people_yet"))));
  document.getElementById("people-range").textContent = shown.length
    ? t("showing_range", { from: from + 1, to: from + slice.length, n: shown.length }) : "";
  document.getElementById("people-prev").disabled = peoplePage === 0;
  document.getElementById("people-next").disabled = peoplePage >= pages - 1;
  document.getElementById("people-prev").hidden = shown.length <= PAGE_SIZE;
  document.getElementById("people-next").hidden = shown.length <= PAGE_SIZE;
  document.getElementById("people-filters").hidden = view.participants.length === 0;
  document.getElementById("group-list").replaceChildren(...(view.groups || []).map((g) => h("option", { value: g })));
}

Object.values(filters).forEach((el) => el.addEventListener("input", () => { peoplePage = 0; renderPeople(); }));
document.getElementById("people-prev").addEventListener("click", () => { peoplePage -= 1; renderPeople(); });
document.getElementById("people-next").addEventListener("click", () => { peoplePage += 1; renderPeople(); });

/** Who sits where in the round running (or the next one), from the published plan. */
function takeSeats(plan) {
  seatOf = new Map();
  seatRound = null;
  if (plan?.planned) {
    const going = view.status === "running" || view.status === "paused";
    const number = going ? view.current_round : Math.min((view.current_round || 0) + 1, plan.rounds.length);
    seatRound = number;
    for (const p of plan.people) if (p.tables[number - 1]) seatOf.set(p.id, p.tables[number - 1]);
  }
  renderPeople();
}

function started() {
  return view.rounds.some((r) => r.status !== "planned");
}

async function setStatus(person, status) {
  try {
    view = await api("POST", `/events/${code}/participants/${person.id}/status`, token, { status });
    renderHeader();
    renderPeople();
    toast(t(`presence_done_${status}`, { name: person.name }));
  } catch (err) { toast(err.message, "error"); renderPeople(); }
}

async function removePerson(person) {
  if (!confirm(t("confirm_remove_person", { name: person.name }))) return;
  try {
    await api("DELETE", `/events/${code}/participants/${person.id}`, token);
    await reload();
  } catch (err) { toast(err.message, "error"); }
}

const addForm = document.getElementById("add-person");
addForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  showMessage("person-error", "");
  const person = { name: addForm.name.value, group: addForm.group.value || null, email: addForm.email.value || null,
    needs: splitNeeds(addForm.needs.value) };
  try {
    await api("POST", `/events/${code}/participants`, token, [person]);
    addForm.reset();
    addForm.name.focus();
    toast(t("added", { name: person.name }));
    await reload();
  } catch (err) { showMessage("person-error", err.message); }
});

const importForm = document.getElementById("import-form");
const importGo = document.getElementById("import-go");

function importBody() {
  const data = new FormData();
  const file = importForm.file.files[0];
  if (file) data.append("file", file);
  else data.append("csv", importForm.csv.value);
  return data;
}

function showReport(rows) {
  const table = document.getElementById("import-report");
  table.querySelector("tbody").replaceChildren(...rows.map((row) => h("tr", { class: row.error ? "bad" : "good" },
    h("td", {}, row.line), h("td", {}, row.name), h("td", {}, row.group || ""), h("td", {}, row.email || ""),
    h("td", {}, row.error || "✓"))));
  table.hidden = rows.length === 0;
  const bad = rows.filter((r) => r.error).length;
  document.getElementById("import-summary").textContent = bad
    ? t("lines_bad", { bad, total: rows.length }) : t("lines_ok", { n: rows.length });
  importGo.disabled = bad > 0;
}

document.getElementById("import-check").addEventListener("click", async () => {
  try {
    const result = await api("POST", `/events/${code}/participants/import?dry_run=1`, token, importBody());
    showReport(result.rows);
  } catch (err) {
    importGo.disabled = true;
    document.getElementById("import-summary").textContent = err.message;
  }
});
importForm.addEventListener("input", () => { importGo.disabled = true; });
importForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const result = await api("POST", `/events/${code}/participants/import`, token, importBody());
    toast(t("imported", { n: result.imported }));
    importForm.reset();
    document.getElementById("import-report").hidden = true;
    document.getElementById("import-summary").textContent = t("imported", { n: result.imported });
    importGo.disabled = true;
    await reload();
  } catch (err) {
    if (err.details) showReport(err.details);
    else document.getElementById("import-summary").textContent = err.message;
  }
});

// ---- joining and header -------------------------------------------------------------------------------
const toggle = document.getElementById("toggle-joining");
toggle.addEventListener("click", async () => {
  try {
    view = await api("PATCH", `/events/${code}`, token, { joining_open: !view.joining_open });
    renderHeader();
    toast(view.joining_open ? t("joining_open") : t("joining_closed"));
  } catch (err) { toast(err.message, "error"); }
});

/** Sections in the order the phase needs: setting up → Setup and people first, Notes and Summary folded until
 * there is something; during the rounds → tables and notes; in the harvest → summary and notes. */
let notesRef = null; // the notes panel, once made below

function phase() {
  if (["harvest", "closed"].includes(view.status)) return "harvest";
  return view.rounds.some((r) => r.status !== "planned") ? "live" : "setup";
}

function renderPhase() {
  root.dataset.phase = phase();
  const hasNotes = notesRef !== null && notesRef.count > 0;
  document.getElementById("summary-panel").classList.toggle("is-empty", phase() === "setup" && !hasNotes);
}

function renderHeader() {
  renderPhase();
  document.getElementById("event-name").textContent = view.name;
  document.getElementById("event-status").textContent = t(`status_${view.status}`);
  document.getElementById("joined-count").textContent = view.counts.joined;
  const state = document.getElementById("joining-state");
  state.textContent = view.joining_open ? t("joining_open") : t("joining_closed");
  state.dataset.open = view.joining_open;
  toggle.textContent = view.joining_open ? t("close_joining") : t("open_joining");
}

async function reload() {
  view = await api("GET", `/events/${code}`, token);
  renderHeader();
  renderPeople();
  control.render();
  setup.applyLocks();
  waiting.render();
}

const waiting = setupWaiting({
  token, code,
  getView: () => view,
  setView: (next) => { view = next; renderHeader(); renderPeople(); setup.refresh(view); waiting.render(); plan.load(); },
});
waiting.render();

setup.start(view);
renderHeader();
renderPeople();
const plan = setupPlan({ token, code, getView: () => view, onPlan: takeSeats });
plan.load();
setupHelpDesk({ token, code, onMerged: () => reload() });

function applyRound(push) {
  view.status = push.status;
  view.rounds[push.round.number - 1] = push.round;
  if (push.status === "running" || push.status === "paused") view.current_round = push.round.number;
  if (push.status === "ready") view.current_round = null;
  renderHeader();
  control.render();
  control.loadOccupancy();
  health.load();
  reload().then(() => notesPanel.showPads(view.pad_open));
}

const health = setupHealth({ token, code, getView: () => view });

const harvest = setupHarvest({ token, code });
const live = connectLive(token, {
  ...harvest.handlers,
  snapshot: (data) => { view = data.event; renderHeader(); renderPeople(); setup.refresh(view); control.render(); control.loadOccupancy(); },
  round_started: (p) => { applyRound(p); renderPeople(); }, round_paused: applyRound, round_resumed: applyRound, round_extended: applyRound,
  round_ended: applyRound, round_reopened: applyRound, round_cancelled: applyRound,
  harvest_started: (p) => { view.status = p.status; renderHeader(); control.render(); control.loadOccupancy(); health.load(); },
  event_closed: (p) => { view.status = p.status; renderHeader(); control.render(); control.loadOccupancy(); health.load(); },
  checked_in: () => control.loadOccupancy(),
  note_added: (p) => { notesPanel.upsert(p.note); health.soon(); renderPhase(); },
  note_updated: (p) => notesPanel.upsert(p.note),
  note_deleted: (p) => notesPanel.upsert(p.note),
  photo_added: () => notesPanel.loadPhotos(),
  pads_changed: (p) => notesPanel.showPads(p.open),
  participant_changed: () => reload(),
  settings_changed: (p) => { Object.assign(view, p); control.render(); notesPanel.renderSettings(); },
  participants_added: () => { reload(); document.dispatchEvent(new CustomEvent("participants-changed")); },
  plan_published: () => {
    plan.load(); reload().then(() => control.loadOccupancy());
    document.dispatchEvent(new CustomEvent("plan-published")); // the matchmaking panel counts the pairs seated
  },
  plan_failed: (p) => toast(t("plan_failed", { message: p.message }), "error"),
  participant_removed: () => reload(),
  event_updated: () => reload().then(() => { setup.refresh(view); plan.load(); }),
  attendance_changed: (p) => { document.getElementById("joined-count").textContent = p.joined; },
  joining_changed: (p) => { view.joining_open = p.joining_open; renderHeader(); },
  presence_changed: (p) => { document.getElementById("connected-count").textContent = p.connected.participants; health.soon(); },
  unauthorized: () => window.location.reload(),
});
const control = setupControl({
  token, code, live,
  getView: () => ({ ...view, plan_ready: view.status !== "setup" }),
  setView: (next) => { view = { ...view, ...next }; renderHeader(); control.render(); health.load(); },
});
control.render();
control.loadOccupancy();
const notesPanel = setupNotes({
  token, code, live,
  getView: () => view,
  setView: (next) => { view = { ...view, ...next }; notesPanel.renderSettings(); },
});
notesRef = notesPanel;
notesPanel.load().then(renderPhase);
health.start();

const votesSelect = document.getElementById("votes-per-person");
votesSelect.value = String(view.votes_per_person ?? 3);
votesSelect.addEventListener("change", async () => {
  try {
    view = await api("PATCH", `/events/${code}`, token, { votes_per_person: Number(votesSelect.value) });
    toast(t("saved"));
  } catch (err) { toast(err.message, "error"); }
});

const shareToggle = document.getElementById("share-toggle");
function showShare(link) {
  shareToggle.checked = !!link;
  document.getElementById("share-link").hidden = !link;
  const anchor = document.getElementById("share-url");
  anchor.textContent = link || "";
  anchor.href = link || "#";
}
shareToggle.addEventListener("change", async () => {
  try {
    const result = await api("POST", `/events/${code}/share`, token, { enabled: shareToggle.checked });
    showShare(result.link);
  } catch (err) { toast(err.message, "error"); showShare(null); }
});
api("GET", `/events/${code}/links`, token).then((links) => showShare(links.summary || null)).catch(() => {});
notesPanel.showPads(view.pad_open);
