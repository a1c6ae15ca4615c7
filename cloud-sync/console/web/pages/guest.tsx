// One guest: every field the API lets a planner change, saved with the version it was read at (a change made
// meanwhile, here or at a door, is refused with 409 and the page says to reload), revoke and delete behind a
// confirmation, and the way back to the list with its filter as it was.
import { useEffect, useState } from 'preact/hooks';
import type { Credential, GuestDetail, GuestPatch, GuestStatus, SeatingTableRef } from '../../../../core/console/guests';
import { may } from '../../../../core/console/roles';
import { api, ApiError, filterQuery } from '../api';
import { described, Field, FormError } from '../components/field';
import { errorText } from '../data';
import { dateTime, t } from '../i18n';
import { href, navigate } from '../router';
import type { PageProps } from '../routes';
import { announce, guestFilter, guestList, occasions, removeGuestRow, session, updateGuestRow } from '../state';
import { instantToZoned, isTimeZone, zonedToInstant } from '../time';

interface Form {
  name: string;
  party_size: string;
  table_id: string;
  credentials: Credential[];
  valid_from: string;
  valid_to: string;
  status: GuestStatus;
  group: string;
  needs: string;
  notes: string;
  meal: string;
  desk_notes: string;
  tags: string;
}

function formOf(d: GuestDetail, tz: string): Form {
  return {
    name: d.name,
    party_size: String(d.party_size),
    table_id: d.table_id ?? '',
    credentials: d.credentials.map((c) => ({ ...c })),
    valid_from: d.valid_from ? instantToZoned(d.valid_from, tz) : '',
    valid_to: d.valid_to ? instantToZoned(d.valid_to, tz) : '',
    status: d.status,
    group: d.group ?? '',
    needs: d.needs.join(', '),
    notes: d.notes,
    meal: d.meal ?? '',
    desk_notes: d.desk_notes,
    tags: d.tags.join(', '),
  };
}

const splitNeeds = (s: string) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))];
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

type Errors = Partial<Record<keyof Form | 'form' | `cred-${number}`, string>>;

/** The changed fields as a GuestPatch, or the problems found. */
function patchOf(d: GuestDetail, f: Form, tz: string): { patch: GuestPatch | null; errors: Errors } {
  const e: Errors = {};
  const p: GuestPatch = { version: d.version };
  const name = f.name.trim();
  if (!name || name.length > 200) e.name = t('guest.need_name');
  else if (name !== d.name) p.name = name;
  const size = Number(f.party_size);
  if (!/^\d+$/.test(f.party_size.trim()) || size < 1 || size > 1000) e.party_size = t('guest.need_party');
  else if (size !== d.party_size) p.party_size = size;
  const table = f.table_id || null;
  if (table !== d.table_id) p.table_id = table;
  const creds = f.credentials.map((c) => ({ kind: c.kind, value: c.value.trim() }));
  const seen = new Set<string>();
  creds.forEach((c, i) => {
    if (!c.value) e[`cred-${i}`] = t('guest.need_value');
    else if (c.value.length > 256) e[`cred-${i}`] = t('guest.too_long', { max: 256 });
    else if (seen.has(`${c.kind}:${c.value}`)) e[`cred-${i}`] = t('guest.duplicate_value');
    seen.add(`${c.kind}:${c.value}`);
  });
  if (creds.length > 64) e.credentials = t('guest.too_many', { max: 64 });
  if (!same(creds, d.credentials)) p.credentials = creds;
  const when = (raw: string, key: 'valid_from' | 'valid_to'): string | null | undefined => {
    if (!raw) return null;
    const z = zonedToInstant(raw, tz);
    if (!z.ok) {
      e[key] = t('guest.bad_time');
      return undefined;
    }
    return z.iso;
  };
  const from = when(f.valid_from, 'valid_from');
  const to = when(f.valid_to, 'valid_to');
  if (from && to && Date.parse(to) <= Date.parse(from)) e.valid_to = t('guest.to_before_from');
  const instantChanged = (next: string | null, old: string | null) => (next === null || old === null ? next !== old : Date.parse(next) !== Date.parse(old));
  if (from !== undefined && instantChanged(from, d.valid_from)) p.valid_from = from;
  if (to !== undefined && instantChanged(to, d.valid_to)) p.valid_to = to;
  if (f.status !== d.status) p.status = f.status;
  const group = f.group.trim() || null;
  if (group && group.length > 128) e.group = t('guest.too_long', { max: 128 });
  else if (group !== d.group) p.group = group;
  const needs = splitNeeds(f.needs);
  if (needs.some((n) => n.length > 64)) e.needs = t('guest.too_long', { max: 64 });
  else if (needs.length > 64) e.needs = t('guest.too_many', { max: 64 });
  else if (!same(needs, d.needs)) p.needs = needs;
  if (f.notes.length > 2000) e.notes = t('guest.too_long', { max: 2000 });
  else if (f.notes !== d.notes) p.notes = f.notes;
  // What the venue's staff see: the meal, their notes, tags (lower-case, as the import keeps them).
  const meal = f.meal.trim();
  if (meal.length > 64) e.meal = t('guest.too_long', { max: 64 });
  else if (meal !== (d.meal ?? '')) p.meal = meal || null;
  const deskNotes = f.desk_notes.trim();
  if (deskNotes.length > 2000) e.desk_notes = t('guest.too_long', { max: 2000 });
  else if (deskNotes !== d.desk_notes) p.desk_notes = deskNotes;
  const tags = [...new Set(splitNeeds(f.tags).map((x) => x.toLowerCase()))];
  if (tags.some((x) => x.length > 64 || x.includes('|'))) e.tags = t('guest.bad_tag');
  else if (tags.length > 64) e.tags = t('guest.too_many', { max: 64 });
  else if (!same(tags, d.tags)) p.tags = tags;
  return { patch: Object.keys(e).length ? null : p, errors: e };
}

