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

  // "Cannot assess" has no goal: hide the goal while it is chosen. Otherwise offer only the
  // goals as good as the score or better (data-severity: 0 is the best point, whichever end
  // of the scale that is). A goal the person had chosen stays in view as the page opens (a
  // draft keeps anything); one the person makes worse than the score by changing the score
  // is let go, and "no proposal" is chosen in its place.
  const syncGoal = (group, changed) => {
    const fieldset = document.querySelector(`[data-goal-for="${group}"]`);
    if (!fieldset) return;
    const chosen = document.querySelector(`input[name="${group}"]:checked`);
    fieldset.hidden = Boolean(chosen && chosen.value === "na");
    const now = chosen && chosen.dataset.severity ? Number(chosen.dataset.severity) : null;
    fieldset.querySelectorAll("input[data-severity]").forEach((goal) => {
      const allowed = now === null || Number(goal.dataset.severity) <= now;
      if (!allowed && goal.checked && changed) {
        goal.checked = false;
        const none = fieldset.querySelector('input[value=""]');
        if (none) none.checked = true;
        const note = fieldset.querySelector(".goal-reset");
        if (note) note.textContent = note.dataset.text;
      }
      goal.closest("label").hidden = !allowed && !goal.checked;
    });
  };
  document.querySelectorAll("[data-goal-for]").forEach((f) => syncGoal(f.dataset.goalFor, false));
  document.addEventListener("change", (event) => {
    const name = event.target.name || "";
    if (name.startsWith("score-")) syncGoal(name, true);
    if (name.startsWith("goal-")) {
      const note = event.target.closest("[data-goal-for]")?.querySelector(".goal-reset");
      if (note) note.textContent = "";
    }
  });

  // The scoring form saves as the person goes; the buttons still work without this.
  const form = document.querySelector("form[data-autosave]");
  const status = document.getElementById("save-status");
  if (!form || !status || !window.fetch) return;
  // Not form.action: the buttons named "action" shadow it.
  const target = form.getAttribute("action");
  let timer = null;
  let pending = false;
  // The form as the server last confirmed it all saved: the page warns before it is left
  // while the form differs from it (form[data-warn-unsaved]). A page shown again after a
  // refusal holds what was typed, not what is saved.
  const snapshot = () => new URLSearchParams(new FormData(form)).toString();
  let confirmed = form.hasAttribute("data-unsaved") ? "" : snapshot();
  const save = async () => {
    timer = null;
    pending = false;
    const sent = snapshot();
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
      if (answer.saved && answer.complete !== false) confirmed = sent;
    } catch (error) {
      pending = true; // tried again at the next change
    }
  };
  const later = (delay) => {
    if (timer) clearTimeout(timer);
    pending = true;
    timer = setTimeout(save, delay);
  };
  form.unsaved = () => snapshot() !== confirmed;
  form.saveNow = async () => {
    if (timer) clearTimeout(timer);
    await save();
  };
  form.addEventListener("change", () => later(400));
  form.addEventListener("input", (event) => {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") later(2000);
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

// The meeting page: warn before leaving with anything not saved, and keep what was typed
// across the language switch (saved first; what the rules do not accept yet is carried over
// in this tab's session storage and put back on the page in the other language).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-warn-unsaved]");
  if (!form || !form.unsaved) return;
  const key = `unsaved:${location.pathname}`;
  let leaving = false;
  const carried = sessionStorage.getItem(key);
  if (carried) {
    sessionStorage.removeItem(key);
    for (const [name, value] of JSON.parse(carried)) {
      const fields = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
      fields.forEach((field) => {
        if (field.type === "radio") field.checked = field.value === value;
        else if (field.type !== "hidden") field.value = value;
      });
    }
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }
  form.addEventListener("submit", () => {
    leaving = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !form.unsaved()) return;
    event.preventDefault();
    event.returnValue = "";
  });
  // Save first; what the rules do not accept yet is carried to the page that comes next.
  const carry = async () => {
    await form.saveNow();
    if (form.unsaved()) {
      const typed = [...new FormData(form)].filter(([name]) => name !== "csrf");
      sessionStorage.setItem(key, JSON.stringify(typed));
    }
    leaving = true;
  };
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a.lang");
    if (!link || !form.unsaved()) return;
    event.preventDefault();
    await carry();
    location.href = link.href;
  });
  // The projector switch comes back to the same page: nothing typed is lost on the way.
  document.querySelectorAll("form[data-saves-first]").forEach((other) => {
    other.addEventListener("submit", async (event) => {
      if (!form.unsaved()) {
        leaving = true;
        return;
      }
      event.preventDefault();
      await carry();
      other.submit();
    });
  });
});
