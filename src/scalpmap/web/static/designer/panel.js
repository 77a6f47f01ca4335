// scalpmap designer: the status line, the live figures, the notes and the error box. The status
// line is one line of fixed height (it never wraps and never moves the photo).

function setFigure(id, text) {
  const node = document.getElementById(id);
  if (node && node.textContent !== text) {
    node.textContent = text;
    node.classList.remove("changed");
    void node.offsetWidth;
    node.classList.add("changed");
  }
}

export function createPanel(root) {
  const status = document.getElementById("design-status");
  const errorBox = document.getElementById("design-error");
  const notes = document.getElementById("design-notes");

  function setStatus(kind, text) {
    status.className = "design-status " + (kind || "");
    status.textContent = text;
    status.title = text;
  }

  return {
    setStatus,
    showError(message) {
      errorBox.textContent = message || "";
      errorBox.hidden = !message;
      if (message) {
        setStatus("error", "Not updated: " + message);
      }
    },
    /** The zones' figures, written as the saved plan writes them (state.figures). */
    showFigures(state) {
      const z = state.zones;
      const f = state.figures || {};
      setFigure("removal-area", z.removal.area_cm2.toFixed(2));
      setFigure("removal-impressions",
        f.removal_impressions ? f.removal_impressions.text : String(z.removal.impressions));
      setFigure("touch-area", z.touch_up.area_cm2.toFixed(2));
      setFigure("impressions-to-add",
        f.impressions_to_add ? f.impressions_to_add.text : String(z.touch_up.impressions_to_add));
      if (f.desired_density_per_cm2) {
        setFigure("desired-density", f.desired_density_per_cm2.text);
      }
      setFigure("keep-area", z.keep.area_cm2.toFixed(2));
      notes.textContent = "";
      (state.notes || []).forEach((note) => {
        const li = document.createElement("li");
        li.textContent = note;
        notes.appendChild(li);
      });
    },
    setSync(busy) {
      root.dataset.sync = busy ? "busy" : "idle";
    }
  };
}