export function GuestPage(props: PageProps) {
  const id = props.params.id ?? '';
  const [detail, setDetail] = useState<GuestDetail | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [tables, setTables] = useState<SeatingTableRef[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<'revoke' | 'delete' | null>(null);
  const canEdit = may(session.value!.account.role, 'edit_guests');
  const occ = detail ? occasions.value.find((o) => o.id === detail.occasion_id) : undefined;
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const tz = occ?.timezone ?? (isTimeZone(browserZone) ? browserZone : 'UTC');
  const backHref = href(`/guests${filterQuery(guestFilter.value) ? `?${filterQuery(guestFilter.value)}` : ''}`);

  const show = (d: GuestDetail) => {
    setDetail(d);
    setForm(formOf(d, occasions.value.find((o) => o.id === d.occasion_id)?.timezone ?? tz));
    setErrors({});
    setConflict(false);
  };

  const load = async () => {
    setLoadError(null);
    try {
      const d = await api.guest(id);
      show(d);
      const cached = guestList.value?.list.occasion_id === d.occasion_id ? guestList.value.list.tables : null;
      setTables(cached ?? (await api.guestList(d.occasion_id)).tables);
    } catch (e) {
      setLoadError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, [id]);

  if (loadError) {
    return (
      <section aria-labelledby="page-title">
        <p><a href={backHref}>← {t('guest.back')}</a></p>
        <h1 id="page-title">{t('nav.guests')}</h1>
        <p class="form-error" role="alert">{loadError}</p>
      </section>
    );
  }
  if (!detail || !form) return <p aria-busy="true">{t('guest.loading')}</p>;

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm({ ...form, [k]: v });
  const setCred = (i: number, c: Partial<Credential>) => set('credentials', form.credentials.map((x, j) => (j === i ? { ...x, ...c } : x)));

  const save = async (e: Event) => {
    e.preventDefault();
    const { patch, errors: problems } = patchOf(detail, form, tz);
    setErrors(problems);
    if (!patch) {
      const first = Object.keys(problems)[0];
      if (first) document.getElementById(`guest-${first}`)?.focus();
      return;
    }
    if (Object.keys(patch).length === 1) {
      announce(t('guest.nothing_changed'));
      return;
    }
    setBusy(true);
    try {
      const saved = await api.patchGuest(detail.id, patch);
      show(saved);
      updateGuestRow(saved);
      announce(t('guest.saved', { name: saved.name }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'conflict') {
        setConflict(true);
        announce(t('guest.conflict'), 'error');
      } else setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const act = async (what: 'revoke' | 'delete') => {
    setBusy(true);
    try {
      if (what === 'revoke') {
        await api.revokeGuest(detail.id);
        const next = await api.guest(detail.id);
        show(next);
        updateGuestRow(next);
        announce(t('guest.revoked', { name: detail.name }));
      } else {
        await api.deleteGuest(detail.id);
        removeGuestRow(detail.id);
        announce(t('guest.deleted', { name: detail.name }));
        navigate(backHref.slice(1));
      }
      setConfirm(null);
    } catch (err) {
      setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const ro = !canEdit;
  return (
    <section aria-labelledby="page-title">
      <p><a href={backHref}>← {t('guest.back')}</a></p>
      <h1 id="page-title">{t('guest.title', { name: detail.name })}</h1>
      <p class="muted">{detail.checked_in_at ? t('guest.checked_in_at', { when: dateTime(detail.checked_in_at, tz) }) : t('guest.not_checked_in')}</p>
      {ro && <p class="muted">{t('guest.read_only')}</p>}
      {conflict && (
        <div class="form-error" role="alert" data-testid="guest-conflict">
          <p>{t('guest.conflict')}</p>
          <button type="button" onClick={() => void load()}>{t('guest.reload')}</button>
        </div>
      )}
      <form class="card" onSubmit={save} noValidate>
        <fieldset disabled={ro || busy} class="plain-fieldset">
          <div class="row">
            <Field id="guest-name" label={t('guest.name')} error={errors.name ?? null}>
              <input {...described('guest-name', errors.name)} type="text" maxLength={200} value={form.name} onInput={(e) => set('name', e.currentTarget.value)} />
            </Field>
            <Field id="guest-party_size" label={t('guest.party_size')} error={errors.party_size ?? null} hint={t('guest.party_hint')}>
              <input {...described('guest-party_size', errors.party_size, true)} type="number" min={1} max={1000} step={1} value={form.party_size} onInput={(e) => set('party_size', e.currentTarget.value)} />
            </Field>
            <Field id="guest-table_id" label={t('guest.table')}>
              <select id="guest-table_id" value={form.table_id} onChange={(e) => set('table_id', e.currentTarget.value)}>
                <option value="">{t('guest.no_table')}</option>
                {tables.map((x) => <option value={x.id} key={x.id}>{t('guest.table_option', { label: x.label, capacity: x.capacity })}</option>)}
                {form.table_id && !tables.some((x) => x.id === form.table_id) && <option value={form.table_id}>{form.table_id}</option>}
              </select>
            </Field>
            <Field id="guest-status" label={t('guest.status')}>
              <select id="guest-status" value={form.status} onChange={(e) => set('status', e.currentTarget.value as GuestStatus)}>
                <option value="active">{t('guests.status.active')}</option>
                <option value="revoked">{t('guests.status.revoked')}</option>
              </select>
            </Field>
          </div>
          <fieldset class="credentials" aria-describedby={errors.credentials ? 'guest-credentials-error' : undefined}>
            <legend>{t('guest.credentials')}</legend>
            {form.credentials.length === 0 && <p class="muted">{t('guest.no_credentials')}</p>}
            {form.credentials.map((c, i) => {
              const err = errors[`cred-${i}`];
              const n = i + 1;
              return (
                <div class="cred-row" key={i}>
                  <select aria-label={t('guest.credential_kind', { n })} value={c.kind} onChange={(e) => setCred(i, { kind: e.currentTarget.value as Credential['kind'] })}>
                    <option value="barcode">{t('guest.kind.barcode')}</option>
                    <option value="nfc">{t('guest.kind.nfc')}</option>
                  </select>
                  <input
                    id={`guest-cred-${i}`}
                    type="text"
                    spellcheck={false}
                    autocomplete="off"
                    aria-label={t('guest.credential_value', { n })}
                    aria-invalid={err ? true : undefined}
                    aria-describedby={err ? `guest-cred-${i}-error` : undefined}
                    value={c.value}
                    onInput={(e) => setCred(i, { value: e.currentTarget.value })}
                  />
                  <button type="button" aria-label={t('guest.remove_credential', { n })} onClick={() => set('credentials', form.credentials.filter((_, j) => j !== i))}>✕</button>
                  {err && <span class="field-error" id={`guest-cred-${i}-error`}>{err}</span>}
                </div>
              );
            })}
            {errors.credentials && <p class="field-error" id="guest-credentials-error">{errors.credentials}</p>}
            <button type="button" onClick={() => {
              set('credentials', [...form.credentials, { kind: 'barcode', value: '' }]);
              setTimeout(() => document.getElementById(`guest-cred-${form.credentials.length}`)?.focus(), 0);
            }}>{t('guest.add_credential')}</button>
          </fieldset>
          <div class="row">
            <Field id="guest-valid_from" label={t('guest.valid_from')} error={errors.valid_from ?? null} hint={t('guest.validity_hint', { tz })}>
              <input {...described('guest-valid_from', errors.valid_from, true)} type="datetime-local" value={form.valid_from} onInput={(e) => set('valid_from', e.currentTarget.value)} />
            </Field>
            <Field id="guest-valid_to" label={t('guest.valid_to')} error={errors.valid_to ?? null}>
              <input {...described('guest-valid_to', errors.valid_to)} type="datetime-local" value={form.valid_to} onInput={(e) => set('valid_to', e.currentTarget.value)} />
            </Field>
            <Field id="guest-group" label={t('guest.group')} error={errors.group ?? null}>
              <input {...described('guest-group', errors.group)} type="text" maxLength={128} value={form.group} onInput={(e) => set('group', e.currentTarget.value)} />
            </Field>
            <Field id="guest-needs" label={t('guest.needs')} error={errors.needs ?? null} hint={t('guest.needs_hint')}>
              <input {...described('guest-needs', errors.needs, true)} type="text" value={form.needs} onInput={(e) => set('needs', e.currentTarget.value)} />
            </Field>
          </div>
          <Field id="guest-notes" label={t('guest.notes')} error={errors.notes ?? null} hint={t('guest.notes_hint')}>
            <textarea {...described('guest-notes', errors.notes, true)} maxLength={2000} value={form.notes} onInput={(e) => set('notes', e.currentTarget.value)} />
          </Field>
          <fieldset class="plain-fieldset" data-testid="guest-desk">
            <legend>{t('guest.desk')}</legend>
            <p class="muted small">{t('guest.desk_hint')}</p>
            <div class="row">
              <Field id="guest-meal" label={t('guest.meal')} error={errors.meal ?? null} hint={t('guest.meal_hint')}>
                <input {...described('guest-meal', errors.meal, true)} type="text" maxLength={64} value={form.meal} onInput={(e) => set('meal', e.currentTarget.value)} />
              </Field>
              <Field id="guest-tags" label={t('guest.tags')} error={errors.tags ?? null} hint={t('guest.tags_hint')}>
                <input {...described('guest-tags', errors.tags, true)} type="text" value={form.tags} onInput={(e) => set('tags', e.currentTarget.value)} />
              </Field>
            </div>
            <Field id="guest-desk_notes" label={t('guest.desk_notes')} error={errors.desk_notes ?? null} hint={t('guest.desk_notes_hint')}>
              <textarea {...described('guest-desk_notes', errors.desk_notes, true)} maxLength={2000} value={form.desk_notes} onInput={(e) => set('desk_notes', e.currentTarget.value)} />
            </Field>
          </fieldset>
          <FormError text={errors.form ?? null} />
          {canEdit && (
            <div class="actions">
              <button type="submit" class="primary">{busy ? t('common.saving') : t('common.save')}</button>
              {detail.status === 'active' && <button type="button" class="danger" onClick={() => setConfirm('revoke')}>{t('guest.revoke')}</button>}
              <button type="button" class="danger" onClick={() => setConfirm('delete')}>{t('guest.delete')}</button>
            </div>
          )}
        </fieldset>
      </form>
      {confirm && <Confirm
        text={t(confirm === 'revoke' ? 'guest.revoke_confirm' : 'guest.delete_confirm', { name: detail.name })}
        yes={t(confirm === 'revoke' ? 'guest.revoke_yes' : 'guest.delete_yes')}
        busy={busy}
        onYes={() => void act(confirm)}
        onNo={() => setConfirm(null)}
      />}
    </section>
  );
}

/** An inline confirmation: focus goes to "Cancel" (the safe choice), Escape cancels. */
function Confirm(props: { text: string; yes: string; busy: boolean; onYes: () => void; onNo: () => void }) {
  useEffect(() => {
    document.getElementById('confirm-no')?.focus();
  }, []);
  return (
    <div class="confirm-box" role="alertdialog" aria-modal="false" aria-labelledby="confirm-text" onKeyDown={(e) => e.key === 'Escape' && props.onNo()}>
      <p id="confirm-text">{props.text}</p>
      <div class="actions">
        <button type="button" class="danger confirm" disabled={props.busy} onClick={props.onYes}>{props.yes}</button>
        <button type="button" id="confirm-no" onClick={props.onNo}>{t('common.cancel')}</button>
      </div>
    </div>
  );
}
