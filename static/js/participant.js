// Participant phone: one glance tells where to go — table, colour, topic, countdown — pushed live.
import { followBroadcasts } from "./broadcasts.js";
import { h, pageData, t, toast, uuid4 } from "./common.js";
import { connectLive } from "./live.js";
import { setupPeople } from "./people.js";
import { countdown } from "./timer.js";

const root = document.getElementById("participant");
let me = pageData("state");
let live;
let clock;
const people = setupPeople(root);

function seatCard(seat, label, big) {
  const table = seat.table;
  return h("div", { class: `seat-card c-${table.colour}${big ? "" : " small"}` },
    h("p", { class: "seat-round" }, label),
    h("p", { class: "seat-table" }, h("span", { class: "table-label" }, t("table")),
      h("span", { class: "seat-number" }, table.number),
      h("span", { class: "seat-colour" }, t(`colour_${table.colour}`))),
    h("p", { class: "seat-topic" }, table.topic || ""),
    big && table.question ? h("p", { class: "seat-question" }, table.question) : null,
    seat.checked_in ? h("p", { class: "seat-checked" }, `✓ ${t("checked_in")}`) : null);
}

function render() {
  const status = me.event.status;
  const seatEl = document.getElementById("seat");
  const parts = [];
  const total = me.event.rounds;
  if (status === "harvest" && ballot?.open) {
    parts.push(h("h2", { class: "ballot-title" }, t("vote_title")),
      h("p", { class: "ballot-left", role: "status" }, t("votes_left", { n: ballot.left, total: ballot.per_person })),
      // A stable order (the moderator's shortlist, else by topic), so an item does not jump away under the finger.
      h("ol", { class: "ballot" }, (ballot.shortlist ? [...ballot.items] : [...ballot.items].sort((a, b) =>
        (a.topic || "").localeCompare(b.topic || "") || a.text.localeCompare(b.text))).map((item) => h("li", { class: `ballot-item c-${item.colour}`, dataset: { id: item.id } },
        h("p", { class: "ballot-text" }, item.text),
        h("p", { class: "ballot-meta" }, `${item.topic || ""} · ${t("table")} ${item.table ?? "–"}`),
        h("div", { class: "ballot-actions" },
          h("button", { type: "button", "aria-label": t("vote_less"), disabled: !item.mine, onclick: () => vote("retract_vote", item) }, "−"),
          h("span", { class: "ballot-dots", "aria-label": t("your_dots", { n: item.mine }) }, "●".repeat(item.mine) || "○"),
          h("button", { type: "button", class: "primary", "aria-label": t("vote_more"), disabled: !ballot.left, onclick: () => vote("cast_vote", item) }, "+"))))));
  } else if (status === "harvest" || status === "closed") {
    parts.push(h("p", { class: "seat-wait" }, t(status === "closed" ? "event_over" : "harvest_now")));
  } else if (me.status !== "active") {
    parts.push(h("p", { class: "seat-wait" }, t("not_seated")));
  } else if (me.waiting) {
    // A walk-in to a full room: a clear place to be, and when a seat comes.
    parts.push(h("div", { class: "waiting-card", role: "status" },
      h("p", { class: "waiting-title" }, t("waiting_title")),
      h("p", { class: "waiting-text" }, me.waiting.from_round
        ? t("waiting_from", { n: me.waiting.from_round }) : t("waiting_soon"))));
    if (me.next) parts.push(seatCard(me.next, t("next_round_label", { n: me.next.round }), false));
  } else if (me.current) {
    parts.push(h("p", { class: "timer-line" }, h("span", { class: "timer", id: "timer" }),
      h("span", { class: "timer-label", id: "timer-label" })));
    parts.push(seatCard(me.current, t("round_of", { n: me.current.round, total }), true));
    if (me.next) parts.push(seatCard(me.next, t("next_round_label", { n: me.next.round }), false));
  } else if (me.next) {
    parts.push(h("p", { class: "go-now" }, t(status === "moving" ? "move_now" : "first_table")));
    parts.push(seatCard(me.next, t("round_of", { n: me.next.round, total }), true));
    parts.push(h("p", { class: "hint" }, t("scan_to_check_in")));
  } else {
    parts.push(h("p", { class: "seat-wait" }, t("no_seat")));
  }
  // A vote re-draws the ballot: the keyboard stays on the same button (or its neighbour once it is disabled), and a
  // screen reader hears the dots left, not the whole ballot again.
  const active = document.activeElement;
  const voted = active?.closest?.(".ballot-item") && { id: active.closest(".ballot-item").dataset.id,
    label: active.getAttribute("aria-label") };
  seatEl.setAttribute("aria-live", status === "harvest" ? "off" : "assertive");
  seatEl.replaceChildren(...parts);
  if (voted) {
    const item = [...seatEl.querySelectorAll(".ballot-item")].find((li) => li.dataset.id === voted.id);
    const buttons = [...(item?.querySelectorAll("button:not(:disabled)") ?? [])];
    (buttons.find((b) => b.getAttribute("aria-label") === voted.label) ?? buttons[0])?.focus();
  }
  const route = document.getElementById("route");
  route.replaceChildren(...(me.route || []).map((seat) => h("li", {},
    h("span", { class: `seat-chip c-${seat.table.colour}` }, seat.table.number),
    ` ${t("round_n", { n: seat.round })} · ${seat.table.topic || ""}`)));
  document.getElementById("route-box").hidden = !(me.route || []).length;
  document.getElementById("phone-note").hidden = !(me.event.participant_notes && me.current);
  people.update(me);
  const timerEl = document.getElementById("timer");
  if (clock) clock.stop();
  clock = null;
  if (timerEl && live) {
    clock = countdown(timerEl, live);
    clock.set(me.round);
    document.getElementById("timer-label").textContent = me.round?.status === "paused" ? t("paused") : t("left");
  }
}

