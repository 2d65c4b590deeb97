// The page's behaviour: tabs, the access key, and calls to the JSON API. No framework, no build step.
"use strict";
const T = JSON.parse(document.getElementById("ui-text").textContent);
const $ = (selector) => document.querySelector(selector);
const errorBox = $("#error");
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

async function api(path, options = {}) {
  const key = localStorage.getItem("apiKey");
  if (!key) { showError(T.need_key); throw new Error("no key"); }
  const headers = Object.assign({ Authorization: "Bearer " + key }, options.headers || {});
  let response;
  try {
    response = await fetch(path, Object.assign({}, options, { headers }));
  } catch (exc) {
    showError(T.err_network); throw exc;
  }
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (exc) { body = null; }
    showError(plainError(response.status, body));
    throw new Error("HTTP " + response.status);
  }
  showError("");
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
}
$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem("apiKey", $("#api-key").value.trim());
  $("#api-key").value = "";
  whoAmI().catch(() => {});
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
$("#ask-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const target = $("#answer");
  busy(form, true);
  target.textContent = T.working;
  try {
    const answer = await (await postJSON("/v1/ask", { question: $("#question").value })).json();
    target.replaceChildren(
      el("p", { class: answer.status === "answered" ? "answer" : "answer not-found" }, answer.answer),
      ...(answer.citations.length ? [el("h2", {}, T.sources), citationList(answer.citations)] : []),
      el("p", { class: "hint" }, `${T.engine}: ${answer.engine}`));
  } catch (exc) {
    target.textContent = "";
  } finally {
    busy(form, false);
  }
});

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
    $("#summary").replaceChildren(el("h2", {}, lastSummary.title), points, el("h2", {}, T.sources), citationList(lastSummary.citations));
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

function button(label, action) {
  const b = el("button", { type: "button" }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await action(); await loadMeetings(); } catch (exc) { /* the error is shown */ } finally { b.disabled = false; }
  });
  return b;
}

function replyControls(m) {
  const reason = el("input", { "aria-label": T.reason, maxlength: "500" });
  const mine = m.my_reply ? `${T.your_reply}: ${m.my_reply.attending ? T.attend : T.cannot_attend + " — " + m.my_reply.reason}` : "";
  const send = (attending) => putJSON(`/v1/meetings/${m.id}/reply`, { attending, reason: attending ? "" : reason.value,
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
  if (me && me.org_unit === m.org_unit && m.status === "scheduled" && m.published_at && !started) card.append(...replyControls(m));
  if (oversees && m.status === "scheduled" && !started) card.append(button(T.publish, () => api(`/v1/meetings/${m.id}/publish`, { method: "POST" })));
  if (oversees && started && m.status !== "cancelled") card.append(button(T.complete_record, () => openRecord(m)));
  if (oversees && m.documents.some((d) => d.status === "draft")) {
    card.append(button(T.approve, () => postJSON(`/v1/meetings/${m.id}/approve`, { expected_version: m.version })));
  }
  for (const d of m.documents) {
    card.append(el("details", {}, el("summary", {}, `${T["doc_" + d.kind]} (${d.revision}, ${T["doc_" + d.status]})`),
      el("pre", { class: "draft" }, d.markdown)));
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
