// Where the finder last located the phone, kept on the phone for the next check-in:
// only when the signed-in worker consents to the location notice (the page says so with
// data-keep-origin="1"), only rounded to about 100 m, and forgotten once used, after an
// hour, or as soon as a page says the consent is gone.
const ORIGIN_KEY = "warmbee.checkinOrigin";
export const QUEUE_KEY = "warmbee.pendingCheckins"; // check-ins waiting for signal
const MAX_AGE_MIN = 60;

function roundTo100m(degrees) {
  return Math.round(degrees * 1000) / 1000;
}

export function forgetOrigin() {
  try {
    localStorage.removeItem(ORIGIN_KEY);
  } catch {
    // Storage blocked (private browsing): nothing was kept.
  }
}

export function keepOrigin(element, lat, lon) {
  if (element.dataset.keepOrigin !== "1") {
    forgetOrigin();
    return;
  }
  const origin = { lat: roundTo100m(lat), lon: roundTo100m(lon), at: Date.now() };
  try {
    localStorage.setItem(ORIGIN_KEY, JSON.stringify(origin));
  } catch {
    // Storage blocked: the check-in goes without an origin.
  }
}

// Return {lat, lon, minutes_before} for a check-in made now, and forget it; or null.
export function takeOrigin(element) {
  const origin = readKept();
  forgetOrigin();
  if (element.dataset.keepOrigin !== "1" || !origin) return null;
  const minutesBefore = Math.floor((Date.now() - origin.at) / 60000);
  if (!(minutesBefore >= 0 && minutesBefore <= MAX_AGE_MIN)) return null;
  return { lat: origin.lat, lon: origin.lon, minutes_before: minutesBefore };
}

function readKept() {
  try {
    return JSON.parse(localStorage.getItem(ORIGIN_KEY) || "null");
  } catch {
    return null;
  }
}

// Every page: a position kept longer than an hour can no longer be sent; forget it.
export function forgetStaleOrigin() {
  const origin = readKept();
  if (origin && !(Date.now() - origin.at <= MAX_AGE_MIN * 60000)) forgetOrigin();
}

// A page without the consent clears what an earlier page may have kept, including the
// origins of check-ins still waiting for signal (they are sent without one).
export function forgetUnlessConsented(element) {
  if (element.dataset.keepOrigin === "1") return;
  forgetOrigin();
  try {
    const queue = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
    if (queue.some((item) => item.origin)) {
      const stripped = queue.map(({ origin: _dropped, ...item }) => item);
      localStorage.setItem(QUEUE_KEY, JSON.stringify(stripped));
    }
  } catch {
    // Storage blocked or unreadable: nothing was kept.
  }
}
