// The help desk's page: find a person, say where they sit now and next (and every round), show their own QR code
// again, reprint their card, check them in, add a walk-in. Only the person opened on screen shows a link.
import { api, h, t, toast } from "./common.js";
import { liveSearch } from "./helpdesk.js";

const root = document.getElementById("desk");
const { token, event: code } = root.dataset;
const input = document.getElementById("help-search");
const results = document.getElementById("help-results");
const count = document.getElementById("help-count");
const panel = document.getElementById("person");
const qrBox = document.getElementById("person-qr-box");
let shown = null;  // the person on screen: { person, link }

const colourName = (colour) => t(`colour_${colour}`);

function chip(label, seat) {
  if (!seat) return null;
  const table = seat.table;
  return h("span", { class: `desk-chip c-${table.colour}` },
    h("span", { class: "desk-chip-label" }, label), t("desk_table", { n: table.number }));
}

function seatBody(seat, empty) {
  if (!seat) return [h("p", { class: "desk-seat-state" }, empty)];
  const table = seat.table;
  return [
    h("p", { class: "desk-seat-number" }, t("desk_table", { n: table.number })),
    h("p", { class: "desk-seat-topic" }, `${colourName(table.colour)}${table.topic ? ` · ${table.topic}` : ""}`),
    h("p", { class: "desk-seat-state" }, `${t("round_n", { n: seat.round })}${seat.checked_in ? ` · ✓ ${t("checked_in")}` : ""}`),
  ];
}

function showSeat(id, seat, empty) {
  const box = document.getElementById(id);
  box.className = `desk-seat c-${seat ? seat.table.colour : "grey"}`;
  box.querySelector(".desk-seat-body").replaceChildren(...seatBody(seat, empty));
}

function render({ person, link }) {
  shown = { person, link };
  document.getElementById("person-name").textContent = person.name;
  const status = person.status === "active" ? "" : ` · ${t(`desk_status_${person.status}`)}`;
  document.getElementById("person-group").textContent = `${person.group || ""}${status}`;
  const unseated = (n) => t("desk_unseated", { n });
  showSeat("seat-now", person.now, person.round_now ? unseated(person.round_now) : t("desk_no_round_now"));
  showSeat("seat-next", person.next, person.round_next ? unseated(person.round_next) : t("desk_no_next"));
  document.getElementById("person-route").replaceChildren(...person.route.map(({ round, status: state, seat }) =>
    h("li", { class: seat ? `c-${seat.table.colour}` : "" },
      h("span", { class: "route-round" }, t("round_n", { n: round })),
      seat ? h("span", { class: "desk-chip" }, t("desk_table", { n: seat.table.number }))
        : h("span", { class: "muted" }, t("desk_no_seat")),
      h("span", { class: "route-topic" }, seat?.table.topic || ""),
      h("span", { class: "muted" }, [t(`desk_round_${state}`), seat?.checked_in ? ` · ✓ ${t("checked_in")}` : ""].join("")))));
  document.getElementById("person-card").href = `/d/${token}/participants/${person.id}/card`;
  const checkin = document.getElementById("person-checkin");
  checkin.disabled = !person.checkin_round || person.status !== "active";
  checkin.textContent = person.checkin_round ? t("desk_check_in", { n: person.checkin_round }) : t("desk_check_in_none");
  const image = document.getElementById("qr-image");
  image.removeAttribute("src");
  image.alt = t("qr_for", { name: person.name });
  const anchor = document.getElementById("qr-link");
  anchor.textContent = link;
  anchor.href = link;
  qrBox.hidden = true;
  document.getElementById("person-qr").textContent = t("show_qr");
  panel.hidden = false;
}

async function open(id, { scroll = true } = {}) {
  try {
    const qrShown = shown?.person.id === id && !qrBox.hidden;
    render(await api("GET", `/events/${code}/helpdesk/people/${id}`, token));
    if (qrShown) document.getElementById("person-qr").click();
    if (scroll && window.matchMedia("(max-width: 800px)").matches) panel.scrollIntoView({ behavior: "smooth", block: "start" });
  } catch (err) { toast(err.message, "error"); }
}

// A walk-in is seated by a re-plan that finishes a moment after the answer: look again until the seat is there.
async function awaitSeat(id, tries = 8) {
  for (let i = 0; i < tries; i += 1) {
    const person = shown?.person;
    const missing = (person?.round_now && !person.now) || (person?.round_next && !person.next);
    if (!person || person.id !== id || !missing) return;
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    if (shown?.person.id === id) await open(id, { scroll: false });
  }
}

const search = liveSearch(input, results, {
  find: (query) => api("GET", `/events/${code}/helpdesk/people?q=${encodeURIComponent(query)}`, token),
  clear: () => { results.replaceChildren(); count.textContent = ""; },
  show: ({ people, total }) => {
    count.textContent = total ? t("matches", { n: total }) + (total > people.length ? ` · ${t("desk_more", { n: people.length })}` : "")
      : t("no_match");
    results.replaceChildren(...people.map((person) => h("li", {},
      h("span", { class: "help-name" }, person.name),
      h("span", { class: "muted" }, person.group || ""),
      h("span", { class: "desk-chips" }, chip(t("desk_now"), person.now), chip(t("desk_next"), person.next)),
      h("button", { type: "button", class: "primary", onclick: () => open(person.id) }, t("desk_open")))));
  },
});

document.getElementById("person-close").addEventListener("click", () => {
  panel.hidden = true;
  shown = null;
  input.focus();
});

document.getElementById("person-qr").addEventListener("click", (e) => {
  if (!shown) return;
  qrBox.hidden = !qrBox.hidden;
  if (!qrBox.hidden) document.getElementById("qr-image").src = `/d/${token}/participants/${shown.person.id}/qr.svg`;
  e.currentTarget.textContent = qrBox.hidden ? t("show_qr") : t("desk_hide_qr");
});

document.getElementById("person-checkin").addEventListener("click", async (e) => {
  if (!shown) return;
  const button = e.currentTarget;
  button.disabled = true;
  try {
    const result = await api("POST", `/events/${code}/helpdesk/people/${shown.person.id}/check_in`, token);
    toast(t("desk_checked_in", { name: shown.person.name, n: result.yours.number }));
    await open(shown.person.id);
    search();
  } catch (err) {
    toast(err.message, "error");
    button.disabled = false;
  }
});

const walkin = document.getElementById("walkin");
const walkinError = document.getElementById("walkin-error");
let confirmName = null;  // the name the desk chose to add although someone similar is there

walkin.addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = Object.fromEntries(new FormData(walkin));
  const body = { name: data.name.trim() };
  if (data.group) body.group = data.group;
  if (confirmName === body.name) body.confirm = true;
  walkinError.hidden = true;
  try {
    const answer = await api("POST", `/events/${code}/helpdesk/walk_ins`, token, body);
    confirmName = null;
    walkin.reset();
    toast(t("desk_added", { name: answer.person.name }));
    render(answer);
    document.getElementById("person-qr").click();
    awaitSeat(answer.person.id);
  } catch (err) {
    const alike = err.details?.[0]?.name;
    walkinError.textContent = err.code === "possible_duplicate" && alike
      ? t("desk_look_alike", { name: alike }) : err.message;
    walkinError.hidden = false;
    if (err.code === "possible_duplicate") confirmName = body.name;
  }
});

input.focus();
