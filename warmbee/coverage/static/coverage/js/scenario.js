// What-if form on a plan page: click the map to drop a station to add; click a dropped
// station to take it away. The markers and the form's "latitude, longitude" lines stay
// in step, so the form also works typed by hand, or without JavaScript at all.

const form = document.querySelector("[data-scenario-form]");
const container = document.getElementById("coverage-map");
const DIGITS = 6; // about 0.1 m

function parseLines(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function enable(map, L) {
  const textarea = form.querySelector("textarea[name=add_positions]");
  const hint = form.querySelector("[data-map-hint]");
  if (!textarea) return;
  if (hint) hint.hidden = false;
  container.classList.add("dropping");
  const markers = new Map(); // line -> marker

  const drop = (line, latlng) => {
    const marker = L.marker(latlng, {
      icon: L.divIcon({ className: "coverage-dropped-marker", html: "+", iconSize: [28, 28] }),
      title: line,
      keyboard: true,
      zIndexOffset: 2000,
    }).addTo(map);
    marker.on("click", () => {
      marker.remove();
      markers.delete(line);
      textarea.value = parseLines(textarea.value)
        .filter((other) => other !== line)
        .join("\n");
    });
    markers.set(line, marker);
  };

  map.on("click", (event) => {
    const line = `${event.latlng.lat.toFixed(DIGITS)}, ${event.latlng.lng.toFixed(DIGITS)}`;
    if (markers.has(line)) return;
    const lines = parseLines(textarea.value);
    lines.push(line);
    textarea.value = lines.join("\n");
    drop(line, event.latlng);
  });

  // Lines typed (or kept after a refused submit) get their markers too.
  const sync = () => {
    const lines = new Set(parseLines(textarea.value));
    for (const [line, marker] of markers) {
      if (!lines.has(line)) {
        marker.remove();
        markers.delete(line);
      }
    }
    for (const line of lines) {
      const parts = line.replace("，", ",").replace(",", " ").split(/\s+/).map(Number);
      if (!markers.has(line) && parts.length === 2 && parts.every(Number.isFinite)) {
        drop(line, L.latLng(parts[0], parts[1]));
      }
    }
  };
  textarea.addEventListener("change", sync);
  sync();
  form.dataset.mapReady = "true";
}

if (form && container) {
  if (container.coverageMap) {
    enable(container.coverageMap, window.L);
  } else {
    container.addEventListener(
      "coverage:map-ready",
      (event) => enable(event.detail.map, event.detail.L),
      { once: true },
    );
  }
}
