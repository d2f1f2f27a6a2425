/* awesome-prune site: tag filters, search and sorting for index.html.
 *
 * Plain ES2017, no dependencies, no network. The page is complete without this script: it only
 * shows the controls, then hides, counts and reorders the papers already on the page.
 *
 * Filters: OR within a category, AND across categories; the search matches titles and take-aways
 * (every word must occur). State lives in the URL query, e.g.
 *   ?type=Structured&type=Unstructured&q=llama&sort=title
 * written with history.replaceState and read back on load.
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
  const SORTS = ['year', 'added', 'title'];
  const original = Array.from(list.children); // year headings and papers, in the page's own order
  const headings = original.filter((el) => el.hasAttribute('data-year-heading'));

  function normalise(text) {
    return text.toLowerCase().replace(/\s+/g, ' ');
  }

  const papers = Array.from(list.querySelectorAll('.paper')).map((el, index) => {
    const title = el.querySelector('.paper-title');
    const takeaway = el.querySelector('.takeaway');
    return {
      el: el,
      index: index,
      id: el.getAttribute('data-paper-id') || '',
      tokens: new Set((el.getAttribute('data-tags') || '').split(/\s+/).filter(Boolean)),
      year: el.getAttribute('data-year') || '',
      added: el.getAttribute('data-added') || '',
      title: (el.getAttribute('data-title') || '').toLowerCase(),
      text: normalise((title ? title.textContent : '') + ' ' + (takeaway ? takeaway.textContent : '')),
      visible: true,
    };
  });

  const facets = Array.from(form.querySelectorAll('fieldset.facet')).map((fieldset) => ({
    key: fieldset.getAttribute('data-cat'),
    boxes: Array.from(fieldset.querySelectorAll('input[type="checkbox"]')),
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

  function update() {
    const terms = words();
    const chosen = facets.map(chosenTokens);
    let shown = 0;
    papers.forEach((paper) => {
      paper.visible = found(paper, terms) && chosen.every((tokens) => inFacet(paper, tokens));
      paper.el.hidden = !paper.visible;
      if (paper.visible) shown += 1;
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
        if (label) label.classList.toggle('empty', n === 0 && !box.checked);
      });
    });

    const order = SORTS.indexOf(sort.value) === -1 ? 'year' : sort.value;
    arrange(order);
    headings.forEach((heading) => {
      const year = heading.getAttribute('data-year-heading');
      heading.hidden = order !== 'year' || !papers.some((paper) => paper.visible && paper.year === year);
    });

    const total = papers.length;
    const filtering = terms.length > 0 || chosen.some((tokens) => tokens.length > 0);
    const noun = (n) => (n === 1 ? 'paper' : 'papers');
    status.textContent = filtering ? shown + ' of ' + total + ' ' + noun(total) + ' shown'
      : total + ' ' + noun(total);
    nomatch.hidden = shown !== 0;
    const ticked = chosen.reduce((sum, tokens) => sum + tokens.length, 0);
    if (activeCount) activeCount.textContent = ticked ? '(' + ticked + ' selected)' : '';
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

  function clear() {
    facets.forEach((facet) => facet.boxes.forEach((box) => { box.checked = false; }));
    search.value = '';
    update();
    search.focus();
  }

  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  Array.from(document.querySelectorAll('[data-clear]')).forEach((button) => {
    button.addEventListener('click', clear);
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) { readURL(); update(); }
  });

  readURL();
  form.hidden = false;
  const anyTicked = facets.some((facet) => facet.boxes.some((box) => box.checked));
  if (facetsPanel && !anyTicked && window.matchMedia('(max-width: 59.99rem)').matches) {
    facetsPanel.open = false;
  }
  update();
}());
