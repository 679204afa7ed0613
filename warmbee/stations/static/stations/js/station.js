// Station page: open the map only on request (loading Leaflet then) and draw the
// station's 15-minute area for the chosen travel mode when a road network covers it.

import { loadLeaflet, textNode } from "../../core/js/leaflet.js";

const button = document.querySelector("[data-map-open]");
const modeButtons = document.querySelectorAll("[data-area-mode]");
const status = document.querySelector("[data-area-status]");
let map = null;
let areaLayer = null;
let mode = "walk";

async function drawArea() {
  const url = button.dataset.areaUrl;
  if (!url || !map) return;
  status.textContent = button.dataset.loading;
  const L = window.L;
  try {
    const response = await fetch(`${url}?mode=${encodeURIComponent(mode)}&minutes=15`, {
      // The API sits outside the language prefix: ask for the page's language.
      headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang },
    });
    const data = await response.json();
    if (!response.ok) {
      status.textContent = data.detail || button.dataset.failed;
      return;
    }
    if (areaLayer) areaLayer.remove();
    areaLayer = L.geoJSON(
      {
        type: "FeatureCollection",
        features: data.features.filter((f) => f.properties.kind === "station_area"),
      },
      {
        style: { color: "#b45309", weight: 2, fillColor: "#f59e0b", fillOpacity: 0.3 },
        onEachFeature: (feature, layer) => layer.bindTooltip(textNode(feature.properties.label)),
      },
    ).addTo(map);
    const bounds = areaLayer.getBounds();
    // Without animation: the vector layer is drawn for the final view at once.
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], animate: false });
    status.textContent = [data.area.label, data.area.note].filter(Boolean).join(" · ");
    status.dataset.mode = data.area.mode;
    status.dataset.cells = String(data.area.cell_count);
  } catch (error) {
    status.textContent = button.dataset.failed;
  }
}

for (const modeButton of modeButtons) {
  modeButton.addEventListener("click", () => {
    mode = modeButton.dataset.areaMode;
    for (const other of modeButtons) {
      other.setAttribute("aria-pressed", String(other === modeButton));
    }
    drawArea();
  });
}

if (button) {
  button.addEventListener("click", async () => {
    const container = document.getElementById("map");
    container.classList.remove("hidden");
    button.disabled = true;
    const L = await loadLeaflet(button);
    const position = [Number(button.dataset.lat), Number(button.dataset.lon)];
    map = L.map(container).setView(position, 15);
    L.tileLayer(button.dataset.tileUrl, {
      maxZoom: 19,
      attribution: button.dataset.tileAttribution,
    }).addTo(map);
    // A circle, not a marker image: it shows without tiles or images to fetch.
    L.circleMarker(position, { radius: 10, color: "#15803d", fillOpacity: 0.8 })
      .addTo(map)
      .bindTooltip(textNode(button.dataset.name));
    await drawArea();
  });
  // Disabled in the page until this script can open the map: no tap is lost.
  button.disabled = false;
  button.dataset.ready = "1";
}
