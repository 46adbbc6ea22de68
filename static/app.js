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
