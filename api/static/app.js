// The page's behaviour: tabs, the access key, and calls to the JSON API. No framework, no build step.
"use strict";
const T = JSON.parse(document.getElementById("ui-text").textContent);
const $ = (selector) => document.querySelector(selector);
const errorBox = $("#error");
const ASSET_VERSION = new URL(document.currentScript.src).searchParams.get("v") || "";
const modules = {};
function need(name) {
  // A part of the page loaded on first use (kept by the service worker for offline use like the rest).
  return (modules[name] ||= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = `/static/${name}.js?v=${ASSET_VERSION}`;
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  }));
}
let lastSummary = null;
let me = null;           // who the key stands for (/v1/me)
let recordOf = null;     // the meeting whose record the minutes form is completing

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

function plainError(status, body) {
  // The API's own words when it gave a reason a person can act on; never a stack trace.
  if (status === 401) return T.err_401;
  if (status === 403) return T.err_403 + (body && typeof body.detail === "string" ? " (" + body.detail + ")" : "");
  if (status >= 500 && !(body && typeof body.detail === "string")) return T.err_server;
  if (body && Array.isArray(body.detail)) return body.detail.map((d) => (d.loc || []).slice(1).join(".") + ": " + d.msg).join("\n");
  if (body && typeof body.detail === "string") return body.detail;
  return T.err_server;
}

class Offline extends Error {}

async function api(path, options = {}) {
  const key = localStorage.getItem("apiKey");
  if (!key) { showError(T.need_key); throw new Error("no key"); }
  const headers = Object.assign({ Authorization: "Bearer " + key }, options.headers || {});
  let response;
  try {
    response = await fetch(path, Object.assign({}, options, { headers }));
  } catch (exc) {
    showError(navigator.onLine ? T.err_network : T.offline); throw new Offline(String(exc));
  }
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (exc) { body = null; }
    if (response.status === 401) forgetData();  // revoked: nothing read with it stays on the phone
    showError(plainError(response.status, body));
    throw new Error("HTTP " + response.status);
  }
  showError("");
  $("#offline").hidden = response.headers.get("X-From-Cache") !== "offline";
  return response;
}

const postJSON = (path, body) => api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

function busy(form, on) {
  for (const button of form.querySelectorAll("button")) button.disabled = on;
  form.setAttribute("aria-busy", on ? "true" : "false");
}

// -- tabs (arrow keys move between them, as in the WAI-ARIA tabs pattern) -------------------------
const tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(tab) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
  }
  tab.focus();
  if (tab.id === "tab-documents" || tab.id === "tab-summaries") loadDocuments().catch(() => {});
  if (tab.id === "tab-meetings") loadMeetings().catch(() => {});
  if (tab.id === "tab-consult") need("consult").then(() => loadConsultations()).catch(() => {});
}
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (step) selectTab(tabs[(i + step + tabs.length) % tabs.length]);
  });
});

// -- access key ----------------------------------------------------------------------------------
async function whoAmI() {
  me = await (await api("/v1/me")).json();
  $("#who").textContent = `${T.signed_in} ${me.name} (${me.role}, ${me.org_unit || "—"})`;
  $("#upload-form").hidden = !me.permissions.includes("ingest");
  $("#schedule-form").hidden = !me.permissions.includes("draft");
  $("#consult-form").hidden = !me.permissions.includes("draft");
}
$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem("apiKey", $("#api-key").value.trim());
  $("#api-key").value = "";
  whoAmI().catch(() => {});
  renderRecent();
  renderOutbox();
  flushOutbox();
});
if (localStorage.getItem("apiKey")) whoAmI().catch(() => {});

// -- citations -----------------------------------------------------------------------------------
function citationList(citations) {
  const list = el("ol", { class: "citations" });
  citations.forEach((c) => {
    const where = [c.doc_number || c.title || c.doc_id, c.structure_path, `${T.page} ${c.page}`].filter(Boolean).join(", ");
    const details = el("details", {}, el("summary", {}, where), el("blockquote", {}, c.quote), el("p", { class: "hint" }, c.title || ""));
    list.append(el("li", {}, details));
  });
  return list;
}

// -- ask -----------------------------------------------------------------------------------------
function showAnswer(answer, question) {
  $("#answer").replaceChildren(
    el("p", { class: "hint" }, question),
    el("p", { class: answer.status === "answered" ? "answer" : "answer not-found" }, answer.answer),
    readAloud(() => answer.answer),
    ...(answer.citations.length ? [el("h2", {}, T.sources), citationList(answer.citations)] : []),
    el("p", { class: "hint" }, `${T.engine}: ${answer.engine}`));
}

