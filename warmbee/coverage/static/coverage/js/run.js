// Plan page: follow a queued or running plan (poll every 2 s, reload once it is done),
// and draw a finished plan on a map, loading Leaflet only on this page. Without
// JavaScript the page refreshes itself and the tables and exports show everything.

import { loadLeaflet, textNode } from "../../core/js/leaflet.js";
import { followProgress } from "./progress.js";

function showRunProgress(section) {
  const message = section.querySelector("[data-progress-message]");
  const percent = section.querySelector("[data-progress-percent]");
  const bar = section.querySelector("[data-progress-bar]");
  return (run) => {
    message.textContent = run.progress_message;
    percent.textContent = run.progress_percent;
    bar.value = run.progress_percent;
  };
}


function collection(data, kind) {
  return {
    type: "FeatureCollection",
    features: data.features.filter((feature) => feature.properties.kind === kind),
  };
}

async function drawMap(container, data) {
  const L = await loadLeaflet(container);
  const map = L.map(container, { zoomSnap: 0.25 });
  L.tileLayer(container.dataset.tileUrl, {
    maxZoom: 19,
    attribution: container.dataset.tileAttribution,
  }).addTo(map);
  const label = (feature, layer) => layer.bindTooltip(textNode(feature.properties.label));

  const cells = collection(data, "uncovered_cell");
  const heaviest = Math.max(
    1e-9,
    ...cells.features.map((feature) => feature.properties.uncovered_weight),
  );
  const layers = {
    uncovered: L.geoJSON(cells, {
      style: (feature) => ({
        className: "coverage-uncovered",
        stroke: false,
        fillColor: "#b91c1c",
        fillOpacity: 0.1 + (0.55 * feature.properties.uncovered_weight) / heaviest,
      }),
      onEachFeature: label,
    }),
    areas: L.geoJSON(collection(data, "station_area"), {
      style: () => ({
        className: "coverage-area",
        color: "#1d4ed8",
        weight: 1.5,
        fillColor: "#3b82f6",
        fillOpacity: 0.22,
      }),
      onEachFeature: label,
    }),
    // Circles and numbered boxes: no marker images to fetch, and they show without tiles.
    stations: L.geoJSON(collection(data, "station"), {
      // A station a what-if added: the same circle, orange, so it reads as not real.
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, {
          className: feature.properties.is_added
            ? "coverage-station coverage-added-station"
            : "coverage-station",
          radius: 7,
          color: feature.properties.is_added ? "#7c2d12" : "#14532d",
          weight: 2,
          fillColor: feature.properties.is_added ? "#f97316" : "#22c55e",
          fillOpacity: 0.95,
        }),
      onEachFeature: label,
    }),
    sites: L.geoJSON(collection(data, "recommended_site"), {
      pointToLayer: (feature, latlng) =>
        L.marker(latlng, {
          icon: L.divIcon({
            className: "coverage-site-marker",
            html: String(Number(feature.properties.rank)),
            iconSize: [30, 30],
          }),
          title: feature.properties.label,
          zIndexOffset: 1000,
        }),
      onEachFeature: (feature, layer) =>
        layer.bindPopup(textNode(feature.properties.label)),
    }),
  };
  const overlays = {};
  for (const [name, layer] of Object.entries(layers)) {
    layer.addTo(map);
    const legend = document.querySelector(`[data-legend="${name}"] [data-legend-text]`);
    // The layer control shows names as HTML: pass the legend's text escaped.
    overlays[textNode(legend ? legend.textContent.trim() : name).innerHTML] = layer;
  }
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  const bounds = L.featureGroup(Object.values(layers)).getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [20, 20] });
  } else {
    map.setView([38.06, 112.68], 12);
  }
  container.dataset.ready = "true";
  // The what-if form (scenario.js) drops its markers on this map.
  container.coverageMap = map;
  container.dispatchEvent(new CustomEvent("coverage:map-ready", { detail: { map, L } }));
}

const progressSection = document.querySelector("[data-run-progress]");
if (progressSection) followProgress(progressSection, showRunProgress(progressSection));

const mapContainer = document.getElementById("coverage-map");
const mapData = document.getElementById("coverage-map-data");
if (mapContainer && mapData) drawMap(mapContainer, JSON.parse(mapData.textContent));
