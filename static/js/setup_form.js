// The console's setup editor: rounds, topics and tables. Once rounds have started it stays editable, but what was
// played is locked before anyone presses Save (the server sends the reasons in view.locks), table numbers stay put,
// and unsaved changes are never dropped silently: leaving asks first, and a draft kept in this tab's sessionStorage
// comes back (with a note saying so) when the moderator returns to the console.
import { api, h, t, toast } from "./common.js";

const palette = ["blue", "orange", "green", "purple", "red", "sky", "pink", "yellow", "teal", "brown", "navy", "grey"];

export function setupForm({ token, code, getView, setView, onSaved }) {
  const form = document.getElementById("setup-form");
  const roundsEl = document.getElementById("rounds");
  const topicsEl = document.getElementById("topics");
  let dirty = false;
  const draftKey = `wc-setup-draft:${code}`;

  function saveDraft() {
    try { sessionStorage.setItem(draftKey, JSON.stringify(read())); } catch { /* storage full or off: the warning stays */ }
  }

  function dropDraft() {
    try { sessionStorage.removeItem(draftKey); } catch { /* nothing kept */ }
    document.getElementById("setup-draft-note").hidden = true;
  }

  function loadDraft() {
    try { return JSON.parse(sessionStorage.getItem(draftKey) || "null"); } catch { return null; }
  }

  const locks = () => getView().locks || { started_rounds: [], tables: {}, topics: {} };
  const isLive = () => locks().started_rounds.length > 0;

  function markDirty(value = true) {
    dirty = value;
    document.getElementById("setup-dirty").hidden = !dirty;
    if (dirty) saveDraft();
  }

  function lockNote(el, text) {
    let note = el.querySelector(":scope > .lock-note");
    if (!text) { note?.remove(); return; }
    if (!note) { note = h("p", { class: "lock-note" }); el.append(note); }
    note.textContent = text;
  }

  function roundRow(minutes) {
    return h("li", { class: "round-row" },
      h("label", {}, h("input", { type: "number", name: "minutes", min: 1, max: 240, value: minutes, required: true }),
        ` ${t("minutes")}`),
      h("button", { type: "button", class: "link-button remove", onclick: (e) => e.target.closest("li").remove() }, t("remove")));
  }

  function tableRow(table) {
    return h("li", { class: "table-row", dataset: table.number ? { number: table.number } : {} },
      h("span", { class: "table-no" }, ""),
      h("label", { class: "grow" }, t("host"), h("input", { name: "host", value: table.host || "", maxlength: 200 })),
      h("label", {}, t("capacity"), h("input", { type: "number", name: "capacity", min: 1, max: 100, value: table.capacity ?? 5 })),
      h("label", {}, t("tags"), h("input", { name: "tags", value: (table.tags || []).join(", "), size: 8 })),
      h("button", { type: "button", class: "link-button remove", onclick: (e) => { e.target.closest("li").remove(); numberTables(); } }, t("remove")));
  }

  function topicCard(topic, tables) {
    const colour = h("select", { name: "colour", class: "colour-select" },
      palette.map((c) => h("option", { value: c, selected: c === topic.colour }, t(`colour_${c}`))));
    const swatch = h("span", { class: `swatch c-${topic.colour || "blue"}` });
    colour.addEventListener("change", () => {
      swatch.className = `swatch c-${colour.value}`;
      card.className = `topic-card c-${colour.value}`;
    });
    const list = h("ol", { class: "rows tables" }, tables.map(tableRow));
    const card = h("fieldset", { class: `topic-card c-${topic.colour || "blue"}`, dataset: topic.id ? { id: topic.id } : {} },
      h("legend", {}, swatch, h("span", { class: "topic-no" }, "")),
      h("div", { class: "row" },
        h("label", { class: "grow" }, t("title"), h("input", { name: "title", value: topic.title || "", maxlength: 200, required: true })),
        h("label", {}, t("colour"), colour)),
      h("label", {}, t("question"), h("textarea", { name: "question", rows: 2, maxlength: 2000 }, topic.question || "")),
      h("p", { class: "subhead" }, t("tables_for_topic")),
      list,
      h("div", { class: "row topic-actions" },
        h("button", { type: "button", onclick: () => { list.append(tableRow({ capacity: 5 })); numberTables(); } }, `+ ${t("add_table")}`),
        h("button", { type: "button", class: "link-button danger remove-topic", onclick: () => { card.remove(); numberTables(); } }, t("remove"))));
    return card;
  }

  // Before the event tables are numbered in order; once rounds have started a table keeps its number (phones, cards
  // and host links know it) and a new table gets the next free one.
  function numberTables() {
    const live = isLive();
    const rows = [...topicsEl.querySelectorAll(".table-row")];
    let next = Math.max(0, ...rows.map((row) => Number(row.dataset.number) || 0));
    let n = 0;
    topicsEl.querySelectorAll(".topic-card").forEach((card, i) => {
      card.querySelector(".topic-no").textContent = `${t("topic")} ${i + 1}`;
      card.querySelectorAll(".table-row").forEach((row) => {
        n += 1;
        if (!live) row.dataset.number = n;
        else if (!row.dataset.number) { next += 1; row.dataset.number = next; }
        row.querySelector(".table-no").textContent = `${t("table")} ${row.dataset.number}`;
      });
    });
  }

  /** Disable what history holds, each with its reason, so nobody learns it only from a refused Save. */
  function applyLocks() {
    const { started_rounds: started, tables, topics } = locks();
    document.getElementById("setup-live-note").hidden = started.length === 0;
    [...roundsEl.children].forEach((row, i) => {
      const isStarted = started.includes(i + 1);
      row.querySelector("input").disabled = isStarted;
      row.querySelector(".remove").disabled = isStarted;
      lockNote(row, isStarted ? t("round_locked") : "");
    });
    topicsEl.querySelectorAll(".topic-card").forEach((card) => {
      const reason = card.dataset.id ? topics[card.dataset.id] : null;
      card.querySelector(".remove-topic").disabled = Boolean(reason);
      lockNote(card, reason ? t("locked_reason", { reason }) : "");
    });
    topicsEl.querySelectorAll(".table-row").forEach((row) => {
      const reason = row.dataset.number ? tables[row.dataset.number] : null;
      row.querySelector(".remove").disabled = Boolean(reason);
      lockNote(row, reason ? t("locked_reason", { reason }) : "");
    });
  }

  function fill(v) {
    form.name.value = v.name;
    form.language.value = v.language;
    form.groups.value = (v.groups || []).join(", ");
    roundsEl.replaceChildren(...v.rounds.map((r) => roundRow(r.minutes)));
    topicsEl.replaceChildren(...v.topics.map((topic) => topicCard(topic,
      v.tables.filter((tb) => tb.topic_position === topic.position))));
    numberTables();
    applyLocks();
    markDirty(false);
  }

  /** The saved setup in the shape ``read()`` returns, to tell a draft that changes something from one that doesn't. */
  function savedSpec(v) {
    return JSON.stringify({
      name: v.name, language: v.language, groups: v.groups || [],
      rounds: v.rounds.map((r) => r.minutes), topics: v.topics.map((tp) => [tp.title, tp.question || "", tp.colour]),
      tables: v.tables.map((tb) => [tb.number, tb.topic_position, tb.host || "", tb.capacity, tb.tags || []]),
    });
  }

  function draftSpec(d) {
    return JSON.stringify({
      name: d.name, language: d.language, groups: d.groups,
      rounds: d.rounds.map((r) => r.minutes), topics: d.topics.map((tp) => [tp.title, tp.question || "", tp.colour]),
      tables: d.tables.map((tb) => [tb.number, tb.topic, tb.host || "", tb.capacity, tb.tags || []]),
    });
  }

  /** Put a kept draft back into the form (tables under their topics, as saved ones are). */
  function fillDraft(d, v) {
    const asView = {
      ...v, name: d.name, language: d.language, groups: d.groups,
      rounds: d.rounds.map((r) => ({ minutes: r.minutes })),
      topics: d.topics.map((tp, i) => ({ ...tp, position: i + 1 })),
      tables: d.tables.map((tb) => ({ ...tb, number: tb.number || undefined, topic_position: tb.topic })),
    };
    fill(asView);
    markDirty(true);
    document.getElementById("setup-draft-note").hidden = false;
  }

  function read() {
    const topics = [];
    const tables = [];
    topicsEl.querySelectorAll(".topic-card").forEach((card, i) => {
      topics.push({ id: card.dataset.id ? Number(card.dataset.id) : undefined,
        title: card.querySelector("[name=title]").value, question: card.querySelector("[name=question]").value,
        colour: card.querySelector("[name=colour]").value });
      card.querySelectorAll(".table-row").forEach((row) => {
        tables.push({ number: Number(row.dataset.number), topic: i + 1, host: row.querySelector("[name=host]").value,
          capacity: Number(row.querySelector("[name=capacity]").value),
          tags: row.querySelector("[name=tags]").value.split(",").map((tag) => tag.trim()).filter(Boolean) });
      });
    });
    return {
      name: form.name.value, language: form.language.value, joining_open: getView().joining_open,
      groups: form.groups.value.split(",").map((g) => g.trim()).filter(Boolean),
      rounds: [...roundsEl.querySelectorAll("input")].map((i) => ({ minutes: Number(i.value) })),
      topics, tables,
    };
  }

  function showMessage(id, text) {
    const el = document.getElementById(id);
    el.textContent = text || "";
    el.hidden = !text;
  }

  document.getElementById("add-round").addEventListener("click", () => { roundsEl.append(roundRow(20)); applyLocks(); });
  document.getElementById("add-topic").addEventListener("click", () => {
    const used = new Set([...topicsEl.querySelectorAll("[name=colour]")].map((s) => s.value));
    topicsEl.append(topicCard({ colour: palette.find((c) => !used.has(c)) || "grey" }, [{ capacity: 5 }, { capacity: 5 }, { capacity: 5 }]));
    numberTables();
    topicsEl.lastElementChild.querySelector("[name=title]").focus();
  });
  form.addEventListener("input", () => markDirty());
  form.addEventListener("change", () => markDirty());
  // Every plain button in the form adds or removes a row.
  form.addEventListener("click", (e) => { if (e.target.closest("button[type=button]")) markDirty(); });
  window.addEventListener("beforeunload", (e) => {
    if (!dirty) return;
    saveDraft();
    e.preventDefault();
    e.returnValue = "";
  });
  // Links that leave the console in this tab (Links & QR codes, the language switch) ask first; the draft is kept
  // either way. Links opening a new tab lose nothing.
  document.addEventListener("click", (e) => {
    const link = e.target.closest("a[href]");
    if (!dirty || !link || link.target === "_blank" || link.getAttribute("href").startsWith("#")) return;
    saveDraft();
    if (!confirm(t("confirm_leave_unsaved"))) e.preventDefault();
  }, true);
  document.getElementById("setup-discard").addEventListener("click", () => {
    dropDraft();
    fill(getView());
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showMessage("setup-error", "");
    showMessage("setup-ok", t("saving"));
    try {
      const view = await api("PUT", `/events/${code}`, token, read());
      setView(view);
      dropDraft();
      fill(view);
      showMessage("setup-ok", t("saved"));
      toast(t("saved"));
      onSaved?.(view);
    } catch (err) {
      showMessage("setup-ok", "");
      showMessage("setup-error", err.message);
    }
  });

  /** First fill on page load: a draft this tab kept that differs from what is saved comes back, with a note. */
  function start(v) {
    const draft = loadDraft();
    if (draft && draftSpec(draft) !== savedSpec(v)) fillDraft(draft, v);
    else { if (draft) dropDraft(); fill(v); }
  }

  return {
    fill,
    start,
    applyLocks,
    get dirty() { return dirty; },
    /** The setup changed elsewhere (or a round started): show it unless the moderator is editing. */
    refresh(view) {
      if (dirty) { applyLocks(); showMessage("setup-ok", t("setup_changed_elsewhere")); } else fill(view);
    },
  };
}
