// The console's matchmaking panel: the pairs to seat together (with their reasons), drop or add pairs, the privacy
// notice, sharing the summary with the participants, and deleting the event (typed confirmation).
import { api, h, pageData, t, toast } from "./common.js";

const root = document.getElementById("console");
const { token, event: code } = root.dataset;
const view = pageData("state");
const list = document.getElementById("match-list");
const search = document.getElementById("match-search");
const switchBox = document.getElementById("seat-complementary");
const quality = document.getElementById("match-quality");
const addForm = document.getElementById("match-add");
const people = document.getElementById("match-people");
let data = null;

const label = (p) => `${p.name}${p.organisation ? `, ${p.organisation}` : ""}${p.group ? ` (${p.group})` : ""}`;
const optionText = (p) => `${p.name}${p.group ? ` (${p.group})` : ""} #${p.id}`;

function showError(text) {
  const el = document.getElementById("match-error");
  el.textContent = text || "";
  el.hidden = !text;
}

function renderQuality() {
  const items = [];
  if (data.requested) {
    items.push(h("li", {}, t("n_pairs_requested", { n: data.requested })));
    if (data.meet_unmet === null || data.meet_unmet === undefined) {
      items.push(h("li", { class: "info" }, t("pairs_replan")));
    } else {
      items.push(h("li", { class: data.planned_together < data.requested ? "warn" : "" },
        t("pairs_planned", { met: data.planned_together, n: data.requested })));
      if (data.meet_unmet) items.push(h("li", { class: "warn" }, t("pairs_unmet", { n: data.meet_unmet })));
    }
  }
  quality.replaceChildren(...items);
  document.getElementById("match-count").textContent = data.requested ? `(${data.requested})` : "";
}

function render() {
  if (!data) return;
  renderQuality();
  const words = search.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const rows = data.pairs.filter((p) => {
    const text = [label(p.a), label(p.b), ...p.reasons].join(" ").toLocaleLowerCase();
    return words.every((w) => text.includes(w));
  });
  document.getElementById("match-shown").textContent = data.pairs.length ? t("n_pairs_shown", { n: rows.length }) : "";
  if (!data.pairs.length) {
    list.replaceChildren(h("li", { class: "muted" }, data.enabled ? t("matches_none") : t("matches_off")));
    return;
  }
  list.replaceChildren(...rows.map((p) => {
    const names = { a: p.a.name, b: p.b.name };
    const action = p.dropped
      ? h("button", { type: "button", "aria-label": t("pair_restore_label", names), onclick: () => restore(p) }, t("pair_restore"))
      : h("button", { type: "button", class: "danger-button", "aria-label": t("pair_drop_label", names), onclick: () => drop(p) }, t("pair_drop"));
    return h("li", { class: `match${p.dropped ? " dropped" : ""}` },
      h("div", { class: "match-who" },
        h("strong", {}, label(p.a)), " ↔ ", h("strong", {}, label(p.b)),
        p.source === "added" ? h("span", { class: "pill" }, t("pair_by_hand")) : null,
        p.dropped ? h("span", { class: "pill" }, t("pair_dropped")) : null,
        !p.dropped && data.meet_unmet !== null && data.meet_unmet !== undefined
          ? h("span", { class: "muted" }, p.planned_together ? t("planned_together") : t("not_planned_together")) : null),
      h("ul", { class: "match-reasons" }, p.reasons.map((r) => h("li", {}, r))),
      action);
  }));
}

async function load() {
  if (!data) list.replaceChildren(h("li", { class: "muted" }, t("matches_loading")));
  try {
    data = await api("GET", `/events/${code}/matches`, token);
    switchBox.checked = data.enabled;
    render();
  } catch (err) { showError(err.message); }
}

async function drop(p) {
  try {
    await api("DELETE", `/events/${code}/matches/${p.a.id}/${p.b.id}`, token);
    toast(t("pair_removed"));
    await load();
  } catch (err) { toast(err.message, "error"); }
}

async function restore(p) {
  try {
    data = await api("POST", `/events/${code}/matches`, token, { a: p.a.id, b: p.b.id });
    render();
  } catch (err) { toast(err.message, "error"); }
}

function personId(text) {
  const match = /#(\d+)\s*$/.exec(text.trim());
  return match ? Number(match[1]) : null;
}

function fillPeople(list_) {
  people.replaceChildren(...list_.filter((p) => p.status !== "no_show").map((p) => h("option", { value: optionText(p) })));
}

addForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const a = personId(addForm.elements.a.value);
  const b = personId(addForm.elements.b.value);
  if (!a || !b || a === b) { showError(t("pair_pick_two")); return; }
  showError("");
  try {
    data = await api("POST", `/events/${code}/matches`, token, { a, b });
    addForm.reset();
    toast(t("pair_added"));
    render();
  } catch (err) { showError(err.message); }
});

switchBox.addEventListener("change", async () => {
  try {
    await api("PATCH", `/events/${code}`, token, { seat_complementary: switchBox.checked });
    toast(t("saved"));
    await load();
  } catch (err) { toast(err.message, "error"); switchBox.checked = !switchBox.checked; }
});

search.addEventListener("input", render);

// ---- privacy notice and sharing the summary -------------------------------------------------------------
const notice = document.getElementById("privacy-notice");
notice.value = view.privacy_notice || "";
document.getElementById("privacy-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await api("PATCH", `/events/${code}`, token, { privacy_notice: notice.value });
    toast(t("notice_saved"));
  } catch (err) { toast(err.message, "error"); }
});
const shared = document.getElementById("summary-shared");
shared.checked = !!view.summary_shared;
shared.addEventListener("change", async () => {
  try {
    await api("PATCH", `/events/${code}`, token, { summary_shared: shared.checked });
    toast(t("saved"));
  } catch (err) { toast(err.message, "error"); shared.checked = !shared.checked; }
});

// ---- deleting the event -----------------------------------------------------------------------------------
document.getElementById("delete-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const typed = document.getElementById("delete-confirm").value.trim().toUpperCase();
  if (typed !== code.toUpperCase()) { toast(t("delete_confirm_mismatch", { code }), "error"); return; }
  try {
    await api("DELETE", `/events/${code}`, token);
    document.body.replaceChildren(h("main", { class: "console" }, h("p", { class: "notice", role: "status" }, t("event_deleted"))));
  } catch (err) { toast(err.message, "error"); }
});

fillPeople(view.participants || []);
document.addEventListener("plan-published", load);
document.addEventListener("participants-changed", () =>
  api("GET", `/events/${code}`, token).then((next) => fillPeople(next.participants || [])).catch(() => {}));
load();
