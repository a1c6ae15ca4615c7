// The chosen party: where it sits, the keyboard's way to move it ("Move to table" + Move, Unseat), lock and unlock,
// its needs (saved on the guest with its version, as the guest page does) and its relations to other parties (a score
// −100…100 or a hard rule, all of them saved at once). A viewer sees the same, without the controls.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ChartParty } from '../../../../../core/console/seating';
import { fold } from '../../../../../core/console/guest-filter';
import { api, ApiError } from '../../api';
import { described, Field, FormError } from '../field';
import { errorText } from '../../data';
import { num, t } from '../../i18n';
import { announce } from '../../state';
import { loadChart, tableLabel, type ChartView } from './chart-data';
import { lockParty, moveParty } from './moves';

type Kind = 'score' | 'apart' | 'together';
interface RelationRow {
  key: number;
  other: string;
  kind: Kind;
  score: string;
  /** The text the other-party picker is narrowed by. */
  find: string;
}

let rowSeq = 0;

function relationRows(view: ChartView, guestId: string): RelationRow[] {
  return view.chart.relations
    .filter((r) => r.a === guestId || r.b === guestId)
    .map((r) => ({
      key: ++rowSeq,
      other: r.a === guestId ? r.b : r.a,
      kind: (r.rule ?? 'score') as Kind,
      score: r.score === null ? '0' : String(r.score),
      find: '',
    }));
}

const splitNeeds = (s: string) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))];
const PICK_LIMIT = 50;

