// The chosen venue's occasions: the list (times shown in each occasion's own zone), and a form to create or edit one
// (name, start and end typed as wall-clock times in the occasion's zone, the zone, the re-entry policy). Each
// problem is shown by its field, checked here first and by the API again.
import { useState } from 'preact/hooks';
import type { ReentryPolicy } from '../../../../core/contract/contract';
import type { Occasion, OccasionInput } from '../../../../core/console/guests';
import { may } from '../../../../core/console/roles';
import { api, ApiError } from '../api';
import { described, Field, FormError } from '../components/field';
import { errorText, loadOccasions } from '../data';
import { dateTime, num, t } from '../i18n';
import { navigate } from '../router';
import type { PageProps } from '../routes';
import { announce, chooseOccasion, occasionId, occasions, session, venueId, venues } from '../state';
import { COMMON_TIME_ZONES, instantToZoned, isTimeZone, zonedToInstant } from '../time';

const POLICIES: readonly ReentryPolicy[] = ['single', 'after_exit', 'unlimited'];

export function OccasionsPage(_props: PageProps) {
  const [editing, setEditing] = useState<Occasion | 'new' | null>(null);
  const venue = venues.value.find((v) => v.id === venueId.value);
  const canEdit = may(session.value!.account.role, 'edit_guests');
  if (!venue) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t('occasions.title_plain')}</h1>
        <p>{t('occasions.pick_venue')}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('occasions.title', { venue: venue.name })}</h1>
      {canEdit && !editing && <p><button type="button" class="primary" onClick={() => setEditing('new')}>{t('occasions.new')}</button></p>}
      {editing && <OccasionForm key={editing === 'new' ? 'new' : editing.id} venueId={venue.id} occasion={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      {occasions.value.length === 0 ? <p>{t('occasions.none')}</p> : (
        <table class="plain">
          <thead>
            <tr>
              <th scope="col">{t('occasions.name')}</th>
              <th scope="col">{t('occasions.starts')}</th>
              <th scope="col">{t('occasions.ends')}</th>
              <th scope="col">{t('occasions.timezone')}</th>
              <th scope="col">{t('occasions.reentry')}</th>
              <th scope="col">{t('occasions.guests')}</th>
              <th scope="col"><span class="sr-only">{t('common.edit')}</span></th>
            </tr>
          </thead>
          <tbody>
            {occasions.value.map((o) => (
              <tr key={o.id} data-occasion={o.id}>
                <td>
                  <a href={`#/guests`} onClick={(e) => { e.preventDefault(); chooseOccasion(o.id); navigate('/guests'); }} aria-label={t('occasions.open_guests', { name: o.name })}>{o.name}</a>
                  {o.id === occasionId.value && <span class="badge">{t('occasions.current')}</span>}
                </td>
                <td>{dateTime(o.starts_at, o.timezone)}</td>
                <td>{dateTime(o.ends_at, o.timezone)}</td>
                <td>{o.timezone}</td>
                <td>{t(`occasions.reentry.${o.reentry_policy}`)}</td>
                <td>{num(o.guests)}</td>
                <td>{canEdit && <button type="button" onClick={() => setEditing(o)} aria-label={t('occasions.edit', { name: o.name })}>{t('common.edit')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type FieldName = 'name' | 'starts_at' | 'ends_at' | 'timezone' | 'reentry_policy';
type Errors = Partial<Record<FieldName | 'form', string>>;

/** Which field an API message is about (its messages name the field: "starts_at …", "--timezone …"). */
function fieldOf(message: string): FieldName | null {
  const m = message.toLowerCase();
  if (/starts?(_at)?\b/.test(m)) return 'starts_at';
  if (/ends?(_at)?\b/.test(m)) return 'ends_at';
  if (m.includes('timezone') || m.includes('time zone')) return 'timezone';
  if (m.includes('reentry') || m.includes('re-entry')) return 'reentry_policy';
  if (m.includes('name')) return 'name';
  return null;
}

function OccasionForm(props: { venueId: string; occasion: Occasion | null; onDone: () => void }) {
  const o = props.occasion;
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [name, setName] = useState(o?.name ?? '');
  const [tz, setTz] = useState(o?.timezone ?? (isTimeZone(browserZone) ? browserZone : 'Europe/Madrid'));
  const [starts, setStarts] = useState(o ? instantToZoned(o.starts_at, o.timezone) : '');
  const [ends, setEnds] = useState(o ? instantToZoned(o.ends_at, o.timezone) : '');
  const [reentry, setReentry] = useState<ReentryPolicy>(o?.reentry_policy ?? 'single');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const prefix = o ? `occ-${o.id}` : 'occ-new';
  const id = (f: FieldName) => `${prefix}-${f}`;

  const tzOk = isTimeZone(tz);
  const startZ = tzOk && starts ? zonedToInstant(starts, tz) : null;
  const endZ = tzOk && ends ? zonedToInstant(ends, tz) : null;
  const offsetHint = (z: ReturnType<typeof zonedToInstant> | null) => (z?.ok ? t('occasions.offset_hint', { tz, offset: z.offset }) : undefined);

  const check = (): { errors: Errors; input?: OccasionInput } => {
    const e: Errors = {};
    if (!name.trim() || name.trim().length > 200) e.name = t('occasions.need_name');
    if (!tzOk) e.timezone = t('occasions.bad_timezone');
    const timeError = (z: typeof startZ, raw: string) =>
      !raw ? t('occasions.need_time') : !z ? undefined : !z.ok ? (z.reason === 'nonexistent' ? t('occasions.time_skipped', { tz }) : t('occasions.need_time')) : undefined;
    const se = timeError(startZ, starts);
    const ee = timeError(endZ, ends);
    if (se) e.starts_at = se;
    if (ee) e.ends_at = ee;
    if (startZ?.ok && endZ?.ok && Date.parse(endZ.iso) <= Date.parse(startZ.iso)) e.ends_at = t('occasions.end_before_start');
    if (Object.keys(e).length || !startZ?.ok || !endZ?.ok) return { errors: e };
    return { errors: e, input: { venue_id: props.venueId, name: name.trim(), starts_at: startZ.iso, ends_at: endZ.iso, timezone: tz, reentry_policy: reentry } };
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const { errors: e, input } = check();
    setErrors(e);
    if (!input) {
      const first = (['name', 'starts_at', 'ends_at', 'timezone'] as const).find((f) => e[f]);
      if (first) document.getElementById(id(first))?.focus();
      return;
    }
    setBusy(true);
    try {
      if (o) {
        const { venue_id: _v, ...patch } = input;
        await api.patchOccasion(o.id, patch);
        announce(t('occasions.saved', { name: input.name }));
      } else {
        const created = await api.createOccasion(input);
        announce(t('occasions.created', { name: input.name }));
        chooseOccasion(created.id);
      }
      await loadOccasions();
      props.onDone();
    } catch (err) {
      const f = err instanceof ApiError && err.code === 'bad_request' ? fieldOf(err.message) : null;
      setErrors(f ? { [f]: err instanceof ApiError ? err.message : '' } : { form: errorText(err) });
      if (f) document.getElementById(id(f))?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby={`${prefix}-title`}>
      <h2 id={`${prefix}-title`}>{o ? t('occasions.edit_title', { name: o.name }) : t('occasions.new_title')}</h2>
      <Field id={id('name')} label={t('occasions.name')} error={errors.name ?? null}>
        <input {...described(id('name'), errors.name)} type="text" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <div class="row">
        <Field id={id('starts_at')} label={t('occasions.starts')} error={errors.starts_at ?? null} hint={offsetHint(startZ)}>
          <input {...described(id('starts_at'), errors.starts_at, !!offsetHint(startZ))} type="datetime-local" value={starts} onInput={(e) => setStarts(e.currentTarget.value)} />
        </Field>
        <Field id={id('ends_at')} label={t('occasions.ends')} error={errors.ends_at ?? null} hint={offsetHint(endZ)}>
          <input {...described(id('ends_at'), errors.ends_at, !!offsetHint(endZ))} type="datetime-local" value={ends} onInput={(e) => setEnds(e.currentTarget.value)} />
        </Field>
      </div>
      <div class="row">
        <Field id={id('timezone')} label={t('occasions.timezone')} error={errors.timezone ?? null} hint={t('occasions.timezone_hint')}>
          <input {...described(id('timezone'), errors.timezone, true)} type="text" list={`${prefix}-zones`} autocomplete="off" spellcheck={false} value={tz} onInput={(e) => setTz(e.currentTarget.value.trim())} />
          <datalist id={`${prefix}-zones`}>{COMMON_TIME_ZONES.map((z) => <option value={z} key={z} />)}</datalist>
        </Field>
        <Field id={id('reentry_policy')} label={t('occasions.reentry')} error={errors.reentry_policy ?? null}>
          <select {...described(id('reentry_policy'), errors.reentry_policy)} value={reentry} onChange={(e) => setReentry(e.currentTarget.value as ReentryPolicy)}>
            {POLICIES.map((p) => <option value={p} key={p}>{t(`occasions.reentry.${p}`)}</option>)}
          </select>
        </Field>
      </div>
      <FormError text={errors.form ?? null} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{busy ? t('common.saving') : o ? t('common.save') : t('common.create')}</button>
        <button type="button" onClick={props.onDone}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
