// Road network import page: follow a waiting or running import and reload once it is
// done or failed (progress.js). Without JavaScript the page refreshes itself.

import { followProgress } from "./progress.js";

function showImportProgress(section) {
  const message = section.querySelector("[data-progress-message]");
  const waysRead = section.querySelector("[data-ways-read]");
  const routableWays = section.querySelector("[data-routable-ways]");
  return (item) => {
    message.textContent = item.progress_message;
    waysRead.textContent = item.ways_read;
    routableWays.textContent = item.routable_ways;
  };
}

const progressSection = document.querySelector("[data-import-progress]");
if (progressSection) followProgress(progressSection, showImportProgress(progressSection));
