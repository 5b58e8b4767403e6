// The dashboard's only script: a countdown to a token's `exp` and to the moment a client should
// refresh it, a re-check of whether it still verifies (every 5 s and at expiry), and copy buttons.
"use strict";

for (const panel of document.querySelectorAll("[data-exp]")) {
  const exp = Number(panel.dataset.exp);
  const refreshAt = Number(panel.dataset.refreshAt);
  const countdown = panel.querySelector("[data-testid=countdown]");
  const verdict = panel.querySelector("[data-testid=verdict]");
  const jwt = panel.querySelector("[data-testid=jwt]").value;
  const template = panel.dataset.template === "true";
  let lastCheck = 0;

  const recheck = async () => {
    try {
      const answer = await fetch("/tokens/verify", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: jwt, template }),
      }).then((r) => r.json());
      verdict.textContent = answer.verifies ? "verifies" : `does not verify: ${answer.reason}`;
      verdict.className = `verdict ${answer.verifies ? "ok" : "bad"}`;
    } catch (e) {
      verdict.textContent = `could not check: ${e}`;
    }
  };

  const tick = () => {
    const now = Math.floor(Date.now() / 1000);
    const left = exp - now;
    countdown.textContent = left > 0 ? `${left} s` : "expired";
    panel.classList.toggle("refresh-due", now >= refreshAt && left > 0);
    panel.classList.toggle("expired", left <= 0);
    if (now - lastCheck >= 5 || left === 0) {
      lastCheck = now;
      recheck();
    }
    if (left > -5) setTimeout(tick, 1000);
  };
  tick();
}

for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const field = button.parentElement.querySelector("textarea");
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      document.execCommand("copy");
    }
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
}