export function PartyPanel(props: {
  view: ChartView;
  party: ChartParty;
  occasionId: string;
  canEdit: boolean;
  onClose: () => void;
  /** A move or lock refused or done: the page shows the refusal beside the chart. */
  onOutcome: (refusal: string | null) => void;
}) {
  const { view, party, occasionId, canEdit } = props;
  const [target, setTarget] = useState('');
  const [needs, setNeeds] = useState(party.needs.join(', '));
  const [rows, setRows] = useState<RelationRow[]>(() => relationRows(view, party.guest_id));
  const [busy, setBusy] = useState(false);
  const [needsError, setNeedsError] = useState<string | null>(null);
  const [relError, setRelError] = useState<string | null>(null);
  const at = tableLabel(view, party.table_id);

  // Another party chosen, or the chart reloaded: the forms show what is saved now.
  useEffect(() => {
    setNeeds(party.needs.join(', '));
    setNeedsError(null);
  }, [party.guest_id, party.version]);
  useEffect(() => {
    setRows(relationRows(view, party.guest_id));
    setRelError(null);
  }, [party.guest_id, view.chart.relations]);
  useEffect(() => setTarget(''), [party.guest_id]);

  const others = useMemo(() => view.chart.parties.filter((p) => p.guest_id !== party.guest_id).map((p) => ({ p, folded: fold(p.name) })), [view.chart.parties, party.guest_id]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
    } finally {
      setBusy(false);
    }
  };
  const move = (to: string | null) => run(async () => {
    const r = await moveParty(occasionId, party.guest_id, to);
    props.onOutcome(r.ok ? null : r.text);
  });
  const lock = () => run(async () => {
    const r = await lockParty(occasionId, party.guest_id, !party.locked);
    props.onOutcome(r.ok ? null : r.text);
  });

  const saveNeeds = (e: Event) => {
    e.preventDefault();
    const list = splitNeeds(needs);
    if (list.some((n) => n.length > 64)) return setNeedsError(t('seating.need_too_long'));
    return run(async () => {
      try {
        await api.patchGuest(party.guest_id, { version: party.version, needs: list });
        await loadChart(occasionId);
        setNeedsError(null);
        announce(t('seating.needs_saved', { name: party.name }));
      } catch (err) {
        if (err instanceof ApiError && err.code === 'conflict') await loadChart(occasionId).catch(() => undefined);
        setNeedsError(err instanceof ApiError && err.code === 'conflict' ? t('seating.conflict') : errorText(err));
      }
    });
  };

  const saveRelations = (e: Event) => {
    e.preventDefault();
    const seen = new Set<string>();
    for (const r of rows) {
      if (!r.other) return setRelError(t('seating.relation_need_party'));
      if (seen.has(r.other)) return setRelError(t('seating.relation_twice', { name: view.parties.get(r.other)?.name ?? r.other }));
      seen.add(r.other);
      if (r.kind === 'score' && !(/^-?\d+$/.test(r.score.trim()) && Math.abs(Number(r.score)) <= 100)) return setRelError(t('seating.relation_bad_score'));
    }
    const relations = rows.map((r) => ({ other: r.other, score: r.kind === 'score' ? Number(r.score) : null, rule: r.kind === 'score' ? null : r.kind }));
    return run(async () => {
      try {
        await api.setRelations(occasionId, party.guest_id, { relations });
        await loadChart(occasionId);
        setRelError(null);
        announce(t('seating.relations_saved', { name: party.name, n: relations.length }));
      } catch (err) {
        setRelError(errorText(err));
      }
    });
  };

  const setRow = (key: number, patch: Partial<RelationRow>) => setRows(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const choices = view.tables.filter((v) => v.table.id !== party.table_id);

  return (
    <aside class="party-panel card" aria-labelledby="party-title" data-testid="party-panel">
      <div class="panel-head">
        <h2 id="party-title">{party.name}</h2>
        <button type="button" onClick={props.onClose}>{t('common.close')}</button>
      </div>
      <p>
        {t('seating.party_of', { n: num(party.party_size) })} · {at === null ? t('seating.not_seated') : t('seating.at_table', { table: at })}
        {party.locked && ` · ${t('seating.is_locked')}`}
        {party.group && ` · ${t('seating.group', { group: party.group })}`}
      </p>
      {canEdit && (
        <div class="row">
          <div class="field">
            <label for="move-target">{t('seating.move_to')}</label>
            <select id="move-target" value={target} onChange={(e) => setTarget(e.currentTarget.value)} disabled={busy}>
              <option value="">{t('seating.choose_table')}</option>
              {choices.map((v) => <option value={v.table.id} key={v.table.id}>{t('seating.table_option', { table: v.table.label, free: num(v.free) })}</option>)}
            </select>
          </div>
          <div class="actions">
            <button type="button" class="primary" disabled={busy || !target} onClick={() => void move(target)}>{t('seating.move')}</button>
            <button type="button" disabled={busy || party.table_id === null} onClick={() => void move(null)}>{t('seating.unseat')}</button>
            <button type="button" disabled={busy} aria-pressed={party.locked} onClick={() => void lock()}>{party.locked ? t('seating.unlock') : t('seating.lock')}</button>
          </div>
        </div>
      )}

      <form onSubmit={saveNeeds}>
        <Field id="party-needs" label={t('seating.needs')} hint={t('seating.needs_hint')} error={needsError}>
          <input {...described('party-needs', needsError, true)} value={needs} readOnly={!canEdit} onInput={(e) => setNeeds(e.currentTarget.value)} />
        </Field>
        {canEdit && <button type="submit" disabled={busy}>{t('seating.save_needs')}</button>}
      </form>

      <form onSubmit={saveRelations} class="relations">
        <h3>{t('seating.relations')}</h3>
        {rows.length === 0 && <p class="muted small">{t('seating.no_relations')}</p>}
        <ul class="relation-rows">
          {rows.map((r, i) => {
            const needle = fold(r.find.trim());
            const matches = others.filter((o) => !needle || o.folded.includes(needle)).slice(0, PICK_LIMIT).map((o) => o.p);
            const current = view.parties.get(r.other);
            if (current && !matches.includes(current)) matches.unshift(current);
            const n = i + 1;
            return (
              <li key={r.key} class="relation-row">
                {canEdit && (
                  <div class="field">
                    <label for={`rel-find-${r.key}`}>{t('seating.relation_find', { n })}</label>
                    <input id={`rel-find-${r.key}`} type="search" value={r.find} onInput={(e) => setRow(r.key, { find: e.currentTarget.value })} />
                  </div>
                )}
                <div class="field">
                  <label for={`rel-other-${r.key}`}>{t('seating.relation_other', { n })}</label>
                  <select id={`rel-other-${r.key}`} value={r.other} disabled={!canEdit} onChange={(e) => setRow(r.key, { other: e.currentTarget.value })}>
                    <option value="">{t('seating.choose_party')}</option>
                    {matches.map((p) => <option value={p.guest_id} key={p.guest_id}>{p.name}</option>)}
                  </select>
                </div>
                <div class="field">
                  <label for={`rel-kind-${r.key}`}>{t('seating.relation_kind', { n })}</label>
                  <select id={`rel-kind-${r.key}`} value={r.kind} disabled={!canEdit} onChange={(e) => setRow(r.key, { kind: e.currentTarget.value as Kind })}>
                    <option value="score">{t('seating.kind_score')}</option>
                    <option value="together">{t('seating.kind_together')}</option>
                    <option value="apart">{t('seating.kind_apart')}</option>
                  </select>
                </div>
                {r.kind === 'score' && (
                  <div class="field">
                    <label for={`rel-score-${r.key}`}>{t('seating.relation_score', { n })}</label>
                    <input id={`rel-score-${r.key}`} type="number" min={-100} max={100} step={1} value={r.score} readOnly={!canEdit} onInput={(e) => setRow(r.key, { score: e.currentTarget.value })} />
                  </div>
                )}
                {canEdit && <button type="button" onClick={() => setRows(rows.filter((x) => x.key !== r.key))}>{t('seating.relation_remove', { n })}</button>}
              </li>
            );
          })}
        </ul>
        <FormError text={relError} />
        {canEdit && (
          <div class="actions">
            <button type="button" onClick={() => setRows([...rows, { key: ++rowSeq, other: '', kind: 'score', score: '50', find: '' }])}>{t('seating.relation_add')}</button>
            <button type="submit" disabled={busy}>{t('seating.save_relations')}</button>
          </div>
        )}
      </form>
    </aside>
  );
}
