// Check-in that survives no signal: the check-in is kept on the phone with its original
// time and client id, and sent when the network is back. The server counts each id once.
import { QUEUE_KEY, forgetStaleOrigin, forgetUnlessConsented, takeOrigin } from "./origin.js";

forgetStaleOrigin(); // this script runs on every page

function readQueue() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
  } catch {
    return [];
  }
}

function writeQueue(queue) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function send(apiUrl, payload) {
  const response = await fetch(apiUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
      "Accept-Language": document.documentElement.lang || "zh-hans",
    },
    body: JSON.stringify(payload),
  });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

let flushing = false;

async function flush(apiUrl, onSent) {
  // One flush at a time: "online" can fire while a flush is still sending.
  if (flushing) return;
  flushing = true;
  try {
    await sendQueued(apiUrl, onSent);
  } finally {
    flushing = false;
  }
}

async function sendQueued(apiUrl, onSent) {
  const remaining = [];
  for (const item of readQueue()) {
    try {
      const result = await send(apiUrl, item);
      // Refused for good (closed, too old…): drop it; server trouble: keep it.
      if (!result.ok && (result.status >= 500 || result.status === 429)) remaining.push(item);
      else if (onSent) onSent(result);
    } catch {
      remaining.push(item);
    }
  }
  writeQueue(remaining);
}

const form = document.querySelector("[data-checkin-form]");
const status = document.querySelector("[data-checkin-status]");
const apiUrl = form ? form.dataset.apiUrl : "/api/visits/";

function showSent(result) {
  if (!status || !form) return;
  if (result.ok) {
    status.textContent = form.dataset.sentText;
    if (result.body.origin === "recorded") status.textContent += ` ${form.dataset.originText}`;
    status.className = "card status-open";
    status.dataset.state = "sent";
    form.classList.add("hidden");
  } else {
    status.textContent = result.body.detail || String(result.status);
    status.className = "error";
    status.dataset.state = "refused";
  }
}

if (form) {
  forgetUnlessConsented(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = {
      client_id: form.querySelector("[name=client_id]").value,
      checkin_code: form.dataset.checkinCode,
      services: [...form.querySelectorAll("[name=services]:checked")].map((box) => box.value),
    };
    // Where the finder located the phone before coming here, if the worker consents.
    const origin = takeOrigin(form);
    if (origin) payload.origin = origin;
    // Sent now, the server's clock dates it (a phone's clock may be wrong); kept for
    // later, it carries the moment it was made.
    const queued = { ...payload, visited_at: new Date().toISOString() };
    try {
      showSent(await send(apiUrl, payload));
    } catch {
      writeQueue([...readQueue().filter((item) => item.client_id !== payload.client_id), queued]);
      status.textContent = form.dataset.queuedText;
      status.className = "notice";
      status.dataset.state = "queued";
    }
  });
  form.dataset.ready = "1"; // sent by this script from now on, origin included
}

window.addEventListener("online", () => flush(apiUrl, showSent));
if (navigator.onLine) flush(apiUrl, showSent);
