// The designer's side panels: the problems the kiosks' route engine finds (each selects its table), the exact route
// from a door to a table, and the background image (upload, scale by two points, opacity, remove).
import { useEffect, useState } from 'preact/hooks';
import { scaleFromTwoPoints } from '../../../../../core/designer/geometry';
import { routeFor } from '../../../../../core/designer/reach';
import { api } from '../../api';
import { errorText } from '../../data';
import { num, t } from '../../i18n';
import { announce } from '../../state';
import { described, Field, FormError } from '../field';
import type { Layout } from '../../../../../core/designer/layout';
import type { TableReach } from '../../../../../core/designer/reach';
import { checked, commit, doc, reach, scalePick, seal, select, shownRoute } from './editor';

/** Why a table is not reachable, in the planner's language (the problems list and the table's accessible name). */
export function problemReason(layout: Layout, r: TableReach): string {
  switch (r.problem) {
    case null: return '';
    case 'no_doors': return t('designer.problem.no_doors');
    case 'unreachable': return t('designer.problem.unreachable');
    case 'outside_room': return t('designer.problem.outside_room');
    case 'some_doors': {
      const missing = layout.doors.filter((d) => !r.reachable_from.includes(d.id)).map((d) => d.label);
      return t('designer.problem.some_doors', { doors: missing.join(', ') });
    }
  }
}

export function Problems() {
  const layout = checked.value;
  const report = reach.value;
  if (!report) return null;
  const label = new Map(layout.tables.map((x) => [x.id, x.label]));
  const doors = new Map(layout.doors.map((d) => [d.id, d.label]));
  const bad = report.tables.filter((x) => x.problem);
  const reason = (r: TableReach) => problemReason(layout, r);
  return (
    <section class="designer-problems" aria-labelledby="problems-title" data-reach-ms={report.duration_ms.toFixed(1)}>
      <h2 id="problems-title">{t('designer.problems')}</h2>
      {bad.length === 0 && report.blocked_doors.length === 0
        ? <p class="ok" data-testid="no-problems">{t('designer.no_problems')}</p>
        : (
          <ul data-testid="problems">
            {bad.map((r) => (
              <li key={r.table_id}>
                <button type="button" class="link" onClick={() => select([{ kind: 'tables', id: r.table_id }])}>
                  {t('designer.problem.table', { label: label.get(r.table_id) ?? r.table_id, reason: reason(r) })}
                </button>
              </li>
            ))}
            {report.blocked_doors.map((id) => <li key={id}>{t('designer.problem.door', { label: doors.get(id) ?? id })}</li>)}
          </ul>
        )}
    </section>
  );
}

export function RoutePanel() {
  const layout = checked.value;
  const report = reach.value;
  const [door, setDoor] = useState('');
  const [table, setTable] = useState('');
  const route = shownRoute.value;
  const show = (d: string, tb: string) => {
    const r = routeFor(doc.value, d, tb);
    shownRoute.value = { door: d, table: tb, path: r.path, length_m: r.length_m, ok: r.status === 'ok' };
  };
  // The route follows the plan: re-drawn whenever the check is re-run (after each change, not during a drag).
  useEffect(() => {
    const r = shownRoute.value;
    if (!r) return;
    if (doc.value.doors.some((d) => d.id === r.door) && doc.value.tables.some((x) => x.id === r.table)) show(r.door, r.table);
    else shownRoute.value = null;
  }, [report]);
  const d = door || layout.doors[0]?.id || '';
  const tb = table || layout.tables[0]?.id || '';
  const doorLabel = layout.doors.find((x) => x.id === route?.door)?.label ?? '';
  const tableLabel = layout.tables.find((x) => x.id === route?.table)?.label ?? '';
  return (
    <section class="designer-route" aria-labelledby="route-title">
      <h2 id="route-title">{t('designer.route')}</h2>
      <div class="row">
        <Field id="route-door" label={t('designer.route_door')}>
          <select id="route-door" value={d} onChange={(e) => setDoor(e.currentTarget.value)} disabled={!layout.doors.length}>
            {layout.doors.map((x) => <option key={x.id} value={x.id}>{x.label}</option>)}
          </select>
        </Field>
        <Field id="route-table" label={t('designer.route_table')}>
          <select id="route-table" value={tb} onChange={(e) => setTable(e.currentTarget.value)} disabled={!layout.tables.length}>
            {layout.tables.map((x) => <option key={x.id} value={x.id}>{x.label}</option>)}
          </select>
        </Field>
      </div>
      <div class="actions">
        <button type="button" disabled={!d || !tb} onClick={() => show(d, tb)}>{t('designer.show_route')}</button>
        {route && <button type="button" onClick={() => { shownRoute.value = null; }}>{t('designer.hide_route')}</button>}
      </div>
      {route && (
        <p data-testid="route-length" aria-live="polite">
          {route.ok
            ? t('designer.route_length', { door: doorLabel, table: tableLabel, m: num(Math.round(route.length_m * 10) / 10) })
            : t('designer.route_none', { door: doorLabel, table: tableLabel })}
        </p>
      )}
    </section>
  );
}

