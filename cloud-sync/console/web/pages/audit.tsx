// The audit, read only: every change made in the console or the CLI, newest first, with who, where from, what, and the
// fields it changed (before → after). The filters live in the address (#/audit?action=device.revoke), so a filtered
// view can be shared or reloaded; "Older entries" pages back. Nothing here edits or deletes: nothing can. At the top,
// the state of the tenant's hash chain (GET /audit/chain): intact, or the first entry found altered or removed; then one
// line per venue for its hub's chain as carried up (GET /audit/venues): intact, incomplete, or the entry found broken.
import { useEffect, useState } from 'preact/hooks';
import type { AuditChainState, AuditEntry, AuditQuery } from '../../../../core/console/audit';
import type { VenueAuditChain } from '../../../../core/console/desk';
import { api } from '../api';
import { changes } from '../components/audit-diff';
import { described, Field, FormError } from '../components/field';
import { errorText } from '../data';
import { dateTime, t, type StringKey } from '../i18n';
import { navigate } from '../router';
import type { PageProps } from '../routes';
import { announce } from '../state';
import { CATALOGUES } from '../strings';

const PAGE = 50;
const FILTERS = ['action', 'entity', 'actor', 'channel'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const ACTIONS = [
  'account.invite', 'account.link', 'account.role', 'account.disable', 'account.enable', 'account.set_password',
  'device.pair_code', 'device.revoke', 'guest.update', 'guest.revoke', 'guest.delete', 'guests.import',
  'occasion.add', 'occasion.update', 'venue.add', 'venue.update',
  'layout.publish', 'layout.restore', 'layout.unseat', 'seat.move', 'seat.lock', 'seat.unlock', 'seat.relations', 'seating.auto_assign',
];
const ENTITIES = ['account', 'device', 'guest', 'layout', 'occasion', 'pairing_code', 'seat_conflict', 'table', 'venue'];

function filtersOf(query: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of FILTERS) {
    const v = query.get(k)?.trim();
    if (v) f[k] = v;
  }
  return f;
}

function queryOf(f: Filters): string {
  const p = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) p.set(k, f[k] as string);
  return p.toString();
}

/** A known code in words ("Pairing code issued"), else the code itself. */
function words(prefix: 'audit.action.' | 'audit.entity.', code: string): string {
  const key = `${prefix}${code}`;
  return key in CATALOGUES.en ? t(key as StringKey) : code;
}

