// Leaflet on demand: map pages fetch it only when a map is asked for. The element
// carries data-leaflet-css and data-leaflet-js (the static files' addresses).

function loadOnce(tag, attrs) {
  return new Promise((resolve, reject) => {
    const element = document.createElement(tag);
    Object.assign(element, attrs);
    element.onload = resolve;
    element.onerror = reject;
    document.head.appendChild(element);
  });
}

export async function loadLeaflet(element) {
  if (!window.L) {
    await loadOnce("link", { rel: "stylesheet", href: element.dataset.leafletCss });
    await loadOnce("script", { src: element.dataset.leafletJs });
  }
  return window.L;
}

// Labels come from the database (names): pass them as text, never as HTML.
export function textNode(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}
