/* Citations (issue 14): a card on hover and on keyboard focus that names the
 * source (outlet, headline, date); a click highlights the source in the list
 * and offers a way back to the citing spot.
 *
 * Without this script a citation is still a link to its source with a `title`
 * that names it. Events are delegated from the document, so pages that
 * Material's instant navigation swaps in work without setting anything up
 * again. The card reads the source list of the page itself: author text is
 * copied as text, never parsed as HTML.
 */
(function () {
  "use strict";

  var CARD_ID = "cite-card";
  var shownFor = null;

  function sourceOf(link) {
    var id = decodeURIComponent((link.hash || "").slice(1));
    var item = id ? document.getElementById(id) : null;
    return item && item.classList.contains("source") ? item : null;
  }

  function text(item, selector) {
    var el = item.querySelector(selector);
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function card() {
    var el = document.getElementById(CARD_ID);
    if (!el) {
      el = document.createElement("div");
      el.id = CARD_ID;
      el.className = "cite-card";
      el.setAttribute("role", "tooltip");
      el.hidden = true;
      el.addEventListener("mouseleave", function (event) {
        if (event.relatedTarget !== shownFor) hide();
      });
      document.body.appendChild(el);
    }
    return el;
  }

  function line(className, value) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = value;
    return el;
  }

  function show(link) {
    var item = sourceOf(link);
    if (!item) return;
    if (link.title) {  // the card replaces the browser's own tooltip
      link.setAttribute("data-title", link.title);
      link.removeAttribute("title");
    }
    var el = card();
    var parts = [
      line("cite-card__number", "Source " + link.textContent.replace(/[^0-9]/g, "")),
      line("cite-card__outlet", text(item, ".source-outlet")),
    ];
    var headline = text(item, ".source-title");
    var date = text(item, ".source-date");
    if (headline) parts.push(line("cite-card__title", headline));
    if (date) parts.push(line("cite-card__date", date));
    el.replaceChildren.apply(el, parts);
    el.hidden = false;
    link.setAttribute("aria-describedby", CARD_ID);
    shownFor = link;
    place(el, link);
  }

  function place(el, link) {
    var box = link.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    el.style.maxWidth = Math.min(352, width - 16) + "px";
    var left = Math.max(8, Math.min(box.left + window.scrollX, width - el.offsetWidth - 8));
    el.style.left = left + "px";
    el.style.top = box.bottom + window.scrollY + 6 + "px";
  }

  function hide() {
    var el = document.getElementById(CARD_ID);
    if (el) el.hidden = true;
    if (shownFor) shownFor.removeAttribute("aria-describedby");
    shownFor = null;
  }

  function citation(target) {
    return target && target.closest ? target.closest("a.cite") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var link = citation(event.target);
    if (link && link !== shownFor) show(link);
  });
  document.addEventListener("mouseout", function (event) {
    var link = citation(event.target);
    var to = event.relatedTarget;
    if (link && link === shownFor && !(to && to.closest && to.closest("#" + CARD_ID))) hide();
  });
  document.addEventListener("focusin", function (event) {
    var link = citation(event.target);
    if (link) show(link);
    else if (shownFor) hide();
  });
  document.addEventListener("focusout", function (event) {
    if (citation(event.target) === shownFor) hide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && shownFor) hide();
  });

  // A click: highlight the source and put a way back to this citation in it.
  // Captured, because Material's instant navigation handles link clicks on the
  // body; it may also swap the page's content in again before the hash changes,
  // so the mark is applied now and once more on the hash change.
  var followed = null;

  function mark() {
    if (!followed) return;
    var item = document.getElementById(followed.source);
    if (!item || !item.classList.contains("source")) return;
    var current = document.querySelectorAll(".source--cited");
    for (var i = 0; i < current.length; i++) current[i].classList.remove("source--cited");
    item.classList.add("source--cited");
    var back = item.querySelector("a.cite-back");
    if (!back) {
      back = document.createElement("a");
      back.className = "cite-back";
      back.textContent = "↩ back to text";
      item.appendChild(document.createTextNode(" "));
      item.appendChild(back);
    }
    back.hidden = !followed.from;
    if (followed.from) back.href = "#" + followed.from;
  }

  document.addEventListener("click", function (event) {
    var link = citation(event.target);
    if (!link) return;
    hide();
    var item = sourceOf(link);
    followed = item ? { source: item.id, from: link.id } : null;
    mark();
  }, true);
  window.addEventListener("hashchange", mark);
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(mark);
})();