export function AuditPage(props: PageProps) {
  const qs = queryOf(filtersOf(props.query));
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fetchPage = async (before?: number) => {
    const f = filtersOf(new URLSearchParams(qs));
    const query: AuditQuery = { ...f, channel: f.channel as AuditQuery['channel'], limit: PAGE, ...(before ? { before } : {}) };
    setBusy(true);
    try {
      const page = await api.audit(query);
      setEntries((old) => (before && old ? [...old, ...page.entries] : page.entries));
      setNext(page.next_before);
      setError(null);
      announce(t(before ? 'audit.loaded_more' : 'audit.loaded', { n: page.entries.length }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    setEntries(null);
    void fetchPage();
  }, [qs]);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('audit.title')}</h1>
      <p class="muted">{t('audit.intro')}</p>
      <ChainState />
      <VenueChains />
      <AuditFilters key={qs} initial={filtersOf(new URLSearchParams(qs))} />
      <FormError text={error} />
      {entries === null ? <p>{t('common.loading')}</p> : entries.length === 0 ? <p>{t('audit.none')}</p> : (
        <div class="table-wrap">
          <table class="plain audit">
            <caption class="sr-only">{t('audit.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.col.when')}</th>
                <th scope="col">{t('audit.col.who')}</th>
                <th scope="col">{t('audit.col.channel')}</th>
                <th scope="col">{t('audit.col.action')}</th>
                <th scope="col">{t('audit.col.entity')}</th>
                <th scope="col">{t('audit.col.change')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{dateTime(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{t(`audit.channel.${e.channel}`)}</td>
                  <td>{words('audit.action.', e.action)}<span class="muted small block">{e.action}</span></td>
                  <td>{words('audit.entity.', e.entity)}{e.entity_id && <span class="muted small block">{e.entity_id}</span>}</td>
                  <td><Diff before={e.before} after={e.after} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next !== null && (
        <p><button type="button" disabled={busy} onClick={() => void fetchPage(next)}>{t('audit.older')}</button></p>
      )}
    </section>
  );
}

function ChainState() {
  const [chain, setChain] = useState<AuditChainState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.auditChain().then(setChain, (e: unknown) => setError(errorText(e)));
  }, []);
  if (error) return <div class="banner problem" role="alert" data-testid="audit-chain">{t('audit.chain.failed', { error })}</div>;
  if (!chain) return <p role="status" data-testid="audit-chain">{t('audit.chain.checking')}</p>;
  const before = chain.before_chain > 0 && <span class="muted small block">{t('audit.chain.before', { n: chain.before_chain })}</span>;
  const b = chain.broken;
  if (!b) return <p role="status" data-testid="audit-chain" data-state="intact">{t('audit.chain.intact', { n: chain.verified })}{before}</p>;
  const reason = t(`audit.chain.reason.${b.reason}`);
  return (
    <div class="banner problem" role="alert" data-testid="audit-chain" data-state="broken">
      {b.id === null ? t('audit.chain.broken_all', { reason })
        : t('audit.chain.broken', { id: b.id, action: b.action ?? '', at: b.at ? dateTime(b.at) : '', reason })}
      {before}
    </div>
  );
}

function venueLine(v: VenueAuditChain): string {
  if (v.broken) {
    return t('audit.venue.broken', {
      venue: v.venue_name, seq: v.broken.seq, action: v.broken.action ?? '', at: v.broken.at ? dateTime(v.broken.at) : '', reason: t(`audit.chain.reason.${v.broken.reason}`),
    });
  }
  if (v.state === 'incomplete') return t('audit.venue.incomplete', { venue: v.venue_name, n: v.entries, seq: v.first_missing_seq ?? '?' });
  return v.entries === 0 ? t('audit.venue.empty', { venue: v.venue_name }) : t('audit.venue.intact', { venue: v.venue_name, n: v.entries });
}

/** Each venue's hub chain, one line each; a broken one is an alert naming its entry. */
function VenueChains() {
  const [venues, setVenues] = useState<VenueAuditChain[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.auditVenues().then((l) => setVenues(l.venues), (e: unknown) => setError(errorText(e)));
  }, []);
  if (error) return <div class="banner problem" role="alert" data-testid="venue-chains">{t('audit.venue.failed', { error })}</div>;
  if (!venues) return <p role="status" data-testid="venue-chains">{t('audit.venue.checking')}</p>;
  if (!venues.length) return null;
  return (
    <section aria-labelledby="venue-chains-title" data-testid="venue-chains">
      <h2 id="venue-chains-title">{t('audit.venue.title')}</h2>
      <ul class="plain-list">
        {venues.map((v) => (
          <li key={v.venue_id} data-venue={v.venue_id} data-state={v.state} class={v.state === 'broken' ? 'banner problem' : undefined} role={v.state === 'broken' ? 'alert' : undefined}>
            {venueLine(v)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function AuditFilters(props: { initial: Filters }) {
  const [f, setF] = useState<Filters>(props.initial);
  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const apply = (filters: Filters) => {
    const q = queryOf(filters);
    navigate(q ? `/audit?${q}` : '/audit', { replace: true });
  };
  return (
    <form class="filters" role="search" aria-label={t('audit.filters')} onSubmit={(e) => { e.preventDefault(); apply(f); }}>
      <Field id="audit-action" label={t('audit.col.action')}>
        <input {...described('audit-action')} list="audit-actions" value={f.action ?? ''} onInput={set('action')} />
      </Field>
      <datalist id="audit-actions">{ACTIONS.map((a) => <option key={a} value={a}>{words('audit.action.', a)}</option>)}</datalist>
      <Field id="audit-entity" label={t('audit.col.entity')}>
        <input {...described('audit-entity')} list="audit-entities" value={f.entity ?? ''} onInput={set('entity')} />
      </Field>
      <datalist id="audit-entities">{ENTITIES.map((a) => <option key={a} value={a}>{words('audit.entity.', a)}</option>)}</datalist>
      <Field id="audit-actor" label={t('audit.actor')}>
        <input {...described('audit-actor')} type="search" value={f.actor ?? ''} onInput={set('actor')} />
      </Field>
      <Field id="audit-channel" label={t('audit.col.channel')}>
        <select {...described('audit-channel')} value={f.channel ?? ''} onChange={(e) => { const next = { ...f, channel: e.currentTarget.value }; setF(next); apply(next); }}>
          <option value="">{t('common.any')}</option>
          <option value="console">{t('audit.channel.console')}</option>
          <option value="cli">{t('audit.channel.cli')}</option>
        </select>
      </Field>
      <div class="actions">
        <button type="submit" class="primary">{t('audit.apply')}</button>
        <button type="button" onClick={() => { setF({}); apply({}); }}>{t('audit.clear')}</button>
      </div>
    </form>
  );
}

function shown(v: unknown): string {
  const s = v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

function Diff(props: { before: unknown; after: unknown }) {
  const list = changes(props.before, props.after);
  if (!list.length) return <span class="muted">—</span>;
  return (
    <ul class="diff">
      {list.map((c) => (
        <li key={c.field}>
          {c.field && <code>{c.field}</code>}{c.field && ': '}
          {'from' in c && <del title={typeof c.from === 'string' ? c.from : JSON.stringify(c.from)}><span class="sr-only">{t('audit.was')} </span>{shown(c.from)}</del>}
          {'from' in c && 'to' in c && <span aria-hidden="true"> → </span>}
          {'to' in c && <ins title={typeof c.to === 'string' ? c.to : JSON.stringify(c.to)}><span class="sr-only">{'from' in c ? t('audit.now') : t('audit.set_to')} </span>{shown(c.to)}</ins>}
        </li>
      ))}
    </ul>
  );
}
