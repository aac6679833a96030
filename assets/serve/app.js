// playbook serve: search as you type, open a step, copy its phrases.
// Every playbook string is drawn with textContent, never parsed as markup, so a playbook that
// contains markup shows those characters and runs nothing. The server's views
// (/api/views, /api/view/…) are drawn as they come; nothing parses text the CLI printed.
'use strict';

(() => {
  const LIMIT = 8;
  const LABELS = {
    situations: 'For',
    say: 'Say',
    do: 'Do',
    about: 'About',
    english: 'English',
    dont_say: "Don't say",
    escalate_when: 'Escalate when',
    asks: 'Agents ask',
  };
  const RTL = new Set(['fa', 'ar', 'he', 'ur']);

  const $ = (id) => document.getElementById(id);
  const box = $('q');
  const form = $('search-form');
  const list = $('results');
  const listView = $('list-view');
  const stepView = $('step-view');
  const stepBox = $('step');
  const resolved = $('resolved');
  const status = $('status');
  const toast = $('toast');
  const back = $('back');

  let seq = 0; // the newest search; older answers are dropped
  let controller = null;
  let results = null; // the ResultsView drawn
  let lastQuery = null;
  let openStep = null; // the StepView drawn, if a step is open
  let showOriginal = false;
  let toastTimer = 0;
  let pending = Promise.resolve(); // the search in flight

  // ---- drawing helpers (text only) ----

  function el(tag, props, children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null) continue;
        if (k === 'text') e.textContent = v;
        else if (k === 'class') e.className = v;
        else if (k === 'lang') setLang(e, v);
        else e.setAttribute(k, v);
      }
    }
    for (const c of children || []) if (c) e.append(c);
    return e;
  }

  function setLang(e, lang) {
    e.lang = lang;
    e.dir = RTL.has(lang) ? 'rtl' : 'ltr';
  }

  // The reading language may come with `shown` fields; the original is one click away.
  function pick(view, field) {
    if (!showOriginal && view.shown && view.shown[field] !== undefined) return view.shown[field];
    return view[field];
  }
  function pickLang(view) {
    if (!showOriginal && view.shown && view.shown.lang) return view.shown.lang;
    return view.lang;
  }

  function situationText(s) {
    return s.label === s.id ? s.id : `${s.label} (${s.id})`;
  }

  function say(message) {
    status.textContent = message;
  }

  // ---- URL state: ?q=…&step=playbook%23step ----

  function urlFor(q, step) {
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (step) p.set('step', step);
    const s = p.toString();
    return s ? `/?${s}` : '/';
  }

  function readUrl() {
    const p = new URLSearchParams(location.search);
    return { q: p.get('q') || '', step: p.get('step') || '' };
  }

  // ---- searching ----

  function search(q) {
    pending = runSearch(q);
    return pending;
  }

  async function runSearch(q) {
    const mine = ++seq;
    if (controller) controller.abort();
    controller = null;
    lastQuery = q;
    if (!q.trim()) {
      results = null;
      list.replaceChildren();
      resolved.replaceChildren();
      say('');
      return;
    }
    controller = new AbortController();
    const params = new URLSearchParams({ q, limit: String(LIMIT) });
    try {
      const response = await fetch(`/api/views?${params}`, {
        signal: controller.signal,
        headers: { Accept: 'application/json' },
      });
      const body = await response.json();
      if (mine !== seq) return;
      if (!response.ok) {
        say(body.error || `Search failed (${response.status})`);
        return;
      }
      drawResults(body);
    } catch (e) {
      if (e.name !== 'AbortError' && mine === seq) say(`Search failed: ${e.message}`);
    }
  }

  function drawResults(view) {
    results = view;
    const items = view.steps.map((step, i) => resultItem(step, i));
    list.replaceChildren(...items);
    list.dataset.query = view.query; // which search the list shows (for tests and benchmarks)
    drawResolved(view);
    const n = view.steps.length;
    say(n === 0 ? 'No steps found.' : `${n} step${n === 1 ? '' : 's'} found.`);
  }

  function drawResolved(view) {
    // Persian typed in Latin letters is searched as Persian script: say what was searched.
    const readAs = view.read_as
      ? [
          el('span', { class: 'label', text: 'Read as Persian: ' }),
          el('span', { lang: 'fa', class: 'read-as', text: view.read_as }),
        ]
      : [];
    if (view.situations.length) {
      resolved.replaceChildren(
        ...readAs,
        ...(readAs.length ? [el('span', { text: ' · ' })] : []),
        el('span', { class: 'label', text: 'Situation: ' }),
        el('span', { lang: 'en', text: view.situations.map(situationText).join(', ') }),
      );
    } else if (readAs.length) {
      resolved.replaceChildren(...readAs);
    } else if (view.suggestions && view.suggestions.length) {
      const buttons = view.suggestions.map((s) => {
        const b = el('button', { type: 'button', class: 'suggestion', text: s.label });
        b.addEventListener('click', () => {
          box.value = s.label;
          onInput();
          box.focus();
        });
        return b;
      });
      resolved.replaceChildren(el('span', { class: 'label', text: 'Did you mean: ' }), ...buttons);
    } else {
      resolved.replaceChildren();
    }
  }

  function resultItem(step, i) {
    const lang = pickLang(step);
    const title = el('span', { class: 'title', lang, text: pick(step, 'title') });
    const trail = el('span', { class: 'trail', lang, text: pick(step, 'trail').join(' › ') });
    const open = el('button', { type: 'button', class: 'open', 'data-index': String(i) }, [
      title,
      trail,
    ]);
    open.addEventListener('click', () => openById(step.id, true));
    const phrases = pick(step, 'say');
    const li = el('li', { class: 'result', 'data-id': step.id }, [open]);
    if (phrases.length) {
      li.append(phraseRow(phrases[0], lang, 0, false));
    } else {
      const guidance = pick(step, 'guidance');
      if (guidance.length) li.append(el('p', { class: 'guidance', lang, text: guidance[0] }));
    }
    return li;
  }

  function phraseRow(phrase, lang, i, withKey) {
    const copy = el('button', {
      type: 'button',
      class: 'copy',
      // The visible text ("Copy", "Copy 1") starts the accessible name.
      'aria-label': withKey && i < 9 ? `Copy ${i + 1}: ${phrase.text}` : `Copy: ${phrase.text}`,
    }, [el('span', { text: 'Copy' })]);
    if (withKey && i < 9) copy.append(' ', el('kbd', { text: String(i + 1), 'aria-hidden': 'true' }));
    copy.addEventListener('click', () => copyText(phrase.text));
    const text = el('q', { class: 'phrase-text', lang, text: phrase.text });
    const row = el('div', { class: 'phrase' }, [text]);
    if (phrase.added) row.append(el('span', { class: 'added', text: '(added)', lang: 'en' }));
    row.append(copy);
    return row;
  }

  // ---- a step ----

  async function openById(id, push) {
    let view = results && results.steps.find((s) => s.id === id);
    if (!view) {
      const hash = id.indexOf('#');
      if (hash < 0) {
        say(`No step ${id}.`);
        return;
      }
      // In the language the results are read in (a deep link's search answered first).
      const reading = results ? `?in=${encodeURIComponent(results.reading)}` : '';
      const path = `/api/view/${encodeURIComponent(id.slice(0, hash))}/${encodeURIComponent(id.slice(hash + 1))}${reading}`;
      try {
        const response = await fetch(path, { headers: { Accept: 'application/json' } });
        const body = await response.json();
        if (!response.ok) {
          say(body.error || `Cannot open ${id}`);
          return;
        }
        view = body;
      } catch (e) {
        say(`Cannot open ${id}: ${e.message}`);
        return;
      }
    }
    if (push) history.pushState({ step: id }, '', urlFor(box.value, id));
    drawStep(view);
  }

  function section(label, children) {
    return el('section', { class: 'part' }, [el('h3', { text: label }), ...children]);
  }

  const LANGUAGE_NAMES = { en: 'English', fa: 'Persian', ro: 'Romanian', th: 'Thai', da: 'Danish' };

  // Where the text shown comes from (the engine's StepView.origin): agents always tell
  // source text from translations, reviewed or not.
  function originNote(origin) {
    if (!origin || origin.kind === 'original') return '';
    if (origin.kind === 'translation') {
      let note = `Translated from ${LANGUAGE_NAMES[origin.from] || origin.from}`;
      note += origin.reviewed ? ` · reviewed ${origin.reviewed}` : ' · not reviewed';
      if (origin.stale) note += ' · stale: the original changed since';
      return note;
    }
    if (origin.kind === 'no_translation') {
      return `No ${LANGUAGE_NAMES[origin.wanted] || origin.wanted} translation yet: the original`;
    }
    return '';
  }

  function drawStep(view) {
    openStep = view;
    const lang = pickLang(view);
    const parts = [];
    parts.push(el('p', { class: 'trail', lang, text: pick(view, 'trail').join(' › ') }));
    const heading = el('h2', { id: 'step-title', lang, tabindex: '-1', text: pick(view, 'title') });
    // An editorial title (not the source's heading) says so, as an editorial phrase does.
    if (pick(view, 'title_added')) heading.append(' ', el('span', { class: 'added', text: '(added)', lang: 'en' }));
    parts.push(heading);
    const note = originNote(view.origin);
    if (note) {
      parts.push(el('p', { class: 'origin', lang: 'en', text: note }));
    }
    if (view.shown) {
      const toggle = el('button', {
        type: 'button',
        class: 'original',
        text: showOriginal ? 'Show translation' : 'Show original',
      });
      toggle.addEventListener('click', () => {
        showOriginal = !showOriginal;
        drawStep(view);
      });
      parts.push(toggle);
    }
    if (view.situations.length) {
      parts.push(el('p', { class: 'situations' }, [
        el('span', { class: 'label', text: `${LABELS.situations}: ` }),
        el('span', { lang: 'en', text: view.situations.map(situationText).join(', ') }),
      ]));
    }
    const phrases = pick(view, 'say');
    if (phrases.length) {
      parts.push(section(LABELS.say, [
        el('ol', { class: 'phrases' }, phrases.map((p, i) => el('li', null, [phraseRow(p, lang, i, true)]))),
      ]));
    }
    const guidance = pick(view, 'guidance');
    if (guidance.length) {
      parts.push(section(LABELS[view.guidance_label] || LABELS.do, guidance.map((g) => el('p', { lang, text: g }))));
    }
    if (view.english) {
      parts.push(section(LABELS.english, [el('p', { lang: 'en', text: view.english })]));
    }
    const dont = pick(view, 'dont_say');
    if (dont.length) {
      parts.push(section(LABELS.dont_say, [el('ul', null, dont.map((d) => el('li', { lang, text: d })))]));
    }
    if (view.escalate_when.length) {
      parts.push(section(LABELS.escalate_when, [
        el('ul', null, view.escalate_when.map((d) => el('li', { lang: 'en', text: d }))),
      ]));
    }
    const asks = pick(view, 'asks');
    if (asks.length) {
      parts.push(section(LABELS.asks, [el('ul', null, asks.map((d) => el('li', { lang, text: d })))]));
    }
    parts.push(el('p', { class: 'location' }, [
      el('span', { text: 'Source: ' }),
      el('code', { text: view.location }),
      el('span', { text: ' · ' }),
      el('code', { text: view.id }),
    ]));
    stepBox.replaceChildren(...parts);
    listView.hidden = true;
    stepView.hidden = false;
    document.title = `${pick(view, 'title')} — Playbooks`;
    $('step-title').focus();
  }

  function closeStep(fromHistory) {
    if (!openStep) return;
    const id = openStep.id;
    openStep = null;
    stepView.hidden = true;
    listView.hidden = false;
    document.title = 'Playbooks';
    if (!fromHistory) {
      if (history.state && history.state.step === id) history.back();
      else history.replaceState(null, '', urlFor(box.value, ''));
    }
    const item = list.querySelector(`li[data-id="${CSS.escape(id)}"] .open`);
    if (item) item.focus();
    else box.focus();
  }

  // ---- copying ----

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // Without the asynchronous clipboard (not a secure context): a hidden selection.
      const area = el('textarea', { 'aria-hidden': 'true', class: 'offscreen' });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    toast.textContent = `Copied: ${text}`;
    toast.classList.add('shown');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => toast.classList.remove('shown'), 1800);
  }

  function copyPhrase(view, i) {
    const phrases = view ? pick(view, 'say') : [];
    if (phrases[i]) copyText(phrases[i].text);
    else say('No phrase to copy.');
  }

  // ---- keyboard ----

  function openButtons() {
    return Array.from(list.querySelectorAll('.open'));
  }

  function focusedIndex() {
    const li = document.activeElement && document.activeElement.closest('li.result');
    if (!li) return -1;
    return Array.from(list.children).indexOf(li);
  }

  function move(delta) {
    const buttons = openButtons();
    if (!buttons.length) return;
    const at = focusedIndex();
    const next = at < 0 ? (delta > 0 ? 0 : -1) : at + delta;
    if (next < 0) {
      box.focus();
      return;
    }
    buttons[Math.min(next, buttons.length - 1)].focus();
  }

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const inBox = document.activeElement === box;
    if (e.key === '/' && !inBox) {
      e.preventDefault();
      if (openStep) closeStep(false);
      box.focus();
      box.select();
      return;
    }
    if (e.key === 'Escape') {
      if (openStep) {
        e.preventDefault();
        closeStep(false);
      } else if (!inBox) {
        e.preventDefault();
        box.focus();
      }
      return;
    }
    if (openStep) {
      if (inBox) return;
      if (e.key === 'c') {
        e.preventDefault();
        copyPhrase(openStep, 0);
      } else if (/^[1-9]$/.test(e.key)) {
        e.preventDefault();
        copyPhrase(openStep, Number(e.key) - 1);
      }
      return;
    }
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'ArrowUp' && !inBox) {
      e.preventDefault();
      move(-1);
    } else if (e.key === 'c' && !inBox && results) {
      const at = focusedIndex();
      e.preventDefault();
      copyPhrase(results.steps[at < 0 ? 0 : at], 0);
    }
  });

  form.addEventListener('submit', async (e) => {
    // Enter in the box opens the first result (once the search typed so far has answered).
    e.preventDefault();
    await pending;
    if (results && results.steps.length && !openStep) openById(results.steps[0].id, true);
  });

  function onInput() {
    history.replaceState(null, '', urlFor(box.value, ''));
    search(box.value);
  }
  box.addEventListener('input', onInput);
  back.addEventListener('click', () => closeStep(false));

  // ---- the URL opens the same view ----

  async function fromUrl() {
    const { q, step } = readUrl();
    if (box.value !== q) box.value = q;
    if (q !== lastQuery) await search(q);
    if (step) {
      if (!openStep || openStep.id !== step) await openById(step, false);
    } else if (openStep) {
      closeStep(true);
    }
  }
  window.addEventListener('popstate', fromUrl);
  fromUrl();
})();
