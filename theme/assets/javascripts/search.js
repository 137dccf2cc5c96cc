/* The site search: Pagefind's UI in a dialog (theme/partials/search.html).
 *
 * Nothing of the search is downloaded with a page: the UI, its styles and the
 * index (all under /pagefind/, written by `briefings build`) load the first
 * time the reader opens the dialog, and the index then fetches only the
 * chunks a query needs. The index is in bundles (the registry's, one per year
 * of briefings), listed in pagefind/bundles.json and merged as they load. Keys: "/", "s" and "f" (Material's) and Ctrl-K or
 * Cmd-K open it; Escape closes it.
 *
 * Material's instant navigation keeps the header and this dialog across
 * pages, and this script runs once, so addresses are resolved here, against
 * the page first loaded.
 */
(() => {
  "use strict";

  const dialog = document.querySelector("[data-briefings-search]");
  const opener = document.querySelector("[data-briefings-search-open]");
  if (!dialog || !opener) return;

  const bundle = new URL(dialog.dataset.bundle, location.href).href;
  const base = new URL(dialog.dataset.base || ".", location.href).pathname;
  const area = dialog.querySelector("[data-briefings-search-ui]");
  const note = dialog.querySelector("[data-briefings-search-note]");

  /* Where Material puts its own search button: before the repository link. */
  const header = document.querySelector(".md-header__inner");
  if (header) {
    header.insertBefore(opener, header.querySelector(".md-header__source"));
    opener.hidden = false;
  }

  let loading = null;

  /* The bundles of the index (generator/search.py): the registry's, loaded
     first, and those of each year, merged into it at query time. */
  async function bundles() {
    const response = await fetch(bundle + "bundles.json");
    if (!response.ok) throw new Error("no search index");
    const listed = await response.json();
    return {
      primary: new URL(listed.primary + "/", bundle).href,
      merge: listed.merge.map((name) => ({ bundlePath: new URL(name + "/", bundle).href })),
    };
  }

  function script(src) {
    return new Promise((resolve, reject) => {
      const element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = () => reject(new Error("no search index"));
      document.head.append(element);
    });
  }

  /* Pagefind's Default UI, loaded once: a promise of the UI. */
  function load() {
    if (loading) return loading;
    loading = bundles().then(async ({ primary, merge }) => {
      const styles = document.createElement("link");
      styles.rel = "stylesheet";
      styles.href = primary + "pagefind-ui.css";
      document.head.append(styles);
      await script(primary + "pagefind-ui.js");
      return new window.PagefindUI({
        element: area,
        bundlePath: primary,
        mergeIndex: merge,
        baseUrl: base,
        pageSize: 10,
        showImages: false,
        showSubResults: false,
        excerptLength: 30,
        resetStyles: true,
        autofocus: true,
        translations: { placeholder: "Search the briefings" },
      });
    });
    loading.catch(() => {
      note.hidden = false;
    });
    return loading;
  }

  function focusInput() {
    const input = area.querySelector("input");
    if (input) {
      input.focus();
      input.select();
    }
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    load().then(() => requestAnimationFrame(focusInput), () => {});
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  opener.addEventListener("click", open);
  dialog.querySelector("[data-briefings-search-close]").addEventListener("click", close);

  /* A click on the backdrop (the dialog itself, outside its content) closes it. */
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) close();
    /* A result is followed by Material's instant navigation: close behind it. */
    if (event.target instanceof Element && event.target.closest("a[href]")) close();
  });

  dialog.addEventListener("close", () => {
    if (opener.isConnected && !opener.hidden) opener.focus();
  });

  function typing(element) {
    return (
      element instanceof HTMLElement &&
      (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName))
    );
  }

  /* On the document, so it runs before Material's handler on the window, which
     would otherwise look for its own search when "/", "s" or "f" is pressed. */
  document.addEventListener("keydown", (event) => {
    const shortcut = (event.ctrlKey || event.metaKey) && !event.altKey && event.key === "k";
    const key =
      !event.ctrlKey && !event.metaKey && !event.altKey && ["/", "s", "f"].includes(event.key);
    if (shortcut || (key && !dialog.open && !typing(document.activeElement))) {
      event.preventDefault();
      event.stopPropagation();
      if (shortcut && dialog.open) close();
      else open();
    }
  });
})();
