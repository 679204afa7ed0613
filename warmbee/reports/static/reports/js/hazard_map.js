// The public hazard list's map: Leaflet is fetched only when asked for.
import { loadLeaflet, textNode } from "../../core/js/leaflet.js";

const button = document.querySelector("[data-hazard-map-open]");

if (button) {
  button.addEventListener("click", async () => {
    const container = document.getElementById("map");
    container.classList.remove("hidden");
    button.disabled = true;
    const L = await loadLeaflet(button);
    const points = JSON.parse(document.getElementById("hazard-points").textContent);
    const map = L.map(container);
    L.tileLayer(button.dataset.tileUrl, {
      maxZoom: 19,
      attribution: button.dataset.tileAttribution,
    }).addTo(map);
    // Circles: no marker images to fetch, and they show without tiles.
    const markers = points.map((point) =>
      L.circleMarker([point.lat, point.lon], { radius: 9, color: "#b45309", fillOpacity: 0.6 })
        .bindPopup(textNode(point.label))
        .addTo(map),
    );
    map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [30, 30], maxZoom: 16 });
    container.dataset.ready = "true";
  });
  button.disabled = false;
}
