// The moderator's seating plan: plan in one click, its quality in plain words, by table and by person.
import { api, h, t, toast } from "./common.js";

function groupIndex(view, group) {
  const i = (view.groups || []).indexOf(group);
  return i < 0 ? "" : `g${i % 4}`;
}

/** Plain-language sentences about a plan's quality: [text, kind] with kind "", "warn" or "info". */
export function qualitySentences(metrics, view) {
  const lines = [];
  const bound = metrics.lower_bound_repeat_pairs || 0;
  if (metrics.repeat_pairs === 0) lines.push([t("q_no_repeats"), ""]);
  else if (bound === 0) lines.push([t("q_repeats_avoidable", { n: metrics.repeat_pairs }), "warn"]);
  else if (metrics.repeat_pairs <= bound) lines.push([t("q_repeats_forced", { n: metrics.repeat_pairs }), "info"]);
  else lines.push([t("q_repeats", { n: metrics.repeat_pairs, bound }), "warn"]);
  if (metrics.repeat_pairs > 0 && bound > 0) {
    // Repeats are certain with these tables and rounds: say what would avoid them.
    const advice = metrics.repeat_advice || {};
    const ways = [];
    if (advice.rounds && advice.rounds >= 2) ways.push(t("advice_rounds", { n: advice.rounds }));
    if (advice.tables) ways.push(t("advice_tables", { n: advice.tables, seats: advice.capacity }));
    lines.push([ways.length ? t("advice_avoid", { ways: ways.join(` ${t("or")} `) }) : t("advice_none"), "advice"]);
  }
  if (view.topics.length > 1) {
    if (metrics.topic_repeats === 0) lines.push([t("q_topics", { k: Math.min(view.rounds.length, view.topics.length) }), ""]);
    else lines.push([t("q_topic_repeats", { n: metrics.topic_repeats }), "warn"]);
  }
  if ((view.groups || []).length > 1) {
    const names = view.groups.length === 2 ? `${view.groups[0]} ${t("and")} ${view.groups[1]}` : view.groups.join(", ");
    if (metrics.group_mixing === 0) lines.push([t("q_mixed", { groups: names }), ""]);
    else lines.push([t("q_not_mixed", { n: metrics.group_mixing }), "warn"]);
  }
  if (metrics.size_spread <= 1) lines.push([t("q_sizes"), ""]);
  else lines.push([t("q_sizes_bad", { n: metrics.size_spread }), "warn"]);
  if (metrics.capacity_overflow) lines.push([t("q_overflow", { n: metrics.capacity_overflow }), "warn"]);
  if (metrics.needs_unmet) lines.push([t("q_needs", { n: metrics.needs_unmet }), "warn"]);
  if (metrics.avoid_violations) lines.push([t("q_avoid", { n: metrics.avoid_violations }), "warn"]);
  lines.push([t("q_time", { ms: Math.round(metrics.elapsed_s * 1000) }), "info"]);
  return lines;
}

export function setupPlan({ token, code, getView, onPlan }) {
  const button = document.getElementById("plan-go");
  const state = document.getElementById("plan-state");
  const error = document.getElementById("plan-error");
  const tabs = document.getElementById("plan-tabs");
  const byTable = document.getElementById("plan-tables");
  const byPerson = document.getElementById("plan-people");

  function render(plan) {
    const view = getView();
    onPlan?.(plan);
    const colourOf = Object.fromEntries(view.tables.map((tb) => [tb.number, tb.colour]));
    const planned = plan.planned && plan.metrics;
    state.textContent = planned ? t("plan_done") : t("plan_none");
    button.textContent = planned ? t("plan_again") : button.dataset.first || button.textContent;
    tabs.hidden = !planned;
    document.getElementById("plan-quality").replaceChildren(...(planned
      ? qualitySentences(plan.metrics, view).map(([text, kind]) => h("li", { class: kind }, text)) : []));
    byTable.replaceChildren(...(planned ? plan.rounds.map((rnd) => h("section", { class: "plan-round" },
      h("h3", {}, t("round_n", { n: rnd.number })),
      rnd.tables.map((tb) => h("div", { class: `plan-table c-${colourOf[tb.number] || "grey"}` },
        h("p", { class: "plan-table-no" }, `${t("table")} ${tb.number} · ${tb.people.length}`),
        h("p", { class: "plan-names" }, tb.people.length ? tb.people.flatMap((p, i) => [i ? ", " : "",
          h("span", { class: "plan-person" }, h("span", { class: `group-dot ${groupIndex(view, p.group)}` }), p.name)])
          : t("empty_table")))))) : []));
    document.getElementById("plan-legend").replaceChildren(...(planned ? (view.groups || []).map((g) =>
      h("span", { class: "plan-person" }, h("span", { class: `group-dot ${groupIndex(view, g)}` }), g)) : []));
    byPerson.replaceChildren(...(planned ? [h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, t("name")), h("th", {}, t("group")),
        plan.rounds.map((r) => h("th", {}, t("round_n", { n: r.number }))))),
      h("tbody", {}, plan.people.filter((p) => p.status === "active" || p.tables.some(Boolean)).map((p) => h("tr", {},
        h("td", {}, p.name), h("td", {}, p.group || ""),
        p.tables.map((n) => h("td", {}, n ? h("span", { class: `seat-chip c-${colourOf[n] || "grey"}` }, n) : "—"))))))] : []));
  }

  tabs.addEventListener("click", (e) => {
    const tab = e.target.closest("[data-view]");
    if (!tab) return;
    tabs.querySelectorAll("[data-view]").forEach((b) => b.setAttribute("aria-selected", String(b === tab)));
    byTable.hidden = tab.dataset.view !== "tables";
    byPerson.hidden = tab.dataset.view !== "people";
  });

  button.dataset.first = button.textContent;
  button.addEventListener("click", async () => {
    error.hidden = true;
    button.disabled = true;
    state.textContent = t("planning");
    try {
      const result = await api("POST", `/events/${code}/plan`, token);
      render(result.plan);
      toast(t("plan_done"));
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      state.textContent = "";
    } finally {
      button.disabled = false;
    }
  });

  const load = async () => render(await api("GET", `/events/${code}/plan`, token));
  return { load, render };
}
