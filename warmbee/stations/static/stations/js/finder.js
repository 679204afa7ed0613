// Finder: fill in the phone's position before searching; open the map only on request,
// loading Leaflet then (so the list stays light on slow networks).
import { forgetOrigin, forgetUnlessConsented, keepOrigin } from "../../visits/js/origin.js";

function locate(form, status) {
  const lat = form.querySelector("[data-finder-lat]");
  const lon = form.querySelector("[data-finder-lon]");
  const community = form.querySelector("[data-finder-community]");
  return new Promise((resolve) => {
    if (community && community.value) {
      // Searching from a chosen community: an earlier position no longer says where
      // the worker is coming from.
      forgetOrigin();
      resolve();
      return;
    }
    if ((lat.value && lon.value) || !navigator.geolocation) {
      resolve();
      return;
    }
    if (status) status.textContent = status.dataset.locating || "…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        keepOrigin(form, position.coords.latitude, position.coords.longitude);
        resolve();
      },
      () => resolve(),
      { enableHighAccuracy: false, timeout: 8000, maximumAge: 120000 },
    );
  });
}

for (const form of document.querySelectorAll("[data-finder-form]")) {
  forgetUnlessConsented(form);
  const community = form.querySelector("[data-finder-community]");
  if (community) {
    community.addEventListener("change", () => {
      form.querySelector("[data-finder-lat]").value = "";
      form.querySelector("[data-finder-lon]").value = "";
    });
  }
  form.addEventListener("submit", async (event) => {
    if (form.dataset.located) return;
    event.preventDefault();
    const submitter = event.submitter;
    await locate(form, form.querySelector("[data-finder-status]"));
    form.dataset.located = "1";
    form.requestSubmit(submitter);
  });
}


const mapButton = document.querySelector("[data-map-open]");
if (mapButton) {
  mapButton.addEventListener("click", async () => {
    const container = document.getElementById("map");
    container.classList.remove("hidden");
    mapButton.disabled = true;
    // Imported on tap: the home and results pages fetch nothing more until then.
    const { loadLeaflet } = await import("../../core/js/leaflet.js");
    await loadLeaflet(mapButton);
    const data = JSON.parse(document.getElementById("finder-points").textContent);
    const L = window.L;
    const map = L.map(container).setView(data.origin, 14);
    L.tileLayer(mapButton.dataset.tileUrl, {
      maxZoom: 19,
      attribution: mapButton.dataset.tileAttribution,
    }).addTo(map);
    // Markers as circles: no marker images to fetch, and they show without tiles.
    L.circleMarker(data.origin, { radius: 8, color: "#1d4ed8" }).addTo(map);
    const bounds = [data.origin];
    for (const station of data.stations) {
      const marker = L.circleMarker([station.lat, station.lon], {
        radius: 10,
        color: station.open ? "#15803d" : "#b91c1c",
        fillOpacity: 0.6,
      }).addTo(map);
      const link = document.createElement("a");
      link.href = station.url;
      link.textContent = station.name;
      marker.bindPopup(link);
      bounds.push([station.lat, station.lon]);
    }
    map.fitBounds(bounds, { padding: [30, 30] });
  });
}
