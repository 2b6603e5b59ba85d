// Phone networking (DESIGN.md §8): the people I met, my connections, the directory, my profile and my data.
import { api, h, t, toast } from "./common.js";

const PROFILE_FIELDS = ["organisation", "role", "offer", "seek", "interests", "email", "phone", "website"];

export function setupPeople(root) {
  const token = root.dataset.token;
  const byId = (id) => document.getElementById(id);
  const directory = { q: "", page: 1, loaded: false };

  const where = (p) => (p.rounds.length
    ? t("met_where", { rounds: p.rounds.join(", "), tables: p.tables.join(", ") }) : null);

  async function act(method, path, body) {
    try {
      await api(method, path, token, body);
    } catch (err) {
      toast(t("connection_failed", { message: err.message }), "error");
    }
    refresh();
  }

  function actions(p) {
    const connect = () => act("POST", "/me/connections", { participant: p.id });
    const drop = () => act("DELETE", `/me/connections/${p.id}`);
    const label = (key) => `${t(key)}: ${p.name}`;
    switch (p.connection) {
      case "requested":
        return [h("span", { class: "person-state" }, t("request_sent")),
          h("button", { type: "button", "aria-label": label("withdraw"), onclick: drop }, t("withdraw"))];
      case "incoming":
        return [h("span", { class: "person-state" }, t("wants_to_connect")),
          h("button", { type: "button", class: "primary", "aria-label": label("accept"), onclick: connect }, t("accept")),
          h("button", { type: "button", "aria-label": label("decline"), onclick: drop }, t("decline"))];
      case "connected":
        return [h("span", { class: "person-state connected" }, `✓ ${t("is_connected")}`),
          h("button", { type: "button", "aria-label": label("remove_connection"), onclick: drop },
            t("remove_connection"))];
      default:
        return [h("button", { type: "button", class: "primary", "aria-label": label("connect"), onclick: connect },
          t("connect"))];
    }
  }

  function contact(p) {
    if (p.connection !== "connected") return null;
    if (!p.contact) return h("p", { class: "muted" }, t("no_contact_shared"));
    const c = p.contact;
    return h("div", { class: "person-contact" },
      c.email ? h("a", { href: `mailto:${c.email}` }, c.email) : null,
      c.phone ? h("a", { href: `tel:${c.phone.replace(/[^0-9+]/g, "")}` }, c.phone) : null,
      c.website && /^https?:\/\//i.test(c.website)
        ? h("a", { href: c.website, rel: "noopener noreferrer", target: "_blank" }, c.website.replace(/^https?:\/\//i, ""))
        : null,
      h("a", { class: "button", href: `/p/${token}/contacts/${p.id}.vcf` }, t("add_contact")));
  }

  // Contact details show in "Your connections" only: the met list and the directory stay short.
  function card(p, withContact = false) {
    const org = [p.organisation, p.role].filter(Boolean).join(" · ");
    return h("li", { class: "person", dataset: { id: p.id } },
      h("p", { class: "person-name" }, p.name),
      org ? h("p", { class: "person-org" }, org) : null,
      where(p) ? h("p", { class: "person-where" }, where(p)) : null,
      p.offer ? h("p", { class: "person-text" }, t("offers", { text: p.offer })) : null,
      p.seek ? h("p", { class: "person-text" }, t("seeks", { text: p.seek })) : null,
      p.interests?.length ? h("p", { class: "person-text muted" }, p.interests.join(" · ")) : null,
      withContact ? contact(p) : null,
      h("div", { class: "person-actions" }, actions(p)));
  }

  function show(listId, people, empty, withContact = false) {
    const list = byId(listId);
    // A tap re-draws the list: keep the keyboard on the same person's card.
    const focused = document.activeElement?.closest?.(".person")?.dataset.id;
    list.replaceChildren(...(people.length ? people.map((p) => card(p, withContact))
      : [h("li", { class: "muted" }, empty)]));
    if (focused) list.querySelector(`.person[data-id="${focused}"] button`)?.focus();
  }

  async function loadDirectory(append = false) {
    const query = new URLSearchParams({ q: directory.q, page: String(directory.page) });
    const data = await api("GET", `/me/directory?${query}`, token);
    const list = byId("directory");
    const cards = data.people.map((p) => card(p));
    if (append) list.append(...cards);
    else list.replaceChildren(...(cards.length ? cards : [h("li", { class: "muted" }, t("directory_none"))]));
    byId("directory-count").textContent = t("directory_count", { total: data.total });
    byId("directory-more").hidden = data.page >= data.pages;
    directory.loaded = true;
  }

  async function refresh() {
    try {
      const [met, connections] = await Promise.all([
        api("GET", "/me/met", token), api("GET", "/me/connections", token)]);
      show("met", met.people, t("met_empty"));
      show("connections", connections.people, t("connections_empty"), true);
      byId("all-contacts").hidden = !connections.people.some((p) => p.contact);
      if (directory.loaded) {
        directory.page = 1;
        await loadDirectory();
      }
    } catch (err) {
      if (err.status === 401) window.location.reload();
    }
  }

  byId("directory-box").addEventListener("toggle", (e) => { if (e.target.open && !directory.loaded) loadDirectory(); });
  byId("directory-search").addEventListener("submit", (e) => {
    e.preventDefault();
    directory.q = byId("directory-q").value.trim();
    directory.page = 1;
    loadDirectory();
  });
  byId("directory-more").addEventListener("click", () => { directory.page += 1; loadDirectory(true); });

  const form = byId("profile-form");
  function fill(profile) {
    if (!profile) return;
    for (const key of PROFILE_FIELDS) {
      const value = profile[key];
      form.elements[key].value = Array.isArray(value) ? value.join(", ") : value ?? "";
    }
    form.elements.listed.checked = !!profile.listed;
    form.elements.share_contact.checked = !!profile.share_contact;
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {};
    for (const key of PROFILE_FIELDS) body[key] = form.elements[key].value.trim();
    body.interests = body.interests.split(/[;,]/).map((tag) => tag.trim()).filter(Boolean);
    body.listed = form.elements.listed.checked;
    body.share_contact = form.elements.share_contact.checked;
    const error = byId("profile-error");
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    try {
      const data = await api("PATCH", "/me", token, body);
      error.hidden = true;
      fill(data.profile);
      toast(t("profile_saved"));
      refresh();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      for (const detail of err.details || []) {
        const name = String(detail.field || "").split(/[.[]/)[0];
        form.elements[name]?.setAttribute?.("aria-invalid", "true");
      }
      error.focus?.();
    }
  });

  byId("erase-me").addEventListener("click", async () => {
    if (!window.confirm(t("confirm_erase"))) return;
    try {
      await api("DELETE", "/me", token);
    } catch (err) {
      toast(err.message, "error");
      return;
    }
    root.replaceChildren(h("p", { class: "seat-wait", role: "status" }, t("erased")));
  });

  let soon;
  return {
    refresh,
    /** Refresh at a random moment within `spreadMs` (after a push every phone of the room gets at once). */
    refreshSoon(spreadMs) {
      clearTimeout(soon);
      soon = setTimeout(refresh, Math.random() * spreadMs);
    },
    /** The page's state changed (round, event status): show the follow-up pack once the café is over. */
    update(me) {
      const over = me.event.status === "harvest" || me.event.status === "closed";
      byId("recap-box").hidden = !over;
      byId("summary-link").hidden = !me.event.summary_shared;
      if (!form.contains(document.activeElement)) fill(me.profile);
    },
  };
}
