// What the designer bench installs in the page (page.addInitScript) to time the real designer and seating pages:
// listeners and a requestAnimationFrame loop only, nothing of the product replaced. Plain JavaScript in a string:
// tsx's keepNames would put __name() calls into a serialised function.
//
// Frame time: Chromium dispatches pointer moves aligned to frames, right before the frame's requestAnimationFrame
// callbacks, then runs style, layout and paint in the same task. So a frame's main-thread time is measured from the
// first pointermove listener of that frame (capture phase on window: before the page's own handlers) to a
// MessageChannel task posted from the frame's rAF callback (it runs once the frame's rendering is done). Also kept:
// the interval between rAF callbacks (bounded below by the display's 60 Hz in headless Chromium), the
// long-animation-frame entries (frames over 50 ms) and Event Timing entries of pointer moves (those of 16 ms or more).

export interface FrameSample {
  /** ms between this frame's rAF callback and the previous one's. */
  interval: number;
  /** ms from the first pointer move of the frame (or the rAF callback, without one) to the frame rendered. */
  work: number;
  /** Pointer moves dispatched in this frame. */
  moves: number;
}

export interface DesignerBenchWindow {
  __bench: {
    frames: FrameSample[];
    recording: boolean;
    /** long-animation-frame entries while recording: duration and blocking duration, ms. */
    loaf: { duration: number; blocking: number }[];
    /** Event Timing entries (≥ 16 ms) of pointer moves while recording: duration, ms. */
    slowMoves: number[];
    loafSupported: boolean;
    /** Every click on a button: its event time and the button's text. */
    clicks: { t: number; text: string }[];
    /** First time (performance.now) a waited-for condition held, by name. */
    seen: Record<string, number>;
    start(): void;
    stop(): void;
  };
}

export const DESIGNER_PROBE = `(() => {
  const b = { frames: [], recording: false, loaf: [], slowMoves: [], loafSupported: false, clicks: [], seen: {} };
  window.__bench = b;
  let firstMove = null;
  let moves = 0;
  let last = null;
  const afterPaint = (fn) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => fn(performance.now());
    ch.port2.postMessage(0);
  };
  window.addEventListener('pointermove', () => {
    if (!b.recording) return;
    if (firstMove === null) firstMove = performance.now();
    moves++;
  }, true);
  const tick = () => {
    if (!b.recording) return;
    const now = performance.now();
    const t0 = firstMove === null ? now : firstMove;
    const n = moves;
    const interval = last === null ? null : now - last;
    last = now;
    firstMove = null;
    moves = 0;
    afterPaint((t) => { if (interval !== null) b.frames.push({ interval, work: t - t0, moves: n }); });
    requestAnimationFrame(tick);
  };
  b.start = () => {
    b.frames = []; b.loaf = []; b.slowMoves = [];
    firstMove = null; moves = 0; last = null;
    b.recording = true;
    requestAnimationFrame(tick);
  };
  b.stop = () => { b.recording = false; };
  try {
    new PerformanceObserver((list) => {
      if (!b.recording) return;
      for (const e of list.getEntries()) b.loaf.push({ duration: e.duration, blocking: e.blockingDuration || 0 });
    }).observe({ type: 'long-animation-frame' });
    b.loafSupported = true;
  } catch (e) { b.loafSupported = false; }
  try {
    new PerformanceObserver((list) => {
      if (!b.recording) return;
      for (const e of list.getEntries()) if (e.name === 'pointermove' || e.name === 'mousemove') b.slowMoves.push(e.duration);
    }).observe({ type: 'event', durationThreshold: 16 });
  } catch (e) {}
  document.addEventListener('click', (e) => {
    const el = e.target && e.target.closest ? e.target.closest('button') : null;
    if (el) b.clicks.push({ t: e.timeStamp, text: (el.textContent || '').trim() });
  }, true);
})();`;
