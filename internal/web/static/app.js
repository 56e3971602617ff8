// Small keyboard and clipboard helpers. Loaded as a file because the Content-Security-
// Policy forbids inline scripts; every page works without it.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // A shortcut that moves focus into a field must not also type its own letter
  // there. Browsers drop it when keydown is cancelled, but synthetic input (and some
  // IMEs) deliver the character as a separate keypress: swallow that one too.
  function swallowNextChar() {
    function eat(ev) { ev.preventDefault(); }
    document.addEventListener("keypress", eat, { capture: true, once: true });
    setTimeout(function () { document.removeEventListener("keypress", eat, { capture: true }); }, 150);
  }

  function focusField(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    swallowNextChar();
    el.focus();
    if (el.select) el.select();
    return true;
  }

  function submit(id) {
    var f = document.getElementById(id);
    if (f && f.requestSubmit) f.requestSubmit(); else if (f) f.submit();
    return !!f;
  }

  // Triage inbox keys; see the legend under the inbox's actions.
  function inboxKey(e) {
    if (!document.getElementById("inbox")) return false;
    var menu = document.getElementById("kind-menu");
    if (/^[1-9]$/.test(e.key) && menu && menu.open) {
      var b = menu.querySelector('button[data-key="' + e.key + '"]');
      if (b) { b.click(); return true; }
      return false;
    }
    switch (e.key) {
      case "t": return focusField("tag-input");
      case "r": return focusField("request-input");
      case "k":
        if (!menu) return false;
        menu.open = !menu.open;
        if (menu.open) { var first = menu.querySelector("button"); if (first) first.focus(); }
        return true;
      case "a": return submit("archive-form");
      case "u": return submit("undo-form");
      case "n": case "j":
        var next = document.getElementById("next-link");
        if (next) { window.location.href = next.href; return true; }
        return false;
    }
    return false;
  }

  // Today's tasks: j/k move the focus, x marks the task in focus done, s snoozes it.
  function todayKey(e) {
    var list = document.getElementById("today-tasks");
    if (!list) return false;
    var rows = Array.prototype.slice.call(list.querySelectorAll(".task-row"));
    var i = rows.indexOf(document.activeElement && document.activeElement.closest ? document.activeElement.closest(".task-row") : null);
    switch (e.key) {
      case "j": case "k":
        var n = e.key === "j" ? i + 1 : i - 1;
        if (i < 0) n = 0;
        if (n >= 0 && n < rows.length) { rows[n].focus(); return true; }
        return false;
      case "x": case "s":
        if (i < 0) return false;
        var f = rows[i].querySelector(e.key === "x" ? "form.task-done" : "form.task-snooze");
        if (f) { f.requestSubmit ? f.requestSubmit() : f.submit(); return true; }
        return false;
    }
    return false;
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) return;
    // Alt+1…3 accepts the inbox's suggested tags. e.code, because Alt+digit types
    // a symbol on some layouts (¡ on a Mac).
    if (e.altKey && !e.ctrlKey && !e.metaKey && /^Digit[1-9]$/.test(e.code)) {
      var sf = document.querySelector('form[data-suggestion="' + e.code.slice(5) + '"]');
      if (sf) { e.preventDefault(); sf.requestSubmit ? sf.requestSubmit() : sf.submit(); }
      return;
    }
    if (e.altKey || e.metaKey || e.ctrlKey) {
      // Ctrl/Cmd+Enter submits the form of the textarea being typed in.
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.tagName === "TEXTAREA" && e.target.form) {
        e.preventDefault();
        e.target.form.requestSubmit();
      }
      return;
    }
    if (e.key === "Escape" && typing(e.target)) {
      e.target.blur();
      return;
    }
    if (typing(e.target) || (e.target.closest && e.target.closest("dialog[open]"))) return;
    if (e.key === "/") {
      // "/" jumps to the accounts search, from any page.
      var q = document.getElementById("q");
      e.preventDefault();
      if (q) { swallowNextChar(); q.focus(); q.select(); } else { window.location.href = "/accounts#q"; }
    } else if (e.key === "f" && openQuickAdd()) {
      e.preventDefault();
    } else if (inboxKey(e) || todayKey(e)) {
      e.preventDefault();
    }
  });

  // Quick-add: "f" or any [data-quick-add] link opens the feedback dialog; without
  // JavaScript those links go to /feedback/new.
  function openQuickAdd(accountID, accountName) {
    var dlg = document.getElementById("quick-add");
    if (!dlg || !dlg.showModal) return false;
    var next = dlg.querySelector("[data-next]");
    if (next) next.value = window.location.pathname + window.location.search;
    if (accountID) {
      dlg.querySelector("[data-account-id]").value = accountID;
      dlg.querySelector("[data-account-name]").value = accountName || "";
    }
    swallowNextChar();
    dlg.showModal();
    var text = dlg.querySelector("textarea");
    if (text) text.focus();
    return true;
  }

  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("[data-quick-add]") : null;
    if (t && openQuickAdd(t.getAttribute("data-account-id"), t.getAttribute("data-account-name"))) {
      e.preventDefault();
      return;
    }
    var rm = e.target.closest ? e.target.closest("[data-remove-chip]") : null;
    if (rm && rm.parentNode) rm.parentNode.remove();
  });

  // Type-ahead pickers: <div class="typeahead" data-typeahead="/tags/search">. The
  // list is built with textContent from JSON, never from HTML. ↑/↓ move, Enter picks
  // (a second Enter submits the form), Esc closes. In data-multi mode each pick adds
  // a removable chip carrying a hidden input of that name.
  function initTypeahead(box) {
    var input = box.querySelector('input[type="text"]');
    var hidden = box.querySelector('input[type="hidden"]');
    var list = box.querySelector(".ta-list");
    var multi = box.getAttribute("data-multi");
    var chips = box.querySelector(".chips");
    var base = box.getAttribute("data-typeahead");
    var items = [], active = -1, seq = 0, timer = null;
    if (!input || !list) return;

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      items = [];
      active = -1;
    }
    function setActive(i) {
      var opts = list.children;
      for (var k = 0; k < opts.length; k++) opts[k].setAttribute("aria-selected", k === i ? "true" : "false");
      active = i;
      if (opts[i]) {
        input.setAttribute("aria-activedescendant", opts[i].id);
        if (opts[i].scrollIntoView) opts[i].scrollIntoView({ block: "nearest" });
      }
    }
    function render(hits) {
      close();
      if (!hits || !hits.length) return;
      items = hits;
      hits.forEach(function (h, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.className = "ta-option";
        var l = document.createElement("span");
        l.textContent = h.label;
        li.appendChild(l);
        if (h.hint) {
          var s = document.createElement("span");
          s.className = "ta-hint";
          s.textContent = h.hint;
          li.appendChild(s);
        }
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      setActive(0);
    }
    function pick(i) {
      var h = items[i];
      if (!h) return;
      if (multi && chips) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.appendChild(document.createTextNode(h.label + " "));
        var hid = document.createElement("input");
        hid.type = "hidden";
        hid.name = multi;
        hid.value = h.id;
        chip.appendChild(hid);
        var x = document.createElement("button");
        x.type = "button";
        x.className = "link";
        x.setAttribute("data-remove-chip", "");
        x.setAttribute("aria-label", "Remove " + h.label);
        x.textContent = "×";
        chip.appendChild(x);
        chips.appendChild(chip);
        input.value = "";
      } else {
        if (hidden) hidden.value = h.id;
        input.value = h.label;
      }
      close();
    }
    function search() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      var mine = ++seq;
      var url = base + (base.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) { if (mine === seq && document.activeElement === input) render(hits); })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      if (hidden) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 60);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); setActive((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive((active - 1 + items.length) % items.length); }
      else if (e.key === "Enter") { e.preventDefault(); swallowNextChar(); pick(active); }
      else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-typeahead]"), initTypeahead);
    // Tells browser tests the shortcuts are live: the script is deferred, so a page
    // can be visible a moment before its keys work.
    document.documentElement.setAttribute("data-js", "ready");
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
