// Progressive help only: every page works without it.
"use strict";

// Copy a new personal link.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const target = document.getElementById(button.dataset.copy);
  if (target && navigator.clipboard) {
    navigator.clipboard.writeText(target.textContent.trim());
    button.textContent = button.dataset.copied || button.textContent;
  }
});

document.addEventListener("DOMContentLoaded", () => {
  // An error summary takes the focus, so it is read out once and its links lead on.
  const summary = document.querySelector("[data-focus]");
  if (summary) summary.focus();

  // "Cannot assess" has no goal: hide the goal while it is chosen.
  const syncGoal = (group) => {
    const fieldset = document.querySelector(`[data-goal-for="${group}"]`);
    if (!fieldset) return;
    const chosen = document.querySelector(`input[name="${group}"]:checked`);
    fieldset.hidden = Boolean(chosen && chosen.value === "na");
  };
  document.querySelectorAll("[data-goal-for]").forEach((f) => syncGoal(f.dataset.goalFor));
  document.addEventListener("change", (event) => {
    const name = event.target.name || "";
    if (name.startsWith("score-")) syncGoal(name);
  });

  // The scoring form saves as the person goes; the buttons still work without this.
  const form = document.querySelector("form[data-autosave]");
  const status = document.getElementById("save-status");
  if (!form || !status || !window.fetch) return;
  // Not form.action: the buttons named "action" shadow it.
  const target = form.getAttribute("action");
  let timer = null;
  let pending = false;
  const save = async () => {
    timer = null;
    pending = false;
    const data = new FormData(form);
    data.set("action", "autosave");
    try {
      const response = await fetch(target, {
        method: "POST",
        body: new URLSearchParams(data),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      status.textContent = answer.message;
    } catch (error) {
      pending = true; // tried again at the next change
    }
  };
  const later = (delay) => {
    if (timer) clearTimeout(timer);
    pending = true;
    timer = setTimeout(save, delay);
  };
  form.addEventListener("change", () => later(400));
  form.addEventListener("input", (event) => {
    if (event.target.tagName === "TEXTAREA") later(2000);
  });
  form.addEventListener("submit", () => {
    if (timer) clearTimeout(timer);
  });
  window.addEventListener("pagehide", () => {
    if (pending && navigator.sendBeacon) {
      const data = new FormData(form);
      data.set("action", "autosave");
      navigator.sendBeacon(target, new URLSearchParams(data));
    }
  });
});
