// Console: the harvest panel. Rename, merge and hide themes; choose the notes the phones vote on; watch the votes.
import { api, h, t, toast } from "./common.js";

/** Wire the panel (templates/_harvest_panel.html); returns the live handlers the console's socket should call. */
export function setupHarvest({ token, code }) {
  const panel = document.getElementById("harvest-panel");
  if (!panel) return { handlers: {} };
  const details = document.getElementById("harvest-details");
  const themesBox = document.getElementById("harvest-themes");
  const editsBox = document.getElementById("harvest-edits");
  const candidatesBox = document.getElementById("harvest-candidates");
  const shortlistState = document.getElementById("harvest-shortlist-state");
  const resultsBox = document.getElementById("harvest-results");
  const status = document.getElementById("harvest-status");
  let view = null;
  let renaming = null;
  // Ticks not yet saved survive a reload of the panel (a co-moderator's edit, a vote): nobody loses a half-made list.
  let ticked = null;

  async function load() {
    status.textContent = t("harvest_loading");
    try {
      view = await api("GET", `/events/${code}/harvest`, token);
      status.textContent = "";
      render();
    } catch (err) {
      status.textContent = err.message;
    }
  }

  async function edit(body, done) {
    try {
      view = await api("POST", `/events/${code}/themes/edits`, token, body);
      renaming = null;
      render();
      toast(done);
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function saveShortlist(notes) {
    try {
      view = await api("PUT", `/events/${code}/shortlist`, token, { notes });
      ticked = null;
      render();
      toast(notes === null ? t("shortlist_cleared") : t("shortlist_saved", { n: notes.length }));
    } catch (err) {
      toast(err.message, "error");
    }
  }

  // The page's CSP refuses style attributes; custom properties set through the CSSOM are fine.
  const styled = (el, name, value) => { el.style.setProperty(name, value); return el; };

  const counts = (theme) => [t("n_tables", { n: theme.tables }), t("n_rounds", { n: theme.rounds }),
    t("n_notes", { n: theme.notes })].join(" · ");

  function themeRow(theme, others) {
    if (renaming === theme.key) {
      const input = h("input", { value: theme.label, maxlength: 80, "aria-label": t("theme_new_name", { label: theme.label }) });
      const form = h("form", { class: "theme-rename", onsubmit: (e) => {
        e.preventDefault();
        edit({ action: "rename", key: theme.key, label: input.value.trim() }, t("theme_renamed"));
      } }, input, h("button", { type: "submit", class: "primary" }, t("save")),
      h("button", { type: "button", onclick: () => { renaming = null; render(); } }, t("cancel")));
      setTimeout(() => input.focus(), 0);
      return h("li", { class: "theme-row" }, form);
    }
    const merge = h("select", { "aria-label": t("theme_merge_into", { label: theme.label }), onchange: (e) => {
      if (e.target.value) edit({ action: "merge", key: theme.key, into: e.target.value }, t("theme_merged"));
    } }, h("option", { value: "" }, t("theme_merge")), others.map((o) => h("option", { value: o.key }, o.label)));
    return h("li", { class: "theme-row", dataset: { key: theme.key } },
      h("span", { class: "theme-label" }, h("strong", {}, theme.label), theme.renamed ? h("span", { class: "muted" }, ` (${t("theme_was_renamed")})`) : null),
      h("span", { class: "muted theme-counts" }, counts(theme)),
      h("span", { class: "theme-actions" },
        h("button", { type: "button", onclick: () => { renaming = theme.key; render(); } }, t("theme_rename")),
        others.length ? merge : null,
        h("button", { type: "button", onclick: () => edit({ action: "hide", key: theme.key, label: theme.label }, t("theme_hidden")) }, t("theme_hide"))));
  }

  function renderThemes() {
    const allThemes = view.topics.flatMap((topic) => topic.themes);
    themesBox.replaceChildren(...view.topics.map((topic) => styled(h("div", { class: "harvest-topic" },
      h("h4", {}, topic.title),
      topic.themes.length
        ? h("ol", { class: "theme-list" }, topic.themes.map((theme) => themeRow(theme,
          [...topic.themes, ...allThemes.filter((o) => !topic.themes.includes(o))]
            .filter((o, i, list) => o.key !== theme.key && list.findIndex((x) => x.key === o.key) === i))))
        : h("p", { class: "muted" }, t("no_themes_yet"))), "--topic", topic.colour_hex)));
    const undo = [
      ...view.hidden.map((item) => h("li", {}, h("span", {}, t("theme_is_hidden", { label: item.label })),
        h("button", { type: "button", onclick: () => edit({ action: "show", key: item.key }, t("theme_shown")) }, t("theme_show")))),
      ...view.merged.map((item) => h("li", {}, h("span", {}, t("theme_is_merged", { key: item.key, into: item.into })),
        h("button", { type: "button", onclick: () => edit({ action: "unmerge", key: item.key }, t("theme_unmerged")) }, t("theme_unmerge")))),
    ];
    editsBox.replaceChildren(...(undo.length ? [h("h4", {}, t("theme_edits")), h("ul", { class: "theme-edits" }, undo)] : []));
  }

  function renderShortlist() {
    const chosen = new Set(view.shortlist || []);
    const items = [...view.shortlisted, ...view.candidates.filter((c) => !chosen.has(c.id))];
    const checked = ticked || chosen;
    shortlistState.textContent = view.shortlist === null
      ? t("shortlist_none", { n: view.candidates.length })
      : t("shortlist_some", { n: view.shortlisted.length });
    const boxes = items.map((item) => h("li", {}, h("label", { class: "check" },
      h("input", { type: "checkbox", value: item.id, checked: checked.has(item.id), onchange: () => {
        ticked = new Set([...candidatesBox.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value));
      } }),
      h("span", {}, item.text, h("span", { class: "muted" }, `${item.topic || ""} · ${t("table")} ${item.table ?? "–"}`)))));
    candidatesBox.replaceChildren(
      items.length ? h("ul", { class: "shortlist" }, boxes) : h("p", { class: "muted" }, t("no_candidates")),
      h("div", { class: "row" },
        h("button", { type: "button", class: "primary", disabled: !items.length, onclick: () => saveShortlist(
          [...candidatesBox.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value)) }, t("shortlist_save")),
        h("button", { type: "button", disabled: view.shortlist === null, onclick: () => saveShortlist(null) }, t("shortlist_clear"))));
  }

  function renderResults() {
    const results = view.votes.results;
    const most = Math.max(1, ...results.map((r) => r.votes));
    resultsBox.replaceChildren(
      h("p", { class: "muted" }, view.votes.open ? t("votes_open", { n: view.votes.total }) : t("votes_closed", { n: view.votes.total })),
      results.length ? h("ol", { class: "vote-results" }, results.map((r) => h("li", {},
        h("span", { class: "vote-text" }, r.text),
        styled(h("span", { class: "vote-bar", "aria-hidden": "true" }), "--share", `${Math.round((100 * r.votes) / most)}%`),
        h("strong", { class: "vote-count" }, t("n_votes", { n: r.votes }))))) : null);
  }

  function render() {
    if (!view) return;
    renderThemes();
    renderShortlist();
    renderResults();
  }

  details.addEventListener("toggle", () => { if (details.open && !view) load(); });
  document.getElementById("harvest-refresh").addEventListener("click", load);
  const reloadIfOpen = () => { if (details.open) load(); };
  return {
    load,
    handlers: {
      votes_changed: (p) => {
        if (!view) return;
        const before = [view.votes.results, view.candidates, view.shortlisted]
          .map((list) => list.find((i) => i.id === p.note_id)).filter(Boolean);
        if (before.length) view.votes.total += p.votes - before[0].votes;
        for (const item of before) item.votes = p.votes;
        view.votes.results.sort((a, b) => b.votes - a.votes);
        renderResults();
      },
      themes_edited: reloadIfOpen,
      ballot_changed: reloadIfOpen,
    },
  };
}
