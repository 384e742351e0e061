// fazhi study tracker (front end). Reports, for the notebook this output belongs to, when the
// officer is active and whether the notebook is visible; the kernel keeps the clock.
// Channel: a hidden ipywidgets Text (class fazhi-study-__SESSION__) whose value we set.
(function () {
  const session = "__SESSION__";
  const beatMs = 30000; // at most one "active" signal per 30 s while activity goes on
  const root = element; // this output's node (JupyterLab's JavaScript renderer)
  const panel = root.closest(".jp-NotebookPanel") || document;
  let seq = 0;
  let lastActive = 0;
  let shown = null;
  let misses = 0;

  function beacon() {
    return panel.querySelector(".fazhi-study-" + session + " input");
  }
  function visible() {
    // the browser tab is in front, and this notebook's panel is not a hidden JupyterLab tab
    return document.visibilityState === "visible" && !root.closest(".lm-mod-hidden");
  }
  function send(kind) {
    const input = beacon();
    if (!input) return false;
    seq += 1;
    input.value = JSON.stringify({ e: kind, n: seq });
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }
  function onActivity() {
    if (!visible()) return;
    const now = Date.now();
    if (now - lastActive < beatMs) return;
    if (send("active")) lastActive = now;
  }
  function checkVisibility() {
    const now = visible();
    if (now !== shown) {
      shown = now;
      if (send(now ? "visible" : "hidden")) lastActive = now ? Date.now() : 0;
    }
  }
  const events = ["keydown", "pointerdown", "pointermove", "wheel", "scroll", "touchstart"];
  const options = { capture: true, passive: true };
  events.forEach((name) => document.addEventListener(name, onActivity, options));
  document.addEventListener("visibilitychange", checkVisibility);
  window.addEventListener("pagehide", () => send("hidden"));
  const timer = setInterval(() => {
    checkVisibility();
    // the setup cell was run again or the notebook closed: stop after 10 minutes unseen
    misses = beacon() ? 0 : misses + 1;
    if (misses > 120) {
      clearInterval(timer);
      events.forEach((name) => document.removeEventListener(name, onActivity, options));
      document.removeEventListener("visibilitychange", checkVisibility);
    }
  }, 5000);
  setTimeout(checkVisibility, 500);
})();
