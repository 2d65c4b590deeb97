// The consultations tab, loaded when first opened (app.js: need("consult")): uses app.js's helpers.
"use strict";
// -- consultations: read a draft article by article, comment, and (secretaries, committees) the synthesis ----
const STANCES = ["agree", "disagree", "propose"];

function commentForm(consultation, target, label, existing) {
  const form = el("form", { class: "comment" });
  const stance = el("select", { "aria-label": T.stance }, ...STANCES.map((s) => el("option", { value: s }, T["stance_" + s])));
  const text = el("textarea", { rows: "3", maxlength: "3000", required: "", "aria-label": `${T.your_comment}: ${label}` });
  if (existing) { stance.value = existing.stance || "propose"; text.value = existing.text; } else stance.value = "propose";
  form.append(el("label", {}, T.stance, stance), el("label", {}, T.your_comment, text),
    el("button", { type: "submit" }, existing ? T.save : T.send_comment));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(form, true);
    const body = { target, stance: stance.value, text: text.value, expected_version: existing ? existing.version : null };
    const url = `/v1/consultations/${consultation.id}/comments` + (existing ? `/${existing.id}` : "");
    try {
      await act("comment", `${label}: ${text.value.slice(0, 60)}`, existing ? "PUT" : "POST", url, body);
      await openConsultation(consultation.id);
    } catch (exc) { /* the error is shown */ } finally { busy(form, false); }
  });
  return form;
}

function myComment(consultation, c) {
  const item = el("li", {}, el("p", {}, `${T["stance_" + c.stance] || ""}: ${c.text}`));
  if (consultation.open) {
    item.append(button(T.edit, async () => item.replaceChildren(commentForm(consultation, c.target, c.target || T.whole_draft, c)), null),
      button(T.withdraw, () => api(`/v1/consultations/${consultation.id}/comments/${c.id}`, { method: "DELETE" }),
        () => openConsultation(consultation.id)));
  }
  return item;
}

async function openConsultation(id) {
  const consultation = await (await api(`/v1/consultations/${id}`)).json();
  const articles = await (await api(`/v1/consultations/${id}/articles`)).json();
  const mine = (target) => consultation.my_comments.filter((c) => c.target === target);
  const box = $("#consultation");
  const wasOpen = new Set([...box.querySelectorAll("details[open]")].map((d) => d.dataset.target));
  box.replaceChildren(el("h2", {}, consultation.title));
  for (const a of [...articles.filter((x) => x.target), { target: "", heading: T.whole_draft, text: "" }]) {
    const details = el("details", { "data-target": a.target }, el("summary", {}, a.heading.split(" > ").pop()),
      el("pre", { class: "draft" }, a.text));
    details.open = wasOpen.has(a.target);  // the article being commented on stays open
    if (a.text) details.append(readAloud(() => a.text));
    const own = mine(a.target);
    if (own.length) details.append(el("ul", { class: "mine" }, ...own.map((c) => myComment(consultation, c))));
    if (consultation.open) details.append(commentForm(consultation, a.target, a.heading.split(" > ").pop()));
    box.append(details);
  }
  if (me && me.permissions.includes("draft")) box.append(button(T.synthesis, () => showSynthesis(id), null));
}

async function showSynthesis(id) {
  const found = await (await api(`/v1/consultations/${id}/synthesis`)).json();
  const section = el("section", { id: "synthesis" }, el("h2", {}, `${T.synthesis}: ${found.synthesis.comments} ${T.comments_n}`));
  for (const t of found.synthesis.targets) {
    section.append(el("h3", {}, `${t.target ? t.target.split(" > ").pop() : T.whole_draft} (${t.comments})`));
    const list = el("ul", {});
    for (const th of [...t.themes, ...(t.other ? [t.other] : [])]) {
      list.append(el("li", { class: "theme" }, el("strong", {}, th.title_comment_id ? th.title : T.other_comments),
        ` — ${th.comments} ${T.comments_n} (${T.stance_agree} ${th.agree}, ${T.stance_disagree} ${th.disagree}, ${T.stance_propose} ${th.propose})`,
        el("ul", {}, ...th.quotes.map((q) => el("li", {}, el("q", {}, q.text))))));
    }
    section.append(list);
  }
  const old = $("#synthesis");
  if (old) old.remove();
  $("#consultation").append(section);
}

async function loadConsultations() {
  const list = await (await api("/v1/consultations")).json();
  $("#consultations").replaceChildren(...(list.length ? list.map((c) => el("article", { class: "meeting" },
    el("h3", {}, c.title), el("p", {}, `${T.deadline}: ${when(c.deadline)}${c.open ? "" : " (" + T.closed + ")"} · ${c.comments} ${T.comments_n}`),
    button(T.read_comment, () => openConsultation(c.id), null))) : [el("p", {}, T.no_consultations)]));
  if (!$("#consult-form").hidden) {
    const documents = await (await api("/v1/documents")).json();
    $("#co-doc").replaceChildren(...documents.map((d) => el("option", { value: d.doc_id }, `${d.doc_number || d.doc_id} — ${(d.title || "").slice(0, 60)}`)));
  }
}

$("#consult-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  busy(form, true);
  try {
    await postJSON("/v1/consultations", { doc_id: $("#co-doc").value, deadline: $("#co-deadline").value,
      org_units: $("#co-units").value.split(",").map((u) => u.trim()).filter(Boolean) });
    form.reset();
    await loadConsultations();
  } catch (exc) { /* the error is shown */ } finally { busy(form, false); }
});