export function BackgroundPanel(props: { venueId: string }) {
  const layout = doc.value;
  const bg = layout.background;
  const picks = scalePick.value;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [metres, setMetres] = useState('');
  const upload = async (file: File) => {
    setBusy(true);
    setError(null);
    try {
      const img = await api.uploadImage(props.venueId, file);
      const l = doc.value;
      commit({ ...l, background: { image_id: img.image_id, x: 0, y: 0, m_per_px: l.width / img.width_px, opacity: 0.5, width_px: img.width_px, height_px: img.height_px } });
      announce(t('designer.bg_uploaded'));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const applyScale = () => {
    if (!bg || !picks || picks.length < 2) return;
    const toPx = (p: { x: number; y: number }) => ({ x: (p.x - bg.x) / bg.m_per_px, y: (p.y - bg.y) / bg.m_per_px });
    try {
      const m = scaleFromTwoPoints(toPx(picks[0]!), toPx(picks[1]!), Number(metres));
      commit({ ...doc.value, background: { ...bg, m_per_px: m } });
      scalePick.value = null;
      setMetres('');
      setError(null);
      announce(t('designer.bg_scaled'));
    } catch {
      setError(t('designer.bg_scale_bad'));
    }
  };
  return (
    <section class="designer-bg" aria-labelledby="bg-title">
      <h2 id="bg-title">{t('designer.bg')}</h2>
      <FormError text={error} />
      <Field id="bg-file" label={t('designer.bg_upload')}>
        <input id="bg-file" type="file" accept="image/png,image/jpeg" disabled={busy}
          onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void upload(f); e.currentTarget.value = ''; }} />
      </Field>
      {bg && (
        <>
          <Field id="bg-opacity" label={t('designer.bg_opacity')}>
            <input id="bg-opacity" type="range" min={0} max={1} step={0.05} value={bg.opacity}
              onInput={(e) => commit({ ...doc.value, background: { ...bg, opacity: Number(e.currentTarget.value) } }, 'bg-opacity')}
              onChange={seal} />
          </Field>
          {picks === null
            ? <button type="button" onClick={() => { scalePick.value = []; }}>{t('designer.bg_scale')}</button>
            : (
              <div class="bg-scale">
                <p aria-live="polite">{t(picks.length < 2 ? 'designer.bg_pick' : 'designer.bg_picked', { n: picks.length })}</p>
                {picks.length === 2 && (
                  <Field id="bg-metres" label={t('designer.bg_distance')}>
                    <input {...described('bg-metres')} type="number" min={0} step="any" value={metres} onInput={(e) => setMetres(e.currentTarget.value)} />
                  </Field>
                )}
                <div class="actions">
                  <button type="button" class="primary" disabled={picks.length < 2 || !(Number(metres) > 0)} onClick={applyScale}>{t('designer.bg_apply')}</button>
                  <button type="button" onClick={() => { scalePick.value = null; }}>{t('common.cancel')}</button>
                </div>
              </div>
            )}
          <button type="button" class="danger" onClick={() => commit({ ...doc.value, background: null })}>{t('designer.bg_remove')}</button>
        </>
      )}
    </section>
  );
}
