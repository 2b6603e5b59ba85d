// The moderator's control room: drive the rounds, see who sits where, talk to the room.
import { api, h, t, toast } from "./common.js";
import { countdown } from "./timer.js";

export function setupControl({ token, code, getView, setView, live }) {
  const buttons = document.getElementById("ctl-buttons");
  const label = document.getElementById("ctl-label");
  const auto = document.getElementById("auto-advance");
  const occupancyEl = document.getElementById("occupancy");
  const clock = countdown(document.getElementById("ctl-timer"), live);

  async function act(action, extra = {}, confirmText = null) {
    if (confirmText && !confirm(confirmText)) return;
    try {
      const result = await api("POST", `/events/${code}/control`, token, { action, ...extra });
      const view = getView();
      view.status = result.status;
      view.current_round = result.current_round;
      if (result.round) view.rounds[result.round.number - 1] = result.round;
      setView(view);
      const undo = { end_round: ["reopen_round", t("undo")], start_round: ["cancel_round", t("undo")] }[action];
      toast(t(`done_${action}`, { n: result.round?.number ?? "" }), "ok",
        undo ? { label: undo[1], onClick: () => act(undo[0]) } : null);
      loadOccupancy();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  function button(text, onClick, cls = "") {
    return h("button", { type: "button", class: cls, onclick: onClick }, text);
  }

  function render() {
    const view = getView();
    const total = view.rounds.length;
    const n = view.current_round || 0;
    const going = view.status === "running" || view.status === "paused";
    label.textContent = going ? `${t("round_of", { n, total })} · ${t(`status_${view.status}`)}` : t(`status_${view.status}`);
    clock.set(going ? view.rounds[n - 1] : null);
    const list = [];
    const missing = [];
    if (!view.tables.length) missing.push(t("missing_tables"));
    if (!view.participants.some((p) => p.status === "active")) missing.push(t("missing_people"));
    const canStart = ["setup", "ready", "moving"].includes(view.status) && n < total;
    if (canStart && !missing.length) {
      list.push(button(t("start_round", { n: n + 1 }), () => act("start_round"), "primary big-action"));
    }
    // An empty event offers no start button: it says what is missing instead.
    const hint = document.getElementById("start-missing");
    hint.textContent = canStart && missing.length ? t("start_needs", { n: n + 1, what: missing.join(` ${t("and")} `) }) : "";
    hint.hidden = !(canStart && missing.length);
    if (view.status === "running") list.push(button(t("pause"), () => act("pause")));
    if (view.status === "paused") list.push(button(t("resume"), () => act("resume"), "primary"));
    if (going) {
      list.push(button(t("plus_minutes", { n: 1 }), () => act("extend", { seconds: 60 })));
      list.push(button(t("plus_minutes", { n: 5 }), () => act("extend", { seconds: 300 })));
      list.push(button(t("minus_minutes", { n: 1 }), () => act("extend", { seconds: -60 })));
      list.push(button(t("end_round", { n }), () => act("end_round", {}, t("confirm_end_round", { n })), "danger-button"));
    }
    if (view.status === "moving") {
      list.push(button(t("reopen_round", { n }), () => act("reopen_round")));
      list.push(button(t("start_harvest"), () => act("start_harvest", {}, t("confirm_harvest")), n < total ? "" : "primary"));
    }
    if (view.status === "harvest") list.push(button(t("close_event"), () => act("close", {}, t("confirm_close")), "danger-button"));
    // The buttons change with the state: the keyboard stays on the same button, or goes to the next step's first
    // one (Start → Pause, Pause → Resume), never back to the top of the page.
    const had = buttons.contains(document.activeElement) ? document.activeElement.textContent : null;
    buttons.replaceChildren(...list);
    if (had !== null) (list.find((b) => b.textContent === had) ?? list[0])?.focus();
    auto.checked = !!view.auto_advance;
    auto.disabled = view.status === "closed";
  }

  auto.addEventListener("change", async () => {
    try {
      setView(await api("PATCH", `/events/${code}`, token, { auto_advance: auto.checked }));
      toast(auto.checked ? t("auto_on") : t("auto_off"));
    } catch (err) { toast(err.message, "error"); auto.checked = !auto.checked; }
  });

  async function loadOccupancy() {
    const view = getView();
    // After the last round (harvest, closed) there is no round to check in to.
    const going = view.status === "running" || view.status === "paused";
    const next = going ? view.current_round : (view.current_round || 0) + 1;
    if (!view.plan_ready || ["harvest", "closed"].includes(view.status) || next > view.rounds.length) {
      occupancyEl.replaceChildren();
      return;
    }
    let data;
    try { data = await api("GET", `/events/${code}/occupancy`, token); } catch { return; }
    const byTable = Object.fromEntries(data.tables.map((row) => [row.table, row]));
    const colours = Object.fromEntries(view.tables.map((tb) => [tb.number, tb.colour]));
    occupancyEl.replaceChildren(
      h("p", { class: "subhead" }, t("occupancy_title", { n: data.round })),
      h("div", { class: "occupancy-grid", tabindex: 0 }, view.tables.map((tb) => {
        const row = byTable[tb.number] || { planned: 0, checked_in: 0 };
        return h("div", { class: `occ c-${colours[tb.number]}`, dataset: { table: tb.number } },
          h("span", { class: "occ-no" }, tb.number),
          h("span", { class: "occ-count" }, `${row.checked_in}/${row.planned}`),
          h("span", { class: "occ-cap" }, `${t("capacity")} ${tb.capacity}`));
      })));
  }

  const form = document.getElementById("broadcast-form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("POST", `/events/${code}/broadcast`, token, { text: form.text.value, target: form.target.value, seconds: Number(form.seconds.value) });
      toast(t("broadcast_sent"));
      form.reset();
    } catch (err) { toast(err.message, "error"); }
  });

  return { render, loadOccupancy };
}
