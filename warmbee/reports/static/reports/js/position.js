// Fills the report form's position from the phone, and says what happened.
const form = document.getElementById("report-form");
const status = form?.querySelector("[data-position-status]");
const lat = form?.querySelector("input[name=lat]");
const lon = form?.querySelector("input[name=lon]");

function say(text) {
  if (status) status.textContent = text;
}

if (form && status && lat && lon) {
  // Asked again after a refused form too: the rider may have moved since.
  if (!("geolocation" in navigator)) {
    say(status.dataset.textFailed);
  } else {
    say(status.dataset.textFinding);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(5);
        lon.value = position.coords.longitude.toFixed(5);
        const metres = Math.max(5, Math.round(position.coords.accuracy / 5) * 5);
        say(status.dataset.textFound.replace("%(metres)s", String(metres)));
      },
      () => say(lat.value ? status.dataset.textKept : status.dataset.textFailed),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }
  form.dataset.ready = "1";
}
