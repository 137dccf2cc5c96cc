/* The site search: our own small UI on Pagefind's JS API, in a dialog
 * (theme/partials/search.html).
 *
 * Nothing of the search is downloaded with a page. Opening the dialog loads
 * pagefind.js (its worker and WebAssembly come with it) and the index's
 * bundles (generator/search.py, listed in pagefind/bundles.json): the guide,
 * the registry and the newest year of briefings. A query fetches only the
 * index chunks of its words and the fragments of the ten results it shows.
 *
 * Older years are merged only when they are needed: while the years searched
 * give fewer than ten briefings (up to AUTO_YEARS years or AUTO_PAGES
 * briefings), or when the reader asks ("Search earlier years", or ticking an
 * earlier year in the filters). News search ranked newest first is what
 * readers of a news site expect, and it keeps a query's transfer small however
 * many years the archive holds: each year merged costs its meta and one index
 * chunk per word. The filters are fetched only when the reader opens the
 * "Filter" disclosure, and only those of the years searched (every year's
 * came to 0.4 MB at 10,000 briefs); the year filter lists every year.
 *
 * Pagefind's excerpts are HTML with <mark>: they are rebuilt here as text
 * and <mark> elements, never assigned as HTML, since they carry author text.
 *
 * Keys: "/", "s" and "f" (Material's) and Ctrl-K or Cmd-K open the dialog;
 * Escape closes it. Addresses are resolved here, against the page that
 * loaded this script (were Material's instant navigation turned on, that page
 * would stay the first one loaded while the header and this dialog are kept).
 */