$("#ask-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const question = $("#question").value;
  busy(form, true);
  $("#answer").textContent = T.working;
  try {
    const answer = await act("ask", question, "POST", "/v1/ask", { question });
    if (answer) { remember(question, answer); showAnswer(answer, question); } else $("#answer").textContent = T.queued;
  } catch (exc) {
    $("#answer").textContent = "";
  } finally {
    busy(form, false);
  }
});

// -- offline: actions queued on the phone, sent once when the network returns --------------------------
const owner = () => (localStorage.getItem("apiKey") || "").slice(-12);
const stored = (name) => JSON.parse(localStorage.getItem(name) || "[]");
const store = (name, items) => localStorage.setItem(name, JSON.stringify(items));
const newId = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(36).slice(2));

function send(item) {
  // The Idempotency-Key makes a resent action (the answer was lost on the way) count once on the server.
  return api(item.path, { method: item.method, body: JSON.stringify(item.body),
    headers: { "Content-Type": "application/json", "Idempotency-Key": item.id } });
}

async function act(kind, label, method, path, body) {
  // Done now when online; queued (null) when the phone has no network.
  const item = { id: newId(), kind, label, method, path, body, owner: owner() };
  if (navigator.onLine) {
    try { return await (await send(item)).json(); } catch (exc) { if (!(exc instanceof Offline)) throw exc; }
  }
  store("outbox", [...stored("outbox"), item]);
  renderOutbox();
  return null;
}

let flushing = false;
async function flushOutbox() {
  // Sends what waits, oldest first; stops at the first network failure (tried again later, same keys).
  const waiting = stored("outbox").filter((i) => i.owner === owner());
  if (flushing || !navigator.onLine || !waiting.length) return;
  flushing = true;
  try {
    for (const item of waiting) {
      let result = null;
      try { result = await (await send(item)).json(); } catch (exc) { if (exc instanceof Offline) return; }
      store("outbox", stored("outbox").filter((i) => i.id !== item.id));  // delivered, or refused (shown)
      if (item.kind === "ask" && result) { remember(item.label, result); showAnswer(result, item.label); }
    }
  } finally {
    flushing = false;
    renderOutbox();
    if (!$("#panel-meetings").hidden) loadMeetings().catch(() => {});
  }
}
setInterval(flushOutbox, 20000);  // the network may come back without an "online" event, or drop an answer

function renderOutbox() {
  const waiting = stored("outbox").filter((i) => i.owner === owner());
  $("#outbox").hidden = !waiting.length;
  $("#outbox-list").replaceChildren(...waiting.map((i) => el("li", {}, `${T["queued_" + i.kind]}: ${i.label}`)));
}

function remember(question, answer) {
  store("answers", [{ question, answer }, ...stored("answers").filter((a) => a.question !== question)].slice(0, 10));
  renderRecent();
}

function renderRecent() {
  const answers = stored("answers");
  $("#recent").hidden = !answers.length;
  $("#recent-list").replaceChildren(...answers.map((a) => {
    const open = el("button", { type: "button", class: "link" }, a.question);
    open.addEventListener("click", () => showAnswer(a.answer, a.question));
    return el("li", {}, open);
  }));
}

function forgetData() {
  // The key was revoked (the server said 401) or removed: its answers, queue and kept meetings go.
  for (const name of ["answers", "outbox"]) localStorage.removeItem(name);
  if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("forget-key");
  renderRecent();
  renderOutbox();
}
$("#forget-key").addEventListener("click", () => {
  localStorage.removeItem("apiKey");
  $("#who").textContent = "";
  forgetData();
});

function readAloud(text) {
  // One tap: the server's own voice reads it (slowly by default; the speed is a setting).
  const button = el("button", { type: "button", class: "speak" }, T.read_aloud);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await postJSON("/v1/speech", { text: text(), language: document.documentElement.lang,
        rate_wpm: Number(localStorage.getItem("rate") || 115) });
      const audio = el("audio", { controls: "", src: URL.createObjectURL(await response.blob()) });
      button.after(audio);
      audio.play().catch(() => {});
    } catch (exc) { /* the error is shown */ } finally { button.disabled = false; }
  });
  return button;
}

