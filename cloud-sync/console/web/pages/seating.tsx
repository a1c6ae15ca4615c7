// The seating chart of the chosen occasion, on the venue's newest published room: each table with its parties and free
// seats (on the plan and as cards), the unseated parties with a search, drag a party onto a table (checked first
// here, then by the server; a refusal is said with its reason and nothing changes), the chosen party's panel (move,
// unseat, lock, needs, relations), auto-assign with its plan before applying, and the print pages.
import '../strings/lazy';
import { useEffect, useState } from 'preact/hooks';
import { may } from '../../../../core/console/roles';
import {
  AutoAssign, chartView, DragGhost, loadChart, moveParty, PartyPanel, PlanView, TableCards, UnseatedList, type PartyActions,
} from '../components/seating';
import { errorText } from '../data';
import { num, t } from '../i18n';
import { href } from '../router';
import type { PageProps } from '../routes';
import { occasion, occasionId, session } from '../state';

export function SeatingPage(_props: PageProps) {
  const id = occasionId.value;
  const occ = occasion.value;
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const canEdit = may(session.value!.account.role, 'edit_layout');

  const load = () => {
    if (!id) return;
    setError(null);
    loadChart(id).catch((e) => setError(errorText(e)));
  };
  useEffect(() => {
    setChosen(null);
    setRefusal(null);
    load();
  }, [id]);

  const title = <h1 id="page-title">{occ ? t('seating.title_of', { occasion: occ.name }) : t('seating.title')}</h1>;
  if (!id) {
    return (
      <section aria-labelledby="page-title">
        {title}
        <p>{t('common.pick_occasion_first')}</p>
      </section>
    );
  }
  const v = chartView.value?.chart.occasion_id === id ? chartView.value : null;
  const party = v && chosen ? v.parties.get(chosen) ?? null : null;

  const drop = async (guestId: string, tableId: string | null) => {
    setRefusal(null);
    const r = await moveParty(id, guestId, tableId);
    if (!r.ok) setRefusal(r.text);
  };
  const actions: PartyActions = { onDrop: canEdit ? (g, to) => void drop(g, to) : null, onChoose: (g) => setChosen(g === chosen ? null : g), chosen };
  const seated = v ? v.tables.reduce((s, x) => s + x.seated, 0) : 0;
  const capacity = v ? v.tables.reduce((s, x) => s + x.table.capacity, 0) : 0;

  return (
    <section aria-labelledby="page-title" class="seating-page">
      {title}
      {error && <p class="form-error" role="alert">{error} <button type="button" onClick={load}>{t('common.retry')}</button></p>}
      {!v && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {v && (
        <>
          <div class="toolbar">
            <p class="count" data-testid="seating-count">{t('seating.summary', { seated: num(seated), capacity: num(capacity), tables: num(v.tables.length), parties: num(v.unseated.length) })}</p>
            <nav aria-label={t('seating.print_nav')} class="print-index">
              <span class="muted">{t('seating.print')}</span>
              <a href={href('/print/chart')}>{t('seating.print_chart')}</a>
              <a href={href('/print/escort-cards')}>{t('seating.print_escort')}</a>
              <a href={href('/print/place-cards')}>{t('seating.print_place')}</a>
              <a href={href('/print/table-signs')}>{t('seating.print_signs')}</a>
            </nav>
          </div>
          {!canEdit && <p class="muted">{t('seating.read_only')}</p>}
          {canEdit && <p class="muted small">{t('seating.drag_hint')}</p>}
          <div class="refusal-slot">
            {refusal && (
              <p class="form-error refusal" role="alert" data-testid="refusal">
                {refusal} <button type="button" onClick={() => setRefusal(null)}>{t('common.close')}</button>
              </p>
            )}
          </div>
          <div class="seating-columns">
            <div class="seating-main">
              {v.layout ? <PlanView view={v} actions={actions} /> : <p class="banner stale" data-testid="no-plan">{t('seating.no_plan')}</p>}
              <h2>{t('seating.tables_list')}</h2>
              {v.tables.length === 0 ? <p class="muted">{t('seating.no_tables')}</p> : <TableCards view={v} actions={actions} />}
            </div>
            <div class="seating-side">
              {party && (
                <PartyPanel view={v} party={party} occasionId={id} canEdit={canEdit} onClose={() => setChosen(null)} onOutcome={setRefusal} />
              )}
              <UnseatedList view={v} actions={actions} />
            </div>
          </div>
          {canEdit && <AutoAssign view={v} occasionId={id} />}
          <DragGhost />
        </>
      )}
    </section>
  );
}
