// Importing a guest CSV into the chosen occasion: the file goes up with fetch, the answer streams the import's
// stages (a progress bar with aria values), then the report, or every bad row as "line N: reason" (nothing imported).
import { useState } from 'preact/hooks';
import type { GuestImportReport } from '../../../../core/console/guests';
import type { ImportProblemRow } from '../../../../core/console/errors';
import { api, ApiError } from '../api';
import { errorText, loadGuestList, loadOccasions } from '../data';
import { num, t } from '../i18n';
import { announce } from '../state';

type Stage = 'reading' | 'checking' | 'writing';
type ImportState =
  | { kind: 'idle' }
  | { kind: 'running'; stage: Stage | null; done: number; total: number }
  | { kind: 'done'; report: GuestImportReport }
  | { kind: 'refused'; problems: ImportProblemRow[]; message: string }
  | { kind: 'failed'; message: string };

export function GuestImport(props: { occasionId: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<ImportState>({ kind: 'idle' });
  const [hint, setHint] = useState<string | null>(null);

  const start = async (e: Event) => {
    e.preventDefault();
    if (!file) {
      setHint(t('guests.import_choose_first'));
      return;
    }
    setHint(null);
    setState({ kind: 'running', stage: null, done: 0, total: 0 });
    try {
      const report = await api.importGuests(props.occasionId, file, (p) => setState({ kind: 'running', stage: p.stage as Stage, done: p.done, total: p.total }));
      setState({ kind: 'done', report });
      announce(t('guests.import_done', { rows: num(report.rows), created: num(report.created), updated: num(report.updated), unchanged: num(report.unchanged) }));
      await Promise.all([loadGuestList(true), loadOccasions()]);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'import_refused') {
        setState({ kind: 'refused', problems: err.problems, message: err.message });
        announce(t('guests.import_refused', { count: num(err.problems.length) }), 'error');
      } else {
        const message = errorText(err);
        setState({ kind: 'failed', message });
        announce(t('guests.import_failed', { message }), 'error');
      }
    }
  };

  const running = state.kind === 'running';
  return (
    <details class="import card">
      <summary>{t('guests.import_title')}</summary>
      <form onSubmit={start} noValidate>
        <p class="hint muted" id="import-hint">{t('guests.import_hint')}</p>
        <div class="row">
          <div class="field">
            <label for="import-file">{t('guests.import_file')}</label>
            <input id="import-file" type="file" accept=".csv,text/csv" aria-describedby="import-hint" disabled={running} onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
          </div>
          <button type="submit" class="primary" disabled={running}>{t('guests.import_start')}</button>
        </div>
        {hint && <p class="form-error" role="alert">{hint}</p>}
      </form>
      {state.kind === 'running' && <Progress stage={state.stage} done={state.done} total={state.total} />}
      {state.kind === 'done' && (
        <p class="report" data-testid="import-report">
          {t('guests.import_done', { rows: num(state.report.rows), created: num(state.report.created), updated: num(state.report.updated), unchanged: num(state.report.unchanged) })}
        </p>
      )}
      {state.kind === 'refused' && (
        <div data-testid="import-problems">
          <p class="form-error">{t('guests.import_refused', { count: num(state.problems.length) })} {t('guests.import_fix_hint')}</p>
          <ol class="problems">
            {state.problems.map((p) => <li key={`${p.line}:${p.reason}`}>{t('guests.import_line', { line: p.line, reason: p.reason })}</li>)}
          </ol>
        </div>
      )}
      {state.kind === 'failed' && <p class="form-error">{t('guests.import_failed', { message: state.message })}</p>}
    </details>
  );
}

function Progress(props: { stage: Stage | null; done: number; total: number }) {
  const label = props.stage ? t(`guests.stage.${props.stage}`) : t('common.loading');
  const text = props.stage && props.total ? t('guests.stage_count', { stage: label, done: num(props.done), total: num(props.total) }) : label;
  const pct = props.total ? Math.min(100, Math.round((props.done / props.total) * 100)) : 0;
  return (
    <div>
      <p id="import-stage">{text}</p>
      <div
        class="progress"
        role="progressbar"
        aria-label={t('guests.import_progress')}
        aria-describedby="import-stage"
        aria-valuemin={0}
        aria-valuemax={props.total || 100}
        aria-valuenow={props.total ? props.done : undefined}
        aria-valuetext={text}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