// -- display settings, remembered on the phone ------------------------------------------------------
for (const [id, cls] of [["#set-large", "large-text"], ["#set-contrast", "high-contrast"]]) {
  const box = $(id);
  box.checked = localStorage.getItem(cls) === "1";
  document.documentElement.classList.toggle(cls, box.checked);
  box.addEventListener("change", () => {
    localStorage.setItem(cls, box.checked ? "1" : "0");
    document.documentElement.classList.toggle(cls, box.checked);
  });
}
$("#set-rate").value = localStorage.getItem("rate") || "115";
$("#set-rate").addEventListener("change", () => localStorage.setItem("rate", $("#set-rate").value));

window.addEventListener("online", () => { $("#offline").hidden = true; flushOutbox(); });
window.addEventListener("offline", () => { $("#offline").hidden = false; });
$("#offline").hidden = navigator.onLine;
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
renderRecent();
renderOutbox();
flushOutbox();

// -- minutes: rows that can be added and removed ---------------------------------------------------
for (const group of document.querySelectorAll("fieldset.rows")) {
  const list = group.querySelector(".row-list");
  const addRow = () => {
    const row = group.querySelector("template").content.firstElementChild.cloneNode(true);
    row.querySelector(".remove").addEventListener("click", () => row.remove());
    list.append(row);
    row.querySelector("input, textarea").focus();
  };
  group.querySelector(".add").addEventListener("click", addRow);
}

function rows(group) {
  return [...document.querySelectorAll(`fieldset[data-group="${group}"] .row`)].map((row) => {
    const value = {};
    for (const input of row.querySelectorAll("[data-field]")) value[input.dataset.field] = input.value.trim();
    return value;
  });
}

function meetingRecord() {
  const form = $("#minutes-form");
  const record = { organization: {}, chair: {}, secretary: {}, language: document.documentElement.lang === "en" ? "en" : "vi" };
  for (const input of form.querySelectorAll("input[name]")) {
    const [outer, inner] = input.name.split(".");
    const value = input.type === "number" ? Number(input.value || 0) : input.value.trim();
    if (inner) record[outer][inner] = value; else record[outer] = value;
  }
  record.absent = rows("absent").filter((r) => r.name).map((r) => ({ name: r.name, reason: r.reason }));
  record.agenda = rows("agenda").filter((r) => r.item_title).map((r) => ({ title: r.item_title, notes: r.notes }));
  record.decisions = rows("decisions").filter((r) => r.decision_text).map((r) => ({
    text: r.decision_text, votes: { agree: Number(r.agree || 0), disagree: Number(r.disagree || 0), abstain: Number(r.abstain || 0) } }));
  return record;
}

$("#minutes-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  busy(form, true);
  try {
    const draft = await (await postJSON("/v1/draft/minutes?format=json", { record: meetingRecord() })).json();
    $("#minutes-preview").replaceChildren(el("h2", {}, draft.title), el("pre", { class: "draft" }, draft.markdown));
  } catch (exc) {
    $("#minutes-preview").textContent = "";
  } finally {
    busy(form, false);
  }
});

function saveBlob(blob, name) {
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

function fileName(response, fallback) {
  const match = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get("Content-Disposition") || "");
  return match ? decodeURIComponent(match[1]) : fallback;
}

// Download buttons: the minutes or the cell's resolution, as DOCX or PDF in the official form.
document.querySelectorAll("button[data-draft]").forEach((button) => button.addEventListener("click", async () => {
  const form = $("#minutes-form");
  if (!form.reportValidity()) return;
  const { draft, format } = button.dataset;
  busy(form, true);
  try {
    const response = await postJSON(`/v1/draft/${draft}?format=${format}`, { record: meetingRecord() });
    saveBlob(await response.blob(), fileName(response, `${draft}.${format}`));
  } catch (exc) { /* the error is shown */ } finally {
    busy(form, false);
  }
}));

// -- documents and summaries -------------------------------------------------------------------------
async function loadDocuments() {
  const documents = await (await api("/v1/documents")).json();
  const list = $("#documents");
  list.replaceChildren(...(documents.length ? documents.map((d) => el("li", {},
    el("strong", {}, d.doc_number || d.doc_id), " — " + (d.title || ""), el("span", { class: "hint" }, ` (${d.access_level})`)))
    : [el("li", {}, T.no_documents)]));
  const select = $("#s-doc");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, "—"),
    ...documents.map((d) => el("option", { value: d.doc_id }, `${d.doc_number || d.doc_id} — ${(d.title || "").slice(0, 70)}`)));
  select.value = chosen;
}