(() => {
  "use strict";

  const PAGE = 10; /* results shown at a time */
  /* How far a query goes back on its own before it asks the reader: each year
     merged costs its meta (a few bytes a briefing) and an index chunk per word
     (~25 KB however small the year), so both are capped. */
  const AUTO_YEARS = 3;
  const AUTO_PAGES = 2000;
  const DEBOUNCE_MS = 250;
  const FILTERS = [
    ["topic", "Topic"],
    ["thread", "Story"],
    ["actor", "Actor"],
    ["year", "Year"],
  ];
  const FOLDED = 8; /* values of a filter shown before "Show all" */
  /* A filter of our own on every page, kept in memory (Pagefind's mergeFilter, no
     file to fetch): a search's counts of it say how many results are briefings. */
  const KIND = "kind";

  const dialog = document.querySelector("[data-briefings-search]");
  const opener = document.querySelector("[data-briefings-search-open]");
  if (!dialog || !opener) return;

  const folder = new URL(dialog.dataset.bundle, location.href).href;
  const base = new URL(dialog.dataset.base || ".", location.href).pathname;
  const area = dialog.querySelector("[data-briefings-search-ui]");
  const note = dialog.querySelector("[data-briefings-search-note]");
  const numbers = new Intl.NumberFormat("en");
  const parser = new DOMParser();

  /* Where Material puts its own search button: before the repository link. */
  const header = document.querySelector(".md-header__inner");
  if (header) {
    header.insertBefore(opener, header.querySelector(".md-header__source"));
    opener.hidden = false;
  }

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  /* The UI, built once: a labelled box, the filters folded, a live status,
     the results as a list of links, and the buttons that ask for more. */
  const ui = (() => {
    const label = element("label", {
      for: "briefings-search-input",
      class: "briefings-search__label",
      text: "Search the briefings",
    });
    const input = element("input", {
      id: "briefings-search-input",
      class: "briefings-search__input",
      type: "search",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      placeholder: "Search the briefings",
      "aria-describedby": "briefings-search-status",
    });
    const form = element("form", { class: "briefings-search__form", role: "search" }, label, input);
    const groups = element("div", { class: "briefings-search__groups" });
    const filters = element(
      "details",
      { class: "briefings-search__filters" },
      element("summary", { class: "briefings-search__summary", text: "Filter" }),
      groups,
    );
    const status = element("p", {
      id: "briefings-search-status",
      class: "briefings-search__status",
      role: "status",
      "aria-live": "polite",
    });
    const scope = element("p", { class: "briefings-search__scope", hidden: "" });
    const results = element("ol", { class: "briefings-search__results" });
    const more = element("button", {
      type: "button",
      class: "briefings-search__more briefings-search__button",
      text: "Show more results",
      hidden: "",
    });
    const earlier = element("button", {
      type: "button",
      class: "briefings-search__earlier briefings-search__button",
      text: "Search earlier years",
    });
    scope.append(element("span"), " ", earlier);
    area.append(form, filters, status, scope, results, more);
    return { input, form, filters, groups, status, scope, results, more, earlier };
  })();

  let loading = null;
  let pagefind = null;
  const state = {
    years: [] /* year bundles, newest first, as [name, pages] */,
    merged: 0 /* how many of them are merged */,
    found: [] /* the results of the last query */,
    shown: 0,
    query: 0 /* the number of the last query, so a slower earlier one is dropped */,
    filtersLoaded: false,
    counts: new Map() /* each filter value's count, by "name=value": its element and total */,
    filtersDrawn: -1 /* how many years were merged when the filters were drawn */,
    drawing: null,
    merging: Promise.resolve(),
  };

  /* pagefind/bundles.json: the bundle with Pagefind's code, the others
     (registry, then years, newest first) and each one's page count. */
  async function bundles() {
    const response = await fetch(folder + "bundles.json");
    if (!response.ok) throw new Error("no search index");
    return response.json();
  }

  function bundlePath(name) {
    return new URL(name + "/", folder).href;
  }

  /* Pagefind and the newest bundles, loaded once: a promise of the API. */
  function load() {
    if (loading) return loading;
    loading = (async () => {
      const listed = await bundles();
      const api = await import(bundlePath(listed.primary) + "pagefind.js");
      await api.options({
        basePath: bundlePath(listed.primary),
        baseUrl: base,
        excerptLength: 30,
        mergeFilter: { [KIND]: "reference" },
      });
      await api.init();
      const pages = listed.pages || {};
      const others = listed.merge.filter((name) => !/^\d{4}$/.test(name));
      state.years = listed.merge
        .filter((name) => /^\d{4}$/.test(name))
        .sort((a, b) => b.localeCompare(a))
        .map((name) => [name, pages[name] || 0]);
      pagefind = api;
      await Promise.all(others.map((name) => merge(name)));
      if (state.years.length) await mergeYears(1);
      return api;
    })();
    loading.catch(() => {
      note.hidden = false;
      ui.form.hidden = ui.filters.hidden = true;
    });
    return loading;
  }

  /* Merge a bundle: the registry's pages are reference pages, the rest briefings. */
  function merge(name) {
    return pagefind.mergeIndex(bundlePath(name), {
      baseUrl: base,
      excerptLength: 30,
      mergeFilter: { [KIND]: name === "registry" ? "reference" : "briefing" },
    });
  }

  /* Merge the years up to the ``count`` newest, in order, one merge at a time
     (a search waits for them: state.merging). */
  function mergeYears(count) {
    state.merging = state.merging.catch(() => {}).then(async () => {
      while (state.merged < Math.min(count, state.years.length)) {
        await merge(state.years[state.merged][0]);
        state.merged += 1;
      }
    });
    return state.merging;
  }

  function everyYear() {
    return state.merged >= state.years.length;
  }

  function withinReach() {
    const pages = state.years.slice(0, state.merged).reduce((sum, [, count]) => sum + count, 0);
    return state.merged < AUTO_YEARS && pages < AUTO_PAGES;
  }

  /* The filters ticked, as Pagefind takes them: any value of a filter, every filter. */
  function chosen() {
    const filters = {};
    for (const box of ui.groups.querySelectorAll("input:checked")) {
      (filters[box.name] ||= { any: [] }).any.push(box.value);
    }
    return filters;
  }

  async function run({ debounce = true } = {}) {
    const number = ++state.query;
    const term = ui.input.value.trim();
    const filters = chosen();
    const filtering = Object.keys(filters).length > 0;
    if (!term && !filtering) {
      show(number, null);
      recount(null);
      return;
    }
    const api = await load();
    await state.merging.catch(() => {});
    const query = term || null;
    let found = debounce
      ? await api.debouncedSearch(query, { filters }, DEBOUNCE_MS)
      : await api.search(query, { filters });
    if (found === null || number !== state.query) return;
    /* Fewer than ten briefings from the newest years: search the next year, within reason. */
    while (briefings(found) < PAGE && !everyYear() && withinReach()) {
      await mergeYears(state.merged + 1);
      found = await api.search(query, { filters });
      if (number !== state.query) return;
    }
    show(number, found.results);
    /* Years merged since the filters were drawn: draw them again, with theirs. */
    if (state.filtersLoaded && state.filtersDrawn !== state.merged) await drawFilters();
    if (number === state.query) recount(found.filters);
  }

  function briefings(found) {
    return (found.filters && found.filters[KIND] && found.filters[KIND].briefing) || 0;
  }

  function years() {
    const names = state.years.slice(0, state.merged).map(([name]) => name);
    if (!names.length) return "";
    const newest = names[0];
    const oldest = names[names.length - 1];
    return newest === oldest ? newest : `${oldest}–${newest}`;
  }

  /* The status line (the live region), the scope, and the first page of results. */
  function show(number, results) {
    state.found = results || [];
    state.shown = 0;
    ui.results.replaceChildren();
    if (results === null) {
      ui.status.textContent = "";
      ui.scope.hidden = ui.more.hidden = true;
      return;
    }
    const count = results.length;
    ui.status.textContent =
      count === 0 ? "No results" : `${numbers.format(count)} result${count === 1 ? "" : "s"}`;
    ui.scope.hidden = everyYear();
    ui.scope.firstChild.textContent = `Showing the newest matches (${years()}).`;
    showMore(number);
  }

  async function showMore(number) {
    const batch = state.found.slice(state.shown, state.shown + PAGE);
    state.shown += batch.length;
    ui.more.hidden = true;
    const records = await Promise.all(batch.map((result) => result.data()));
    if (number !== state.query) return;
    ui.results.append(...records.map(item));
    ui.more.hidden = state.shown >= state.found.length;
  }

  /* One result: its title as a link, its date, its excerpt. */
  function item(record) {
    const meta = record.meta || {};
    const link = element("a", {
      class: "briefings-search__link",
      href: record.url,
      text: meta.title || record.url,
    });
    const entry = element("li", { class: "briefings-search__result" }, link);
    if (meta.date) entry.append(element("p", { class: "briefings-search__date", text: meta.date }));
    entry.append(element("p", { class: "briefings-search__excerpt" }, ...excerpt(record.excerpt)));
    return entry;
  }

  /* Pagefind's excerpt (escaped text with <mark> around the matched words) as
     text nodes and <mark> elements: its entities decoded by an inert parser,
     so author text that looks like HTML shows as the text it is. */
  function excerpt(html) {
    const nodes = [];
    let marked = false;
    for (const part of String(html || "").split(/(<\/?mark>)/)) {
      if (part === "<mark>" || part === "</mark>") {
        marked = part === "<mark>";
        continue;
      }
      /* After <body>, so that the parser keeps a part's leading space. */
      const text = parser.parseFromString(`<body>${part}`, "text/html").body.textContent || "";
      if (!text) continue;
      nodes.push(marked ? element("mark", { text }) : document.createTextNode(text));
    }
    return nodes;
  }

  /* The filters, fetched the first time the reader opens them: every year's. */
  async function loadFilters() {
    if (state.filtersLoaded) return;
    state.filtersLoaded = true;
    ui.groups.replaceChildren(element("p", { text: "Loading the filters…" }));
    try {
      await load();
      await drawFilters();
    } catch {
      state.filtersLoaded = false;
      ui.groups.replaceChildren(element("p", { text: "The filters could not be loaded." }));
      return;
    }
    if (ui.input.value.trim()) run({ debounce: false });
  }

  /* The filters of the bundles merged so far (Pagefind fetches theirs), and
     every year, those not searched yet without a count. One drawing at a time;
     the values ticked stay ticked. */
  function drawFilters() {
    state.drawing = (state.drawing || Promise.resolve()).catch(() => {}).then(async () => {
      const merged = state.merged;
      const all = await pagefind.filters();
      const ticked = new Set(
        [...ui.groups.querySelectorAll("input:checked")].map((box) => `${box.name}=${box.value}`),
      );
      const years = all.year || {};
      all.year = Object.fromEntries(
        state.years.map(([name], index) => [name, index < merged ? years[name] || 0 : null]),
      );
      state.counts.clear();
      ui.groups.replaceChildren(
        ...FILTERS.filter(([name]) => all[name] && Object.keys(all[name]).length).map(
          ([name, title]) => group(name, title, all[name], ticked),
        ),
      );
      state.filtersDrawn = merged;
    });
    return state.drawing;
  }

  /* The filters' counts for the query (Pagefind's, once the filters are loaded),
     or every page's without one. */
  function recount(filters) {
    for (const [key, { element: counted, total }] of state.counts) {
      if (total === null) continue; /* a year not searched yet */
      const [name, ...rest] = key.split("=");
      const found = filters && filters[name] ? filters[name][rest.join("=")] || 0 : total;
      counted.textContent = `(${numbers.format(found)})`;
    }
  }

  function group(name, title, counts, ticked) {
    const values = Object.entries(counts).sort(
      name === "year"
        ? (a, b) => b[0].localeCompare(a[0])
        : (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    );
    const list = element("ul", { class: "briefings-search__values" });
    values.forEach(([value, count], index) => {
      const box = element("input", { type: "checkbox", name, value });
      box.checked = ticked.has(`${name}=${value}`);
      const counted = element("span", {
        class: "briefings-search__count",
        text: count === null ? "" : `(${numbers.format(count)})`,
      });
      state.counts.set(`${name}=${value}`, { element: counted, total: count });
      const label = element("label", {}, box, `${value} `, counted);
      const row = element("li", {}, label);
      if (index >= FOLDED && !box.checked) row.hidden = true;
      list.append(row);
    });
    const fieldset = element(
      "fieldset",
      { class: "briefings-search__group", "data-filter": name },
      element("legend", { text: title }),
      list,
    );
    if (values.length > FOLDED) {
      const all = element("button", {
        type: "button",
        class: "briefings-search__all",
        text: `Show all ${numbers.format(values.length)}`,
      });
      all.addEventListener("click", () => {
        for (const row of list.children) row.hidden = false;
        all.remove();
      });
      fieldset.append(all);
    }
    return fieldset;
  }

  ui.input.addEventListener("input", () => run());
  /* Escape closes the dialog: in a search box, Chromium would only clear the box. */
  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    run({ debounce: false });
  });
  /* A year not searched yet is merged, with the years after it, when ticked. */
  ui.groups.addEventListener("change", async (event) => {
    const box = event.target;
    if (box instanceof HTMLInputElement && box.name === "year" && box.checked) {
      const index = state.years.findIndex(([name]) => name === box.value);
      if (index >= state.merged) await mergeYears(index + 1);
    }
    run({ debounce: false });
  });
  ui.filters.addEventListener("toggle", () => {
    if (ui.filters.open) loadFilters();
  });
  ui.more.addEventListener("click", () => showMore(state.query));
  ui.earlier.addEventListener("click", async () => {
    await load();
    await mergeYears(state.years.length);
    ui.input.focus();
    run({ debounce: false });
  });

  function focusInput() {
    ui.input.focus();
    ui.input.select();
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    focusInput();
    load().catch(() => {});
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  opener.addEventListener("click", open);
  dialog.querySelector("[data-briefings-search-close]").addEventListener("click", close);

  /* A click on the backdrop (the dialog itself, outside its content) closes it. */
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) close();
    /* Following a result: close behind it (a page kept by instant navigation too). */
    if (event.target instanceof Element && event.target.closest("a[href]")) close();
  });

  dialog.addEventListener("close", () => {
    if (opener.isConnected && !opener.hidden) opener.focus();
  });

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
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
