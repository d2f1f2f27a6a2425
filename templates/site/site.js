/* awesome-prune site: tag filters, search, sorting and citing for index.html.
 *
 * Plain ES2017, no dependencies, no network. The page is complete without this script: it only
 * shows the controls, then hides, counts and reorders the papers already on the page.
 *
 * Filters: OR within a category, AND across categories; the search matches titles, authors and
 * take-aways (every word must occur) and marks the words it found in them. State
 * lives in the URL query, e.g.
 *   ?type=Structured&type=Unstructured&q=llama&sort=title
 * written with history.replaceState and read back on load.
 *
 * Layout: on a wide screen the filter panel stays in view beside the results while it fits the
 * window; on a narrow one the search and sort form a bar pinned above the results and the tag
 * filters open as a drawer closed by its "Show N papers" button. A long category folds its rarely
 * used values behind a "more" toggle, and a very long one has a search of its own.
 *
 * Cite: each paper's "Cite" disclosure holds its BibTeX entry; opening it copies the entry.
 * Every text that comes from the page or the reader is put in with textContent, never as HTML.
 */
(function () {
  'use strict';

  const form = document.getElementById('site_filters');
  const list = document.getElementById('site_papers');
  if (!form || !list) return;

  const search = document.getElementById('site_q');
  const sort = document.getElementById('site_sort');
  const status = document.getElementById('site_status');
  const nomatch = document.getElementById('site_nomatch');
  const activeCount = document.getElementById('site_active');
  const facetsPanel = document.getElementById('site_facets');
  const results = document.getElementById('site_results');
  const clearButton = document.getElementById('site_clear');
  const showButtons = Array.from(form.querySelectorAll('[data-show]'));
  const SORTS = ['year', 'added', 'title'];
  const NARROW = window.matchMedia('(max-width: 59.99rem)');
  const original = Array.from(list.children); // year headings and papers, in the page's own order
  const headings = original.filter((el) => el.hasAttribute('data-year-heading'));

  function normalise(text) {
    return text.toLowerCase().replace(/\s+/g, ' ');
  }

  function textOf(el) {
    return el ? el.textContent : '';
  }

  const papers = Array.from(list.querySelectorAll('.paper')).map((el, index) => {
    const link = el.querySelector('.paper-title a');
    const authors = el.querySelector('.authors');
    const takeaway = el.querySelector('.takeaway');
    return {
      el: el,
      index: index,
      id: el.getAttribute('data-paper-id') || '',
      tokens: new Set((el.getAttribute('data-tags') || '').split(/\s+/).filter(Boolean)),
      year: el.getAttribute('data-year') || '',
      added: el.getAttribute('data-added') || '',
      title: (el.getAttribute('data-title') || '').toLowerCase(),
      text: normalise(textOf(link) + ' ' + textOf(authors) + ' ' + textOf(takeaway)),
      // where found words are marked; each keeps a copy of its original children
      marked: [link, authors, takeaway].filter(Boolean).map((node) => ({ node: node, original: node.cloneNode(true) })),
      markedFor: '',
      visible: true,
    };
  });

  const facets = Array.from(form.querySelectorAll('fieldset.facet')).map((fieldset) => ({
    key: fieldset.getAttribute('data-cat'),
    fieldset: fieldset,
    boxes: Array.from(fieldset.querySelectorAll('input[type="checkbox"]')),
    find: fieldset.querySelector('[data-facet-find]'),
    none: fieldset.querySelector('[data-facet-none]'),
    more: fieldset.querySelector('[data-more]'),
  }));

  function byId(a, b) {
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  const ORDER = {
    year: (a, b) => a.index - b.index, // the page's order: newest year first
    added: (a, b) => (a.added < b.added ? 1 : a.added > b.added ? -1 : byId(a, b)), // newest first
    title: (a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : byId(a, b)), // A to Z
  };

  function words() {
    return normalise(search.value).trim().split(' ').filter(Boolean);
  }

  function chosenTokens(facet) {
    return facet.boxes.filter((box) => box.checked).map((box) => box.getAttribute('data-token'));
  }

  function inFacet(paper, tokens) {
    return tokens.length === 0 || tokens.some((token) => paper.tokens.has(token));
  }

  function found(paper, terms) {
    return terms.every((term) => paper.text.indexOf(term) !== -1);
  }

  // --- marking the words found: text nodes and <mark> elements, never markup from a string ---

  function spans(text, terms) {
    const lower = text.toLowerCase();
    if (lower.length !== text.length) return []; // a letter whose lower case has another length
    const found = [];
    terms.forEach((term) => {
      for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + 1)) {
        found.push([at, at + term.length]);
      }
    });
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged = [];
    found.forEach((span) => {
      const last = merged[merged.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push(span.slice());
    });
    return merged;
  }

  // Marks the words in every text node of a copy of the element's original children (links and
  // code of a take-away stay as they were), then puts that copy in place.
  function mark(target, terms) {
    const fresh = target.original.cloneNode(true);
    if (terms.length) {
      const walker = document.createTreeWalker(fresh, NodeFilter.SHOW_TEXT);
      const texts = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node);
      texts.forEach((node) => {
        const text = node.nodeValue;
        const ranges = spans(text, terms);
        if (!ranges.length) return;
        const parts = document.createDocumentFragment();
        let at = 0;
        ranges.forEach((range) => {
          if (range[0] > at) parts.appendChild(document.createTextNode(text.slice(at, range[0])));
          const hit = document.createElement('mark');
          hit.textContent = text.slice(range[0], range[1]);
          parts.appendChild(hit);
          at = range[1];
        });
        if (at < text.length) parts.appendChild(document.createTextNode(text.slice(at)));
        node.parentNode.replaceChild(parts, node);
      });
    }
    while (target.node.firstChild) target.node.removeChild(target.node.firstChild);
    while (fresh.firstChild) target.node.appendChild(fresh.firstChild);
  }

  function markPaper(paper, terms) {
    const key = paper.visible ? terms.join(' ') : '';
    if (key === paper.markedFor) return;
    paper.markedFor = key;
    paper.marked.forEach((target) => mark(target, paper.visible ? terms : []));
  }

  // --- filtering ---------------------------------------------------------------------------

  let shownOrder = 'year';

  function arrange(order) {
    if (order === shownOrder) return;
    shownOrder = order;
    if (order === 'year') {
      original.forEach((el) => list.appendChild(el));
    } else {
      papers.slice().sort(ORDER[order]).forEach((paper) => list.appendChild(paper.el));
    }
  }

  function noun(n) {
    return n === 1 ? 'paper' : 'papers';
  }

  function update() {
    const terms = words();
    const chosen = facets.map(chosenTokens);
    let shown = 0;
    papers.forEach((paper) => {
      paper.visible = found(paper, terms) && chosen.every((tokens) => inFacet(paper, tokens));
      paper.el.hidden = !paper.visible;
      if (paper.visible) shown += 1;
      markPaper(paper, terms);
    });

    // A value's count: the papers it would show given the search and the other categories' filters.
    facets.forEach((facet, i) => {
      const base = papers.filter((paper) => found(paper, terms)
        && chosen.every((tokens, j) => j === i || inFacet(paper, tokens)));
      facet.boxes.forEach((box) => {
        const token = box.getAttribute('data-token');
        const n = base.filter((paper) => paper.tokens.has(token)).length;
        const label = box.closest('label');
        const count = label && label.querySelector('[data-count]');
        if (count) count.textContent = String(n);
        if (label) {
          label.classList.toggle('empty', n === 0 && !box.checked);
          label.classList.toggle('ticked', box.checked);
        }
      });
    });

    const order = SORTS.indexOf(sort.value) === -1 ? 'year' : sort.value;
    arrange(order);
    headings.forEach((heading) => {
      const year = heading.getAttribute('data-year-heading');
      heading.hidden = order !== 'year' || !papers.some((paper) => paper.visible && paper.year === year);
    });

    const total = papers.length;
    const ticked = chosen.reduce((sum, tokens) => sum + tokens.length, 0);
    const query = search.value.trim().replace(/\s+/g, ' ');
    if (terms.length) {
      status.textContent = shown + ' of ' + total + ' ' + noun(total) + ' match \u201c' + query + '\u201d'
        + (ticked ? ' and the ticked tags' : '');
    } else if (ticked) {
      status.textContent = shown + ' of ' + total + ' ' + noun(total) + ' shown';
    } else {
      status.textContent = total + ' ' + noun(total);
    }
    nomatch.hidden = shown !== 0;
    if (clearButton) clearButton.hidden = !(terms.length || ticked) || shown === 0;
    if (activeCount) activeCount.textContent = ticked ? '(' + ticked + ' selected)' : '';
    if (facetsPanel) facetsPanel.querySelector('summary').setAttribute('data-ticked', ticked ? String(ticked) : '');
    showButtons.forEach((button) => {
      button.textContent = shown ? 'Show ' + shown + ' ' + noun(shown) : 'No papers match';
    });
    writeURL();
  }

  function writeURL() {
    const params = new URLSearchParams();
    facets.forEach((facet) => facet.boxes.forEach((box) => {
      if (box.checked) params.append(facet.key, box.value);
    }));
    const q = search.value.trim();
    if (q) params.set('q', q);
    if (sort.value !== 'year') params.set('sort', sort.value);
    const query = params.toString();
    const url = location.pathname + (query ? '?' + query : '') + location.hash;
    if (url !== location.pathname + location.search + location.hash) {
      history.replaceState(history.state, '', url);
    }
  }

  function readURL() {
    const params = new URLSearchParams(location.search);
    facets.forEach((facet) => {
      const wanted = params.getAll(facet.key);
      facet.boxes.forEach((box) => { box.checked = wanted.indexOf(box.value) !== -1; });
    });
    search.value = params.get('q') || '';
    const order = params.get('sort');
    sort.value = SORTS.indexOf(order) !== -1 ? order : 'year';
  }

  // --- long facets: "more" toggle and a search within the facet --------------------------------

  function expand(facet, open) {
    if (!facet.more) return;
    facet.fieldset.classList.toggle('expanded', open);
    facet.more.setAttribute('aria-expanded', String(open));
    facet.more.textContent = open ? 'Fewer' : facet.more.getAttribute('data-more-label');
  }

  function findInFacet(facet) {
    const terms = normalise(facet.find.value).trim().split(' ').filter(Boolean);
    let matches = 0;
    facet.boxes.forEach((box) => {
      const label = box.closest('label');
      const hit = terms.every((term) => box.value.toLowerCase().indexOf(term) !== -1);
      label.classList.toggle('unfound', terms.length > 0 && !hit);
      if (hit) matches += 1;
    });
    facet.fieldset.classList.toggle('finding', terms.length > 0);
    if (facet.none) facet.none.hidden = matches !== 0;
  }

  facets.forEach((facet) => {
    if (facet.more) {
      facet.more.addEventListener('click', () => {
        expand(facet, !facet.fieldset.classList.contains('expanded'));
        fit();
      });
    }
    if (facet.find) {
      facet.find.addEventListener('input', (event) => {
        event.stopPropagation(); // not a filter of the papers: the form's listener leaves it alone
        findInFacet(facet);
        fit();
      });
      facet.find.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' && facet.find.value) {
          event.stopPropagation();
          facet.find.value = '';
          findInFacet(facet);
          fit();
        }
      });
    }
  });

  // --- layout: the pinned panel (wide) and the drawer (narrow) ------------------------------

  function drawerOpen() {
    return NARROW.matches && facetsPanel && facetsPanel.open;
  }

  // Wide: the panel stays in view while it fits the window (no inner scrollbar, ever).
  function fit() {
    const pinned = !NARROW.matches && form.offsetHeight + 24 <= window.innerHeight;
    form.classList.toggle('pinned', pinned);
  }

  // After a change, bring the top of the results into view when the reader has scrolled past it
  // (the controls are pinned, so they stay where they are).
  function revealResults() {
    const pinnedBar = NARROW.matches ? form.getBoundingClientRect().bottom : 0;
    if (!NARROW.matches && !form.classList.contains('pinned')) return;
    const top = results.getBoundingClientRect().top;
    if (top < pinnedBar - 1) {
      window.scrollTo(0, Math.max(0, window.pageYOffset + top - pinnedBar - 8));
    }
  }

  function closeDrawer() {
    if (!facetsPanel) return;
    const wasOpen = drawerOpen();
    facetsPanel.open = false;
    if (wasOpen) {
      revealResults();
      facetsPanel.querySelector('summary').focus();
    }
  }

  if (facetsPanel) {
    facetsPanel.addEventListener('toggle', () => {
      document.documentElement.classList.toggle('drawer-open', drawerOpen());
      if (drawerOpen()) {
        const close = facetsPanel.querySelector('.drawer-close');
        if (close) close.focus();
      }
      fit();
    });
  }
  Array.from(form.querySelectorAll('[data-drawer-close]')).forEach((button) => {
    button.addEventListener('click', closeDrawer);
  });
  document.addEventListener('keydown', (event) => {
    if (!drawerOpen()) return;
    if (event.key === 'Escape') {
      closeDrawer();
    } else if (event.key === 'Tab') { // the drawer covers the page: keep the focus inside it
      const inside = Array.from(facetsPanel.querySelectorAll('.facets-body button, .facets-body input'))
        .filter((el) => el.getClientRects().length > 0);
      const first = inside[0];
      const last = inside[inside.length - 1];
      if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
      else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
    }
  });

  function clear(event) {
    facets.forEach((facet) => facet.boxes.forEach((box) => { box.checked = false; }));
    search.value = '';
    update();
    if (!(event && event.currentTarget.closest && event.currentTarget.closest('.facets-body') && drawerOpen())) {
      search.focus();
    }
  }

  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('input', (event) => {
    update();
    if (event.target === search) revealResults();
  });
  form.addEventListener('change', (event) => {
    if (event.target.hasAttribute('data-facet-find')) return;
    update();
    if (event.target.type === 'checkbox' && !drawerOpen()) revealResults();
  });
  Array.from(document.querySelectorAll('[data-clear]')).forEach((button) => {
    button.addEventListener('click', clear);
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) { readURL(); update(); }
  });
  window.addEventListener('resize', fit);
  if (NARROW.addEventListener) {
    NARROW.addEventListener('change', () => {
      if (facetsPanel) facetsPanel.open = !NARROW.matches; // a panel beside the list, or a closed drawer
      document.documentElement.classList.toggle('drawer-open', drawerOpen());
      fit();
    });
  }

  // --- cite: copy a paper's BibTeX entry -----------------------------------------------------

  function note(details, text) {
    const pop = details.querySelector('.cite-pop');
    let line = pop.querySelector('.cite-note');
    if (!line) {
      line = document.createElement('p');
      line.className = 'cite-note';
      line.setAttribute('role', 'status');
      const again = document.createElement('button');
      again.type = 'button';
      again.className = 'button copy';
      again.textContent = 'Copy again';
      again.addEventListener('click', () => copy(details));
      const bar = document.createElement('div');
      bar.className = 'cite-bar';
      bar.appendChild(line);
      bar.appendChild(again);
      pop.insertBefore(bar, pop.firstChild);
    }
    line.textContent = text;
  }

  function selectEntry(details) {
    const range = document.createRange();
    range.selectNodeContents(details.querySelector('pre.bibtex'));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(details) {
    const text = details.querySelector('pre.bibtex').textContent;
    const fallback = () => {
      selectEntry(details);
      note(details, 'Copying is not allowed here: the entry is selected, press Ctrl+C (\u2318C) to copy it.');
    };
    note(details, 'Copying\u2026');
    if (!navigator.clipboard || !navigator.clipboard.writeText) { fallback(); return; }
    navigator.clipboard.writeText(text).then(() => {
      note(details, 'BibTeX entry copied to the clipboard.');
      details.setAttribute('data-copied', '');
    }, fallback);
  }

  const cites = Array.from(list.querySelectorAll('details.cite'));
  cites.forEach((details) => {
    details.querySelector('summary').addEventListener('click', () => {
      if (!details.open) { // about to open: copy, and close any other entry
        cites.forEach((other) => { if (other !== details) other.open = false; });
        copy(details);
      }
    });
    details.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && details.open) {
        details.open = false;
        details.querySelector('summary').focus();
      }
    });
  });
  document.addEventListener('click', (event) => {
    if (event.target.closest && event.target.closest('details.cite')) return;
    cites.forEach((details) => { details.open = false; });
  });

  // --- start ---------------------------------------------------------------------------------

  readURL();
  form.hidden = false;
  facets.forEach((facet) => { if (facet.find) findInFacet(facet); });
  if (facetsPanel && NARROW.matches) facetsPanel.open = false; // a drawer: opened by its button
  update();
  fit();
}());