$("#upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  busy(form, true);
  try {
    const response = await api("/v1/documents", { method: "POST", body: new FormData(form) });
    let result = await response.json();
    if (response.status === 202) {  // a long scan: OCR reads it page by page as a job
      result = await finishedJob(result.id, (job) => {
        $("#upload-result").textContent = `${T.working} ${Math.round(100 * job.progress)}% ${job.message}`;
      });
    }
    $("#upload-result").textContent = `${T.uploaded}: ${result.doc_id} (${result.status})`;
    await loadDocuments();
  } catch (exc) { $("#upload-result").textContent = ""; } finally {
    busy(form, false);
  }
});

$("#summary-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const file = $("#s-file").files[0];
  busy(form, true);
  $("#audio").textContent = "";
  $("#summary").textContent = T.working;
  try {
    let response;
    if (file) {
      const data = new FormData();
      data.append("file", file);
      data.append("length", $("#s-length").value);
      response = await api("/v1/summarize/upload", { method: "POST", body: data });
    } else {
      response = await postJSON("/v1/summarize", { doc_id: $("#s-doc").value || null, length: $("#s-length").value });
    }
    lastSummary = await response.json();
    if (response.status === 202) lastSummary = await finishedJob(lastSummary.id);
    const points = el("ol", { class: "points" }, ...lastSummary.points.map((p) => el("li", {}, p.text + " " + p.citations.map((n) => `[${n}]`).join(""))));
    const summary = lastSummary;
    $("#summary").replaceChildren(el("h2", {}, summary.title), points, readAloud(() => summary.points.map((p) => p.text).join("\n")),
      el("h2", {}, T.sources), citationList(summary.citations));
    $("#make-audio").hidden = false;
  } catch (exc) {
    $("#summary").textContent = "";
  } finally {
    busy(form, false);
  }
});

async function finishedJob(id, onProgress) {
  for (;;) {
    const job = await (await api(`/v1/jobs/${id}?wait=${onProgress ? 2 : 10}`)).json();
    if (onProgress) onProgress(job);
    if (job.status === "done") return job.result;
    if (job.status === "failed") { showError(job.error.detail); throw new Error(job.error.detail); }
  }
}

$("#make-audio").addEventListener("click", async () => {
  const button = $("#make-audio");
  button.disabled = true;
  $("#audio").textContent = T.audio_wait;
  try {
    const job = await (await postJSON("/v1/bulletins", { summary: lastSummary, format: "mp3" })).json();
    await finishedJob(job.id);
    const response = await api(`/v1/jobs/${job.id}/audio`);
    const url = URL.createObjectURL(await response.blob());
    $("#audio").replaceChildren(el("audio", { controls: "", src: url }),
      el("a", { href: url, download: fileName(response, "ban-tin.mp3"), class: "button" }, T.download_audio));
  } catch (exc) {
    $("#audio").textContent = "";
  } finally {
    button.disabled = false;
  }
});

// -- meetings: the cell's cycle (schedule, notice, replies, record, approval) --------------------------
const putJSON = (path, body) => api(path, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const when = (iso) => iso.replace("T", " ").slice(0, 16);

function button(label, action, then = loadMeetings) {
  // A button that does ``action`` (errors are shown), then refreshes with ``then`` (the meetings by default).
  const b = el("button", { type: "button" }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await action(); if (then) await then(); } catch (exc) { /* the error is shown */ } finally { b.disabled = false; }
  });
  return b;
}

function replyControls(m) {
  const reason = el("input", { "aria-label": T.reason, maxlength: "500" });
  const mine = m.my_reply ? `${T.your_reply}: ${m.my_reply.attending ? T.attend : T.cannot_attend + " — " + m.my_reply.reason}` : "";
  const send = (attending) => act("reply", `${when(m.starts_at)} — ${attending ? T.attend : T.cannot_attend}`, "PUT",
    `/v1/meetings/${m.id}/reply`, { attending, reason: attending ? "" : reason.value,
      expected_version: m.my_reply ? m.my_reply.version : null });
  return [el("p", { class: "hint" }, mine), button(T.attend, () => send(true)),
    el("label", {}, T.reason, reason), button(T.cannot_attend, () => send(false))];
}

