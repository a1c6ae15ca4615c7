// Runs one HiGHS solve (WebAssembly) in a worker thread, so the solver's time, memory and crashes stay off the caller's
// thread. Plain JavaScript on purpose: a worker does not inherit the TypeScript loader the CLI registers.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import loadHighs from 'highs';

const started = performance.now();
const { lp, xNames, timeLimitMs, shared } = workerData;
const highs = await loadHighs();
const model = highs.createModel({ format: 'lp', data: lp });
let message;
try {
  // The objective is integral: a gap below one point is a proof. HiGHS's default relative gap (1e-4) is not one.
  const left = Math.max(0.05, (timeLimitMs - (performance.now() - started)) / 1000);
  model.options.set({ output_flag: false, time_limit: left, mip_rel_gap: 0, mip_abs_gap: 0.999 });
  model.run();
  const code = model.getModelStatus();
  const s = highs.constants.modelStatus;
  const status = code === s.optimal ? 'optimal' : code === s.infeasible ? 'infeasible' : code === s.timeLimit ? 'time_limit' : `status_${code}`;
  let bound = null;
  try {
    const b = Number(model.info.get('mip_dual_bound'));
    if (Number.isFinite(b) && Math.abs(b) < 1e15) bound = b;
  } catch {
    // No MIP information (an LP or an empty model): no bound beyond the objective below.
  }
  let objective = null;
  let values = null;
  if (code === s.optimal || code === s.timeLimit) {
    const o = model.getObjectiveValue();
    const colValue = model.getSolution().colValue;
    if (Number.isFinite(o) && Math.abs(o) < 1e15 && colValue && colValue.length) {
      objective = o;
      values = new Float64Array(xNames.length);
      xNames.forEach((name, i) => (values[i] = colValue[model.getColByName(name)] ?? 0));
    }
  }
  if (code === s.optimal && objective !== null) bound = objective;
  if (status === 'optimal' && shared) {
    const view = new Float64Array(shared, 8, 1);
    view[0] = bound;
    Atomics.store(new Int32Array(shared, 0, 1), 0, 1);
  }
  message = { status, bound, objective, values, ms: performance.now() - started };
} finally {
  model.dispose();
}
parentPort.postMessage(message);
