// The chosen occasion's guest list: the whole list in memory, searched and filtered in the page (core's
// filterGuests over a precomputed search index), shown in a virtualised grid; export what the filters show, import a
// CSV. The filter lives in state.ts and in the address (#/guests?q=…), so going back from a guest keeps it.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { GUEST_FILTER_KEYS, type GuestFilter } from '../../../../core/console/guest-filter';
import { may } from '../../../../core/console/roles';
import { api, filterQuery } from '../api';
import { GuestGrid } from '../components/guest-grid';
import { GuestImport } from '../components/guest-import';
import { errorText, loadGuestList } from '../data';
import { num, t } from '../i18n';
import { navigate, replaceAddress } from '../router';
import type { PageProps } from '../routes';
import { filteredGuests, guestFacets, guestFilter, guestList, lang, occasion, occasionId, session } from '../state';

function filterFrom(query: URLSearchParams): GuestFilter {
  const f: Record<string, string> = {};
  for (const k of GUEST_FILTER_KEYS) {
    const v = query.get(k);
    if (v) f[k] = v;
  }
  return f as GuestFilter;
}

function setFilter(patch: Partial<GuestFilter>): void {
  const next: GuestFilter = { ...guestFilter.value, ...patch };
  for (const k of GUEST_FILTER_KEYS) if (!next[k]) delete next[k];
  guestFilter.value = next;
  const q = filterQuery(next);
  replaceAddress(`/guests${q ? `?${q}` : ''}`);
}

export function GuestsPage(props: PageProps) {
  const occ = occasion.value;
  const id = occasionId.value;
  const [error, setError] = useState<string | null>(null);

  // An address with a filter (a bookmark, a reload) sets it; one without keeps the filter the page had.
  useEffect(() => {
    const fromUrl = filterFrom(props.query);
    if (Object.keys(fromUrl).length) guestFilter.value = fromUrl;
    else if (Object.keys(guestFilter.value).length) setFilter({});
  }, []);

  const load = () => {
    setError(null);
    loadGuestList().catch((e) => setError(errorText(e)));
  };
  useEffect(load, [id]);

  const loaded = guestList.value?.list.occasion_id === id ? guestList.value : null;
  const f = guestFilter.value;
  const facets = guestFacets.value;
  const rows = filteredGuests.value;
  const total = loaded?.list.guests.length ?? 0;
  const canEdit = may(session.value!.account.role, 'edit_guests');
  const select = (key: Exclude<keyof GuestFilter, 'q'>, label: string, options: { value: string; label: string }[]) => (
    <div class="field">
      <label for={`filter-${key}`}>{label}</label>
      <select id={`filter-${key}`} value={f[key] ?? ''} onChange={(e) => setFilter({ [key]: e.currentTarget.value || undefined })}>
        <option value="">{t('common.any')}</option>
        {options.map((o) => <option value={o.value} key={o.value}>{o.label}</option>)}
      </select>
    </div>
  );
  // The same elements while only the search text changes: Preact skips an element it is handed again, so a keystroke
  // does not rebuild and compare the table filter's thousands of options (bench:console, keystroke to painted).
  const selects = useMemo(() => (
    <>
      {select('table', t('guests.filter_table'), [{ value: 'none', label: t('guests.unseated') }, ...facets.tables.map((x) => ({ value: x.id, label: x.label }))])}
      {select('status', t('guests.filter_status'), (['active', 'revoked'] as const).map((s) => ({ value: s, label: t(`guests.status.${s}`) })))}
      {select('checked_in', t('guests.filter_checked_in'), [{ value: 'yes', label: t('common.yes') }, { value: 'no', label: t('common.no') }])}
      {select('group', t('guests.filter_group'), facets.groups.map((g) => ({ value: g, label: g })))}
      {select('need', t('guests.filter_need'), facets.needs.map((n) => ({ value: n, label: n })))}
    </>
  ), [facets, f.table, f.status, f.checked_in, f.group, f.need, lang.value]);

  if (!id) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t('guests.title_plain')}</h1>
        <p>{t('common.pick_occasion_first')}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{occ ? t('guests.title', { occasion: occ.name }) : t('guests.title_plain')}</h1>
      {error && (
        <p class="form-error" role="alert">{error} <button type="button" onClick={load}>{t('common.retry')}</button></p>
      )}
      {!loaded && !error && <p aria-busy="true">{t('guests.loading')}</p>}
      {loaded && (
        <>
          <div class="filters" role="search">
            <div class="field">
              <label for="guest-search">{t('guests.search')}</label>
              <input
                id="guest-search"
                type="search"
                autocomplete="off"
                spellcheck={false}
                placeholder={t('guests.search_placeholder')}
                aria-describedby="guest-search-hint"
                value={f.q ?? ''}
                onInput={(e) => setFilter({ q: e.currentTarget.value || undefined })}
              />
              <span id="guest-search-hint" class="sr-only">{t('guests.search_hint')}</span>
            </div>
            {selects}
            {Object.keys(f).length > 0 && <button type="button" onClick={() => setFilter({ q: undefined, table: undefined, status: undefined, checked_in: undefined, group: undefined, need: undefined })}>{t('guests.clear_filters')}</button>}
          </div>
          <div class="toolbar">
            <p class="count" data-testid="guest-count" aria-live="polite">{t('guests.count', { shown: num(rows.length), total: num(total) })}</p>
            <a class="button" href={api.exportUrl(id, f)} download title={t('guests.export_hint', { shown: num(rows.length) })}>{t('guests.export')}</a>
          </div>
          {total === 0 ? <p class="grid-empty">{t('guests.empty')}</p> : rows.length === 0 ? <p class="grid-empty">{t('guests.no_match')}</p> : (
            <GuestGrid rows={rows} timeZone={occ?.timezone} onOpen={(g) => navigate(`/guest/${encodeURIComponent(g.id)}`)} />
          )}
          {canEdit && <GuestImport occasionId={id} />}
        </>
      )}
    </section>
  );
}