function meetingCard(m) {
  const started = m.started;
  const oversees = m.replies !== null;
  const card = el("article", { class: "meeting", "data-meeting": m.id },
    el("h3", {}, `${when(m.starts_at)} — ${m.organization.name}`),
    el("p", {}, `${m.place || "online"} · ${T["status_" + m.status]}` + (m.published_at ? "" : ` · ${T.not_published}`)),
    el("ol", {}, ...m.agenda.map((a) => el("li", {}, a))),
    el("p", { class: "hint" }, `${m.attending} ${T.attending}, ${m.not_attending} ${T.not_attending}`));
  if (m.notice) card.append(el("details", {}, el("summary", {}, T.notice), el("pre", { class: "draft" }, m.notice), readAloud(() => m.notice)));
  if (me && me.org_unit === m.org_unit && m.status === "scheduled" && m.published_at && !started) card.append(...replyControls(m));
  if (oversees && m.status === "scheduled" && !started) card.append(button(T.publish, () => api(`/v1/meetings/${m.id}/publish`, { method: "POST" })));
  if (oversees && started && m.status !== "cancelled") card.append(button(T.complete_record, () => openRecord(m)));
  if (oversees && m.documents.some((d) => d.status === "draft")) {
    card.append(button(T.approve, () => postJSON(`/v1/meetings/${m.id}/approve`, { expected_version: m.version })));
  }
  for (const d of m.documents) {
    card.append(el("details", {}, el("summary", {}, `${T["doc_" + d.kind]} (${d.revision}, ${T["doc_" + d.status]})`),
      el("pre", { class: "draft" }, d.markdown), readAloud(() => d.markdown)));
  }
  return card;
}

async function loadMeetings() {
  const meetings = await (await api(`/v1/meetings?all=${$("#mt-all").checked}`)).json();
  $("#meetings").replaceChildren(...(meetings.length ? meetings.map(meetingCard) : [el("p", {}, T.no_meetings)]));
}
$("#mt-all").addEventListener("change", () => loadMeetings().catch(() => {}));

$("#mt-calendar").addEventListener("click", async () => {
  const { url } = await (await api("/v1/me/calendar", { method: "POST" })).json();
  $("#mt-calendar-url").replaceChildren(T.calendar_hint + " ", el("a", { href: url }, url));
});

$("#schedule-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const lines = (text, sep) => text.split(sep).map((x) => x.trim()).filter(Boolean);
  busy(form, true);
  try {
    await postJSON("/v1/meetings", { organization: { name: $("#sc-name").value, parent: $("#sc-parent").value },
      date: $("#sc-date").value, time_start: $("#sc-time").value, place: $("#sc-place").value,
      agenda: lines($("#sc-agenda").value, "\n"), readings: lines($("#sc-readings").value, ",") });
    form.reset();
    await loadMeetings();
  } catch (exc) { /* the error is shown */ } finally {
    busy(form, false);
  }
});

function fillRows(group, values) {
  const set = document.querySelector(`fieldset[data-group="${group}"]`);
  set.querySelector(".row-list").replaceChildren();
  for (const value of values) {
    set.querySelector(".add").click();
    const row = set.querySelector(".row-list").lastElementChild;
    for (const [field, text] of Object.entries(value)) row.querySelector(`[data-field="${field}"]`).value = text;
  }
}

// The record pre-filled from the roster and the replies, completed in the minutes form.
async function openRecord(m) {
  const { record } = await (await api(`/v1/meetings/${m.id}/record`)).json();
  for (const input of $("#minutes-form").querySelectorAll("input[name]")) {
    const [outer, inner] = input.name.split(".");
    const value = inner ? (record[outer] || {})[inner] : record[outer];
    input.value = value === undefined || value === null ? "" : value;
  }
  fillRows("absent", record.absent.map((a) => ({ name: a.name, reason: a.reason })));
  fillRows("agenda", record.agenda.map((a) => ({ item_title: a.title, notes: a.notes || "" })));
  fillRows("decisions", []);
  recordOf = m.id;
  $("#save-record").hidden = false;
  selectTab($("#tab-minutes"));
}

$("#save-record").addEventListener("click", async () => {
  const form = $("#minutes-form");
  if (!form.reportValidity()) return;
  busy(form, true);
  try {
    await putJSON(`/v1/meetings/${recordOf}/record`, { record: meetingRecord() });
    await api(`/v1/meetings/${recordOf}/documents`, { method: "POST" });
    recordOf = null;
    $("#save-record").hidden = true;
    selectTab($("#tab-meetings"));
  } catch (exc) { /* the error is shown */ } finally {
    busy(form, false);
  }
});
