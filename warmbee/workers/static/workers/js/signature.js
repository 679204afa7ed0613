// The signature pad for walk-in consent: draw with a finger, stylus or mouse; the drawing
// goes into the hidden "signature" field as a PNG data URL when the form is sent.
const pad = document.querySelector("[data-signature-pad]");
const field = document.querySelector("input[name=signature]");
if (pad && field) {
  const pen = pad.getContext("2d");
  pen.lineWidth = 3;
  pen.lineCap = "round";
  pen.strokeStyle = "#111";
  let drawing = false;
  let inked = false;
  const point = (event) => {
    const box = pad.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * pad.width) / box.width,
      ((event.clientY - box.top) * pad.height) / box.height,
    ];
  };
  pad.addEventListener("pointerdown", (event) => {
    drawing = true;
    pad.setPointerCapture(event.pointerId);
    pen.beginPath();
    pen.moveTo(...point(event));
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...point(event));
    pen.stroke();
    inked = true;
  });
  const stop = () => {
    drawing = false;
    if (inked) field.value = pad.toDataURL("image/png");
  };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  document.querySelector("[data-clear-signature]")?.addEventListener("click", () => {
    pen.clearRect(0, 0, pad.width, pad.height);
    inked = false;
    field.value = "";
  });
}
