// What the console bench installs in the page (page.addInitScript) to time the real page: listeners only, nothing of
// the product replaced. "Painted" is the frame after the DOM update: a requestAnimationFrame callback (the DOM is
// already updated when it runs), then a MessageChannel task, which runs once that frame's rendering is done.
// Plain JavaScript in a string: tsx's keepNames would put __name() calls into a serialised function.

export interface FirstRows {
  /** ms since navigation start: the first guest row was put in the DOM … */
  dom: number;
  /** … and the frame showing it was rendered. */
  painted: number;
}

export interface KeySample {
  /** The search box's value after the key. */
  value: string;
  /** ms from the keydown (its event timestamp) to the input event, to the frame's rAF, to that frame rendered. */
  input: number;
  frame: number;
  painted: number;
  /** What the page showed in that frame: the count line and the first row's guest id. */
  count: string;
  first: string | null;
}

export interface OpenSample {
  how: 'click' | 'enter';
  name: string;
  /** ms from the click/Enter to the frame where a field holds the guest's name, rendered; null: not within 10 s. */
  painted: number | null;
}

export interface BenchWindow {
  __bench: {
    firstRows: FirstRows | null;
    keys: KeySample[];
    opens: OpenSample[];
    expectOpen: string | null;
    /** ms from the import form's submit to the frame showing its report (or its refusal: `importRefused`), rendered. */
    importDone: number | null;
    importRefused: boolean;
  };
}

export const PAGE_PROBE = `(() => {
  const b = { firstRows: null, keys: [], opens: [], expectOpen: null, importDone: null, importRefused: false, lastKey: 0, armed: false };
  window.__bench = b;
  const afterPaint = (fn) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => fn(performance.now());
    ch.port2.postMessage(0);
  };

  const mo = new MutationObserver(() => {
    if (b.armed || !document.querySelector('[data-guest]')) return;
    b.armed = true;
    mo.disconnect();
    const dom = performance.now();
    requestAnimationFrame(() => afterPaint((t) => { b.firstRows = { dom, painted: t }; }));
  });
  mo.observe(document, { childList: true, subtree: true });

  document.addEventListener('keydown', (e) => { b.lastKey = e.timeStamp; }, true);
  // Bubble phase on the document: the search box's own handler (and the render it queues) has run by now.
  document.addEventListener('input', (e) => {
    const el = e.target;
    if (!el || el.id !== 'guest-search') return;
    const t0 = b.lastKey && b.lastKey <= e.timeStamp && e.timeStamp - b.lastKey < 1000 ? b.lastKey : e.timeStamp;
    const value = el.value;
    requestAnimationFrame(() => {
      const frame = performance.now();
      const count = document.querySelector('[data-testid="guest-count"]')?.textContent ?? '';
      const first = document.querySelector('[data-guest]')?.getAttribute('data-guest') ?? null;
      afterPaint((t) => b.keys.push({ value, input: e.timeStamp - t0, frame: frame - t0, painted: t - t0, count, first }));
    });
  });

  const watchOpen = (t0, how) => {
    const name = b.expectOpen;
    b.expectOpen = null;
    const tick = () => {
      const fields = document.querySelectorAll('input, textarea');
      for (const f of fields) {
        if (f.value === name) {
          afterPaint((t) => b.opens.push({ how, name, painted: t - t0 }));
          return;
        }
      }
      if (performance.now() - t0 > 10000) { b.opens.push({ how, name, painted: null }); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  document.addEventListener('click', (e) => {
    if (b.expectOpen !== null && e.target.closest && e.target.closest('[data-guest]')) watchOpen(e.timeStamp, 'click');
  }, true);
  document.addEventListener('keydown', (e) => {
    if (b.expectOpen !== null && e.key === 'Enter' && e.target.getAttribute && e.target.getAttribute('role') === 'grid') watchOpen(e.timeStamp, 'enter');
  }, true);

  document.addEventListener('submit', (e) => {
    if (!e.target.closest || !e.target.closest('.import')) return;
    const t0 = e.timeStamp;
    b.importDone = null;
    const poll = () => {
      const done = document.querySelector('[data-testid="import-report"], [data-testid="import-problems"]');
      if (!done) { requestAnimationFrame(poll); return; }
      b.importRefused = done.getAttribute('data-testid') === 'import-problems';
      afterPaint((t) => { b.importDone = t - t0; });
    };
    requestAnimationFrame(poll);
  }, true);
})();`;
