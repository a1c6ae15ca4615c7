// The venue's seat conflicts on the live view (GET /venues/:venue/seat-conflicts): what the planner looks at on the
// night once the venue's decisions reach the cloud. Each row says which of the two decisions was kept and which was
// not applied, who made each and when; "Dismiss" marks one as seen (planners). The heading's badge counts those left
// to review; the list refreshes itself, and a screen reader is told when more arrive.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SeatConflict, SeatConflictList, SeatDecision } from '../../../../core/console/desk';
import { api } from '../api';
import { errorText } from '../data';
import { dateTime, t, type StringKey } from '../i18n';
import { announce } from '../state';
import { CATALOGUES } from '../strings';

const REFRESH_MS = 10_000;

function sourceText(source: string): string {
  const key = `desk.source.${source}`;
  return key in CATALOGUES.en ? t(key as StringKey) : source;
}

function valueText(c: SeatConflict, d: SeatDecision): string {
  if (c.field === 'party') return d.value === null ? '—' : t('desk.party_of', { n: d.value });
  return d.value === null ? t('desk.no_table') : d.table_label ?? d.value;
}

function Decision(props: { conflict: SeatConflict; side: SeatDecision; tz: string }) {
  const d = props.side;
  const actor = d.actor ?? t('desk.unknown_actor');
  return (
    <>
      <strong>{valueText(props.conflict, d)}</strong>
      <span class="muted small block">
        {d.hlc_at ? t('desk.decided', { source: sourceText(d.source), actor, at: dateTime(d.hlc_at, props.tz) }) : t('desk.decided_no_time', { source: sourceText(d.source), actor })}
      </span>
    </>
  );
}

export function SeatConflicts(props: { venueId: string; tz: string; canDismiss: boolean }) {
  const [list, setList] = useState<SeatConflictList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const open = useRef<number | null>(null);

  const load = async () => {
    try {
      const next = await api.seatConflicts(props.venueId);
      if (open.current !== null && next.unacknowledged > open.current) announce(t('desk.new_conflicts', { n: next.unacknowledged }), 'error');
      open.current = next.unacknowledged;
      setList(next);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    setList(null);
    open.current = null;
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [props.venueId]);

  const dismiss = async (c: SeatConflict) => {
    setBusy(c.id);
    try {
      await api.acknowledgeConflict(props.venueId, c.id);
      announce(t('desk.dismissed_announce', { name: c.guest_name ?? c.guest_id }));
      await load();
      // Focus stays in the list: on the next button to review, else on the heading.
      setTimeout(() => (document.querySelector<HTMLButtonElement>('[data-testid="seat-conflicts"] button.dismiss') ?? document.getElementById('live-conflicts'))?.focus(), 0);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const n = list?.unacknowledged ?? 0;
  return (
    <section aria-labelledby="live-conflicts" data-testid="seat-conflicts">
      <h2 id="live-conflicts" tabIndex={-1}>
        {t('desk.conflicts')}
        {n > 0 && <span class="badge alert" data-testid="seat-conflicts-badge">{t('desk.conflicts_badge', { n })}</span>}
      </h2>
      <p class="muted small">{t('desk.conflicts_intro')}</p>
      {error && <p class="form-error" role="alert">{t('desk.conflicts_failed', { error })}</p>}
      {list === null ? (!error && <p>{t('common.loading')}</p>) : list.conflicts.length === 0 ? <p class="muted">{t('desk.conflicts_none')}</p> : (
        <div class="table-wrap">
          <table class="plain">
            <caption class="sr-only">{t('desk.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('desk.col.guest')}</th>
                <th scope="col">{t('desk.col.what')}</th>
                <th scope="col">{t('desk.col.kept')}</th>
                <th scope="col">{t('desk.col.lost')}</th>
                <th scope="col">{t('desk.col.found')}</th>
                <th scope="col">{t('desk.col.action')}</th>
              </tr>
            </thead>
            <tbody>
              {list.conflicts.map((c) => {
                const name = c.guest_name ?? t('desk.removed_guest', { id: c.guest_id });
                return (
                  <tr key={c.id} data-conflict={c.id} data-acknowledged={c.acknowledged_at ? 'yes' : 'no'} class={c.acknowledged_at ? 'muted' : undefined}>
                    <th scope="row">{name}</th>
                    <td>{t(`desk.field.${c.field}`)}</td>
                    <td><Decision conflict={c} side={c.winner} tz={props.tz} /></td>
                    <td><Decision conflict={c} side={c.loser} tz={props.tz} /></td>
                    <td>{dateTime(c.detected_at, props.tz)}</td>
                    <td>
                      {c.acknowledged_at ? t('desk.dismissed', { who: c.acknowledged_by ?? t('desk.unknown_actor') })
                        : props.canDismiss ? (
                          <button type="button" class="dismiss" disabled={busy !== null} aria-label={t('desk.dismiss_label', { name })} onClick={() => void dismiss(c)}>{t('desk.dismiss')}</button>
                        ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
