// Road network import page: follow a waiting or running import (poll every 2 s) and
// reload once it is done or failed. Without JavaScript the page refreshes itself.

const POLL_MS = 2000;

function followImport(section) {
  const message = section.querySelector("[data-progress-message]");
  const waysRead = section.querySelector("[data-ways-read]");
  const routableWays = section.querySelector("[data-routable-ways]");
  const poll = async () => {
    try {
      const response = await fetch(section.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const item = await response.json();
        if (item.is_finished) {
          window.location.reload();
          return;
        }
        message.textContent = item.progress_message;
        waysRead.textContent = item.ways_read;
        routableWays.textContent = item.routable_ways;
      }
    } catch (error) {
      // No signal for a moment: try again at the next tick.
    }
    window.setTimeout(poll, POLL_MS);
  };
  window.setTimeout(poll, POLL_MS);
}

const progressSection = document.querySelector("[data-import-progress]");
if (progressSection) followImport(progressSection);