let ballot = null;

async function vote(action, item) {
  const ack = await live.request(action, { note_id: item.id });
  if (ack.ok) { ballot = ack.ballot; render(); } else toast(ack.error.message, "error");
}

async function refresh() {
  const headers = { Authorization: `Bearer ${root.dataset.token}` };
  const response = await fetch("/api/v1/me", { headers });
  if (!response.ok) return;
  me = await response.json();
  if (me.event.status === "harvest") {
    const votes = await fetch(`/api/v1/events/${me.event.id}/votes`, { headers });
    ballot = votes.ok ? await votes.json() : null;
  }
  render();
}

const noteForm = document.getElementById("phone-note");
noteForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = noteForm.text.value.trim();
  if (!text) return;
  const ack = await live.request("add_note", { id: uuid4(), text });
  if (ack.ok) { noteForm.reset(); toast(t("note_sent")); } else toast(ack.error.message, "error");
});

/** The setup changed (a topic's text, colours, the number of rounds): update the seats shown, without asking. */
function applySetup(p) {
  const topics = new Map(p.topics.map((topic) => [topic.id, topic]));
  const patch = (seat) => {
    const topicId = seat ? p.tables[String(seat.table.number)] : undefined;
    if (topicId === undefined) return;  // no seat, or the table went: an assignment_changed follows
    const topic = topics.get(topicId);
    Object.assign(seat.table, topic
      ? { topic: topic.title, question: topic.question, colour: topic.colour, colour_hex: topic.colour_hex,
        topic_position: topic.position, topic_id: topic.id }
      : { topic: null, question: null, colour: p.no_topic_colour, topic_position: null, topic_id: null });
  };
  [me.current, me.next, ...(me.route || [])].forEach(patch);
  me.event.rounds = p.rounds.length;
  me.event.name = p.name;
  render();
}

const roundChange = () => refresh();
const board = followBroadcasts(() => live.serverNow());
live = connectLive(root.dataset.token, {
  snapshot: (data) => {
    board.snapshot(data.broadcasts); me = data.me; render(); people.refresh();
    if (me.event.status === "harvest") refresh();
  },
  assignment_changed: () => {
    // Browsers allow vibration only after the person has touched the page once.
    if (navigator.userActivation?.hasBeenActive) navigator.vibrate?.([200, 100, 200]);
    refresh();
  },
  // The met list is not urgent: a thousand phones ask for it over half a minute, not all in the same second.
  round_started: () => { board.clear(); refresh(); people.refreshSoon(30000); },
  connection_changed: () => people.refresh(),
  round_paused: roundChange,
  round_resumed: roundChange,
  round_extended: roundChange,
  round_ended: roundChange,
  round_reopened: roundChange,
  round_cancelled: roundChange,
  harvest_started: roundChange,
  summary_shared: roundChange,
  ballot_changed: roundChange,  // the moderator chose (or cleared) the vote shortlist
  event_closed: roundChange,
  message_broadcast: board.message_broadcast,
  broadcast_withdrawn: board.broadcast_withdrawn,
  settings_changed: () => refresh(),
  event_updated: applySetup,
  unauthorized: () => window.location.reload(),
});
render();
