// Follow a background job's page (a plan, a road network import): poll its status URL
// every 2 s, hand each answer to `show`, and reload the page once the job is finished.
// Without JavaScript these pages refresh themselves.

const POLL_MS = 2000;

export function followProgress(section, show) {
  const poll = async () => {
    try {
      const response = await fetch(section.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const status = await response.json();
        if (status.is_finished) {
          window.location.reload();
          return;
        }
        show(status);
      }
    } catch (error) {
      // No signal for a moment: try again at the next tick.
    }
    window.setTimeout(poll, POLL_MS);
  };
  window.setTimeout(poll, POLL_MS);
}
