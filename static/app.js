// Progressive enhancement only: every page works without this script.
// Buttons with data-copy="ID" copy the text of element ID to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// After a failed submit the error summary takes focus, so a screen reader
// reads it and the keyboard starts there (GOV.UK's error summary).
const summary = document.querySelector("[data-focus]");
if (summary) summary.focus();

// The BankID page: fetch the new QR code each second (it changes, as
// BankID's does) and follow the bank when it says where to go next. Without
// script the page refreshes itself.
const bankid = document.querySelector("[data-bankid-status]");
if (bankid) {
  const poll = () => fetch(bankid.dataset.bankidStatus, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((s) => {
      if (s.next) { window.location.assign(s.next); return; }
      document.getElementById("bankid-qr").innerHTML = s.qrSvg;
      document.getElementById("bankid-message").textContent = s.message;
      setTimeout(poll, 1000);
    })
    .catch(() => setTimeout(poll, 2000));
  setTimeout(poll, 1000);
}

// Code samples: without script every language is shown, one after the
// other; with it, tabs, and the language picked once applies to every
// operation on the page.
const sampleSets = document.querySelectorAll("[data-samples]");
const showLanguage = (lang) => {
  sampleSets.forEach((set) => {
    set.querySelectorAll(".sample").forEach((s) => { s.hidden = s.dataset.lang !== lang; });
    set.querySelectorAll("[role=tab]").forEach((t) => {
      const on = t.dataset.lang === lang;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
    });
  });
};
sampleSets.forEach((set) => {
  const list = document.createElement("div");
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-label", "Language");
  set.querySelectorAll(".sample").forEach((s) => {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.dataset.lang = s.dataset.lang;
    tab.textContent = s.querySelector("h5").textContent;
    tab.addEventListener("click", () => {
      try { localStorage.setItem("devportal-lang", s.dataset.lang); } catch (_) { /* private mode */ }
      showLanguage(s.dataset.lang);
    });
    list.appendChild(tab);
    s.querySelector("h5").hidden = true;
  });
  set.prepend(list);
});
if (sampleSets.length) {
  let lang = "curl";
  try { lang = localStorage.getItem("devportal-lang") || "curl"; } catch (_) { /* private mode */ }
  showLanguage(lang);
}
