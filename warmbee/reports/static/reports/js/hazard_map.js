// The public hazard list's map: Leaflet is fetched only when asked for.
const button = document.querySelector("[data-hazard-map-open]");

function loadOnce(tag, attrs) {
  return new Promise((resolve, reject) => {
    const element = document.createElement(tag);
    Object.assign(element, attrs);
    element.onload = resolve;
    element.onerror = reject;
    document.head.appendChild(element);
  });
}

if (button) {
  button.addEventListener("click", async () => {
    const container = document.getElementById("map");
    container.classList.remove("hidden");
    button.disabled = true;
    await loadOnce("link", { rel: "stylesheet", href: button.dataset.leafletCss });
    await loadOnce("script", { src: button.dataset.leafletJs });
    const points = JSON.parse(document.getElementById("hazard-points").textContent);
    const L = window.L;
    const map = L.map(container);
    L.tileLayer(button.dataset.tileUrl, {
      maxZoom: 19,
      attribution: button.dataset.tileAttribution,
    }).addTo(map);
    // Circles: no marker images to fetch, and they show without tiles.
    const markers = points.map((point) => {
      const label = document.createElement("span");
      label.textContent = point.label; // text, never markup
      return L.circleMarker([point.lat, point.lon], {
        radius: 9,
        color: "#b45309",
        fillOpacity: 0.6,
      })
        .bindPopup(label)
        .addTo(map);
    });
    map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [30, 30], maxZoom: 16 });
    container.dataset.ready = "true";
  });
  button.disabled = false;
}
