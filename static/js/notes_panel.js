// The moderator's view of every pad: hide a note from the screen (and bring it back), settings, photos.
import { api, h, t, toast } from "./common.js";

export function setupNotes({ token, code, getView, setView, live }) {
  const list = document.getElementById("mod-notes");
  const topicFilter = document.getElementById("notes-topic");
  const tableFilter = document.getElementById("notes-table");
  const panel = document.getElementById("notes-panel");
  const notes = new Map();
  const SHOWN = 200;

  function render() {
    const topic = topicFilter.value;
    const table = tableFilter.value;
    const matching = [...notes.values()].filter((n) => (!topic || n.topic === topic) && (!table || String(n.table) === table));
    const shown = matching.sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, SHOWN);
    document.getElementById("notes-count").textContent = notes.size ? `(${notes.size})` : "";
    document.getElementById("notes-shown").textContent = topic || table || matching.length > SHOWN
      ? t("notes_shown", { shown: shown.length, n: matching.length }) : "";
    panel.classList.toggle("is-empty", notes.size === 0);
    list.replaceChildren(...shown.map((note) => h("li", { class: `mod-note${note.hidden ? " hidden-note" : ""}${note.starred ? " starred" : ""}` },
      h("span", { class: "note-kind" }, `${t(`kind_${note.kind}`)} · ${t("table")} ${note.table ?? "–"} · ${t("round_n", { n: note.round ?? "–" })}`),
      h("p", { class: "note-text" }, note.starred ? `★ ${note.text}` : note.text),
      h("button", { type: "button", class: note.hidden ? "" : "link-button danger",
        onclick: () => hide(note, !note.hidden) }, note.hidden ? t("show_on_screen") : t("hide_from_screen")))),
      shown.length ? [] : h("li", { class: "empty" }, t("no_notes_at_all")));
  }

  async function hide(note, hidden) {
    const ack = await live.request("hide_note", { id: note.id, hidden });
    if (ack.ok) { notes.set(ack.note.id, ack.note); render(); toast(hidden ? t("note_hidden") : t("note_shown")); }
    else toast(ack.error.message, "error");
  }

  function renderSettings() {
    const view = getView();
    document.getElementById("participant-notes").checked = !!view.participant_notes;
    document.getElementById("pad-grace").value = String(view.pad_grace_s ?? 300);
    topicFilter.replaceChildren(h("option", { value: "" }, t("all")),
      ...view.topics.map((topic) => h("option", { value: topic.title, selected: topicFilter.value === topic.title }, topic.title)));
    tableFilter.replaceChildren(h("option", { value: "" }, t("all")),
      ...view.tables.map((tb) => h("option", { value: String(tb.number), selected: tableFilter.value === String(tb.number) },
        `${t("table")} ${tb.number}`)));
  }

  async function patch(body) {
    try { setView(await api("PATCH", `/events/${code}`, token, body)); toast(t("saved")); }
    catch (err) { toast(err.message, "error"); }
  }
  document.getElementById("participant-notes").addEventListener("change", (e) => patch({ participant_notes: e.target.checked }));
  document.getElementById("pad-grace").addEventListener("change", (e) => patch({ pad_grace_s: Number(e.target.value) }));
  topicFilter.addEventListener("change", render);
  tableFilter.addEventListener("change", render);
  document.getElementById("reopen-pads").addEventListener("click", async () => {
    try {
      const result = await api("POST", `/events/${code}/pads`, token, { minutes: 15 });
      showPads(result.open);
      toast(t("pads_reopened"));
    } catch (err) { toast(err.message, "error"); }
  });

  /** The pads' state matters once a round has run: before that nothing was locked, so nothing is shown. */
  function showPads(open) {
    const el = document.getElementById("pad-state");
    const played = getView().rounds.some((r) => r.status !== "planned");
    el.textContent = open ? t("pads_open") : t("pads_locked");
    el.dataset.open = String(open);
    el.hidden = !played;
    document.getElementById("reopen-pads").hidden = !played || open || getView().status === "closed";
  }

  async function loadPhotos() {
    let data;
    try { data = await api("GET", `/events/${code}/photos`, token); } catch { return; }
    document.getElementById("photos").replaceChildren(...data.photos.map((photo) => h("figure", { class: "photo" },
      h("a", { href: `/m/${token}/photos/${photo.id}`, target: "_blank", rel: "noopener" },
        h("img", { src: `/m/${token}/photos/${photo.id}`, alt: photo.caption || `${t("table")} ${photo.table}`, loading: "lazy" })),
      h("figcaption", {}, `${t("table")} ${photo.table ?? "–"} · ${t("round_n", { n: photo.round ?? "–" })}${photo.caption ? ` · ${photo.caption}` : ""}`))),
      data.photos.length ? [] : h("p", { class: "muted" }, t("no_photos")));
  }

  async function load() {
    renderSettings();
    try {
      const data = await api("GET", `/events/${code}/notes`, token);
      notes.clear();
      for (const note of data.notes) notes.set(note.id, note);
      render();
    } catch { /* shown as empty; the next push fills it */ }
    loadPhotos();
  }

  return {
    load,
    renderSettings,
    showPads,
    upsert(note) { if (note.deleted) notes.delete(note.id); else notes.set(note.id, note); render(); },
    get count() { return notes.size; },
    loadPhotos,
  };
}
