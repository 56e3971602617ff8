// Small keyboard and clipboard helpers. Loaded as a file because the Content-Security-
// Policy forbids inline scripts; every page works without it.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.metaKey || e.ctrlKey) {
      // Ctrl/Cmd+Enter submits the form of the textarea being typed in.
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.tagName === "TEXTAREA" && e.target.form) {
        e.preventDefault();
        e.target.form.requestSubmit();
      }
      return;
    }
    if (e.key === "/" && !typing(e.target)) {
      // "/" jumps to the accounts search, from any page.
      var q = document.getElementById("q");
      e.preventDefault();
      if (q) { q.focus(); q.select(); } else { window.location.href = "/accounts#q"; }
    } else if (e.key === "Escape" && typing(e.target)) {
      e.target.blur();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash === "#q") {
      var q = document.getElementById("q");
      if (q) q.focus();
    }
  });

  // Live search sends the filter form; empty fields would clutter the pushed URL
  // (?q=x&tier=&stage=…), so they are left out, as the server's own links do.
  document.addEventListener("htmx:configRequest", function (e) {
    var p = e.detail.parameters;
    Object.keys(p).forEach(function (k) {
      if (p[k] === "") delete p[k];
    });
  });

  // <button data-copy="#selector"> copies that element's text.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-copy]") : null;
    if (!btn) return;
    var src = document.querySelector(btn.getAttribute("data-copy"));
    if (!src || !navigator.clipboard) return;
    navigator.clipboard.writeText(src.textContent.trim()).then(function () {
      var old = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = old; }, 1500);
    });
  });
})();
