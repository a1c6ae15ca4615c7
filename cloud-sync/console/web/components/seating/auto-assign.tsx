// Auto-assign: the seating engine runs on the server (channel console); the page follows the job every 250 ms with a
// progress bar (elapsed ÷ the solver's time limit while solving), then shows the plan — score, optimal or the gap,
// who is seated, who is not and why, every move — and writes nothing until the planner applies it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AutoJob, AutoResult } from '../../../../../core/console/seating';
import { api } from '../../api';
import { errorText } from '../../data';
import { num, t } from '../../i18n';
import { announce } from '../../state';
import { chartView, patchParties, refreshChart, tableLabel, type ChartView } from './chart-data';

const POLL_MS = 250;
/** How long the engine may search, in ms: the first is quick enough to wait for at the screen. */
const SEARCH_TIMES = [1500, 5000, 15_000] as const;

type Phase =
  | { kind: 'idle' }
  | { kind: 'running'; job: AutoJob | null }
  | { kind: 'result'; result: AutoResult }
  | { kind: 'failed'; text: string };

export function AutoAssign(props: { view: ChartView; occasionId: string }) {
  const { view, occasionId } = props;
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [applying, setApplying] = useState(false);
  const [limit, setLimit] = useState<number>(SEARCH_TIMES[0]);
  // The page may be left mid-run: the poll stops with it.
  const alive = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    alive.current = false;
    if (timer.current) clearTimeout(timer.current);
  }, []);
  useEffect(() => setPhase({ kind: 'idle' }), [occasionId]);

  const follow = (job: AutoJob) => {
    if (!alive.current) return;
    if (job.stage === 'done' && job.result) {
      setPhase({ kind: 'result', result: job.result });
      announce(t('seating.auto_done', { moves: num(job.result.moves.length), seated: num(job.result.guests_seated), total: num(job.result.guests_to_seat) }));
      return;
    }
    if (job.stage === 'failed' || job.stage === 'done') {
      const text = t('seating.auto_failed', { reason: job.error ?? '?' });
      setPhase({ kind: 'failed', text });
      announce(text, 'error');
      return;
    }
    setPhase({ kind: 'running', job });
    timer.current = setTimeout(() => {
      api.autoJob(occasionId, job.job_id).then(follow, (e: unknown) => fail(e));
    }, POLL_MS);
  };
  const fail = (e: unknown) => {
    if (!alive.current) return;
    const text = t('seating.auto_failed', { reason: errorText(e) });
    setPhase({ kind: 'failed', text });
    announce(text, 'error');
  };

  const start = () => {
    setPhase({ kind: 'running', job: null });
    announce(t('seating.auto_started'));
    api.startAuto(occasionId, { time_limit_ms: limit }).then(follow, fail);
  };

  const apply = async (result: AutoResult) => {
    setApplying(true);
    try {
      const res = await api.applyPlan(occasionId, { moves: result.moves.map((m) => ({ guest_id: m.guest_id, from: m.from, to: m.to })) });
      // The chart shows what the server wrote at once; the reload after it brings the parties' new versions.
      const skipped = new Set(res.skipped.map((x) => x.guest_id));
      const shown = chartView.value;
      if (shown) {
        patchParties(result.moves.flatMap((m) => {
          const p = skipped.has(m.guest_id) ? undefined : shown.parties.get(m.guest_id);
          return p ? [{ ...p, table_id: m.to }] : [];
        }));
      }
      setPhase({ kind: 'idle' });
      refreshChart(occasionId).catch((e: unknown) => announce(errorText(e), 'error'));
      announce(res.skipped.length ? t('seating.applied_skipped', { applied: num(res.applied), skipped: num(res.skipped.length) }) : t('seating.applied', { applied: num(res.applied) }));
    } catch (e) {
      const text = t('seating.apply_failed', { reason: errorText(e) });
      setPhase({ kind: 'failed', text });
      announce(text, 'error');
    } finally {
      setApplying(false);
    }
  };

  return (
    <section class="auto-assign card" aria-labelledby="auto-title">
      <h2 id="auto-title">{t('seating.auto_title')}</h2>
      {phase.kind !== 'running' && phase.kind !== 'result' && (
        <>
          <p class="muted small">{t('seating.auto_hint')}</p>
          <div class="field inline">
            <label for="auto-limit">{t('seating.auto_limit')}</label>
            <select id="auto-limit" value={String(limit)} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
              {SEARCH_TIMES.map((ms) => <option key={ms} value={String(ms)}>{t('seating.auto_seconds', { s: num(ms / 1000) })}</option>)}
            </select>
          </div>
          <button type="button" class="primary" onClick={start}>{t('seating.auto_start')}</button>
        </>
      )}
      {phase.kind === 'running' && <Progress job={phase.job} />}
      {phase.kind === 'failed' && <p class="form-error" role="alert">{phase.text}</p>}
      {phase.kind === 'result' && (
        <div class="auto-result" data-testid="auto-result">
          <dl class="pairs">
            <div><dt>{t('seating.auto_score')}</dt><dd>{num(Math.round(phase.result.score * 100) / 100)}</dd></div>
            <div>
              <dt>{t('seating.auto_quality')}</dt>
              <dd>{phase.result.optimal ? t('seating.auto_optimal') : phase.result.gap === null ? t('seating.auto_no_bound') : t('seating.auto_gap', { pct: num(Math.round(phase.result.gap * 1000) / 10) })}</dd>
            </div>
            <div><dt>{t('seating.auto_seated')}</dt><dd>{t('seating.auto_seated_value', { seated: num(phase.result.guests_seated), total: num(phase.result.guests_to_seat) })}</dd></div>
            <div><dt>{t('seating.auto_time')}</dt><dd>{t('seating.auto_ms', { ms: num(phase.result.duration_ms) })}</dd></div>
          </dl>
          {phase.result.unseated.length > 0 && (
            <>
              <h3>{t('seating.auto_unseated', { n: num(phase.result.unseated.length) })}</h3>
              <ul class="auto-unseated">
                {phase.result.unseated.map((u) => <li key={u.guest_id}>{t('seating.party_label', { name: u.name, n: u.party_size })}: {u.reason}</li>)}
              </ul>
            </>
          )}
          <h3>{t('seating.auto_moves', { n: num(phase.result.moves.length) })}</h3>
          {phase.result.moves.length === 0 ? <p class="muted">{t('seating.auto_no_moves')}</p> : (
            <div class="table-wrap auto-moves">
              <table class="plain compact">
                <thead><tr><th scope="col">{t('seating.col_party')}</th><th scope="col">{t('seating.col_from')}</th><th scope="col">{t('seating.col_to')}</th></tr></thead>
                <tbody>
                  {phase.result.moves.map((m) => (
                    <tr key={m.guest_id}>
                      <th scope="row">{t('seating.party_label', { name: m.name, n: m.party_size })}</th>
                      <td>{tableLabel(view, m.from) ?? t('seating.no_table')}</td>
                      <td>{tableLabel(view, m.to) ?? t('seating.no_table')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="actions">
            <button type="button" class="primary" disabled={applying || phase.result.moves.length === 0} onClick={() => void apply(phase.result)}>{t('seating.apply')}</button>
            <button type="button" disabled={applying} onClick={() => { setPhase({ kind: 'idle' }); announce(t('seating.discarded')); }}>{t('seating.discard')}</button>
          </div>
        </div>
      )}
    </section>
  );
}

function Progress(props: { job: AutoJob | null }) {
  const j = props.job;
  const solving = j?.stage === 'solving' && j.limit_ms > 0;
  const pct = solving ? Math.min(100, Math.round((j.elapsed_ms / j.limit_ms) * 100)) : null;
  const stage = !j ? t('seating.stage_starting') : j.stage === 'loading' ? t('seating.stage_loading') : j.stage === 'solving' ? t('seating.stage_solving') : t('seating.stage_finishing');
  return (
    <div class="auto-progress">
      <p data-testid="auto-stage">{stage}{pct !== null && ` ${t('seating.stage_time', { s: num(Math.round(j!.elapsed_ms / 100) / 10), limit: num(Math.round(j!.limit_ms / 100) / 10) })}`}</p>
      <div
        class="progress"
        role="progressbar"
        aria-label={t('seating.auto_progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={stage}
      >
        <div class={pct === null ? 'indeterminate' : undefined} style={{ width: `${pct ?? 100}%` }} />
      </div>
    </div>
  );
}
