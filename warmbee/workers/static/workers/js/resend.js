// "Send a new code": counts down the minute the server makes you wait between codes,
// so the button is not pressed in vain. Without JavaScript the server says the same.
for (const button of document.querySelectorAll("[data-resend]")) {
  const label = button.textContent;
  const waitText = button.dataset.waitText;
  let seconds = Number(button.dataset.waitSeconds || 60);
  button.disabled = true;
  const tick = () => {
    if (seconds <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.textContent = `${waitText} ${seconds}`;
    seconds -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}
