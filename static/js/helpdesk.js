// The console's help desk: find anyone by name and show their own QR code again (big, for their phone to scan),
// and merge two records of one person. The help desk's own page (desk.js) shares the search box.
import { api, h, keepFocusIn, t, toast } from "./common.js";

/** Search as the desk types: ``find(query)`` runs 150 ms after the last keystroke (an empty box runs ``clear``);
 * ``show(answer)`` gets only the answer to the newest query. Enter clicks the first result's button. */
export function liveSearch(input, results, { find, show, clear }) {
  let timer = null;
  let asked = 0;
  async function run() {
    const query = input.value.trim();
    const mine = ++asked;
    if (!query) { clear(); return; }
    try {
      const answer = await find(query);
      if (mine === asked) show(answer);  // else a later keystroke already asked again
    } catch (err) { toast(err.message, "error"); }
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    results.querySelector("button")?.click();
  });
  return run;
}

export function setupHelpDesk({ token, code, onMerged }) {
  const input = document.getElementById("help-search");
  const results = document.getElementById("help-results");
  const count = document.getElementById("help-count");
  const dialog = document.getElementById("qr-dialog");
  keepFocusIn(dialog);

  function showQr(person) {
    document.getElementById("qr-name").textContent = t("qr_for", { name: person.name });
    const image = document.getElementById("qr-image");
    image.src = `/m/${token}/participants/${person.id}/qr.svg`;
    image.alt = person.link;
    const link = document.getElementById("qr-link");
    link.textContent = person.link;
    link.href = person.link;
    dialog.showModal();
  }

  liveSearch(input, results, {  // Enter shows the first match's code
    find: (query) => api("GET", `/events/${code}/participants?q=${encodeURIComponent(query)}`, token),
    clear: () => { results.replaceChildren(); count.textContent = ""; },
    show: ({ participants }) => {
      count.textContent = participants.length ? t("matches", { n: participants.length }) : t("no_match");
      results.replaceChildren(...participants.slice(0, 50).map((person) => h("li", {},
        h("span", { class: "help-name" }, person.name),
        h("span", { class: "muted" }, person.group || ""),
        h("button", { type: "button", class: "primary", onclick: () => showQr(person) }, t("show_qr")))));
    },
  });

  const list = document.getElementById("duplicates");

  async function merge(keep, drop) {
    if (!confirm(t("confirm_merge", { keep: keep.name, drop: drop.name }))) return;
    try {
      await api("POST", `/events/${code}/participants/merge`, token, { keep: keep.id, drop: drop.id });
      toast(t("merged", { keep: keep.name, drop: drop.name }));
      await loadDuplicates();
      onMerged?.();
    } catch (err) { toast(err.message, "error"); }
  }

  const describe = (p) => h("span", { class: "dup-person" }, h("strong", {}, p.name),
    ` ${p.group || ""} · ${t(`source_${p.source}`)}`);

  async function loadDuplicates() {
    try {
      const { pairs } = await api("GET", `/events/${code}/duplicates`, token);
      list.replaceChildren(...(pairs.length ? pairs.map(({ a, b, similarity }) => h("li", {},
        h("p", {}, describe(a), " ↔ ", describe(b), h("span", { class: "pill" }, t("similarity", { n: similarity }))),
        h("div", { class: "row" },
          h("button", { type: "button", onclick: () => merge(a, b) }, t("keep_this", { name: `${a.name} (${a.id})` })),
          h("button", { type: "button", onclick: () => merge(b, a) }, t("keep_this", { name: `${b.name} (${b.id})` })))))
        : [h("li", { class: "muted" }, t("no_duplicates"))]));
    } catch (err) { toast(err.message, "error"); }
  }

  document.getElementById("check-duplicates").addEventListener("click", loadDuplicates);
}
