// The chosen venue's devices: each one's state from its newest heartbeat with its problems in words, when it was last
// heard from, its backlog, clock, scanner, version and upstream error; a legend of the states. Owners pair a new box
// (a single-use code, shown large with its countdown and the command to type on the box) and revoke a device's keys.
import { useEffect, useState } from 'preact/hooks';
import type { DeviceList, DeviceRow, PairCode } from '../../../../core/console/devices';
import { may } from '../../../../core/console/roles';
import { api } from '../api';
import { ago, clockTime, duration, useNow } from '../components/clock';
import { CopyButton } from '../components/copy';
import { kindText, problemText } from '../components/device-words';
import { Dialog } from '../components/dialog';
import { described, Field, FormError } from '../components/field';
import { errorText } from '../data';
import { dateTime, num, t } from '../i18n';
import type { PageProps } from '../routes';
import { announce, session, venueId, venues } from '../state';

type Kind = DeviceRow['kind'];
const KINDS: readonly Kind[] = ['kiosk', 'agent', 'gateway'];
const STATES: readonly DeviceRow['state'][] = ['ok', 'silent', 'backlogged', 'clock_skewed', 'revoked'];
/** The list refreshes itself this often, so a page left open keeps telling the truth. */
const REFRESH_MS = 30_000;

interface Loaded {
  list: DeviceList;
  /** Date.now() when it arrived: ages are the server's as_of plus the time since, whatever the browser's clock says. */
  at: number;
}

export function DevicesPage(_props: PageProps) {
  const id = venueId.value;
  const venue = venues.value.find((v) => v.id === id);
  const owner = may(session.value!.account.role, 'manage_venue');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pairing, setPairing] = useState(false);
  const [revoking, setRevoking] = useState<DeviceRow | null>(null);
  const now = useNow(1000);

  const load = async (quiet = false) => {
    if (!id) return;
    try {
      const list = await api.devices(id);
      if (venueId.value !== id) return;
      setLoaded({ list, at: Date.now() });
      setError(null);
      if (!quiet) announce(t('devices.loaded', { n: list.devices.length }));
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    setLoaded(null);
    void load(true);
    const timer = setInterval(() => void load(true), REFRESH_MS);
    return () => clearInterval(timer);
  }, [id]);

  if (!venue) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t('devices.title_plain')}</h1>
        <p>{t('devices.pick_venue')}</p>
      </section>
    );
  }
  const serverNow = loaded ? Date.parse(loaded.list.as_of) + (now - loaded.at) : now;
  const devices = loaded?.list.devices ?? [];

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('devices.title', { venue: venue.name })}</h1>
      <div class="toolbar">
        <span class="count">{loaded ? t('devices.count', { n: devices.length }) : t('common.loading')}</span>
        {loaded && <span class="muted small">{t('devices.checked', { ago: ago((now - loaded.at) / 1000) })}</span>}
        <button type="button" onClick={() => void load()}>{t('common.reload')}</button>
        {owner && <button type="button" class="primary" onClick={() => setPairing(true)}>{t('devices.pair')}</button>}
      </div>
      <FormError text={error} />
      {loaded && devices.length === 0 && <p>{t('devices.none')}</p>}
      {devices.length > 0 && (
        <div class="table-wrap">
          <table class="plain devices">
            <caption class="sr-only">{t('devices.caption', { venue: venue.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('devices.col.device')}</th>
                <th scope="col">{t('devices.col.state')}</th>
                <th scope="col">{t('devices.col.last_seen')}</th>
                <th scope="col">{t('devices.col.backlog')}</th>
                <th scope="col">{t('devices.col.clock')}</th>
                <th scope="col">{t('devices.col.scanner')}</th>
                <th scope="col">{t('devices.col.version')}</th>
                <th scope="col">{t('devices.col.upstream')}</th>
                {owner && <th scope="col"><span class="sr-only">{t('devices.col.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => <DeviceLine key={d.id} d={d} serverNow={serverNow} owner={owner} onRevoke={() => setRevoking(d)} />)}
            </tbody>
          </table>
        </div>
      )}
      <Legend />
      {pairing && <PairDialog venueId={venue.id} onClose={() => { setPairing(false); void load(true); }} />}
      {revoking && <RevokeDialog device={revoking} onClose={(done) => { setRevoking(null); if (done) void load(true); }} />}
    </section>
  );
}

const label = (d: Pick<DeviceRow, 'name' | 'id'>) => d.name ?? d.id;

function DeviceLine(props: { d: DeviceRow; serverNow: number; owner: boolean; onRevoke: () => void }) {
  const { d, serverNow } = props;
  const problems = d.problems.map((p) => problemText(p, d, serverNow));
  return (
    <tr data-device={d.id} data-state={d.state}>
      <th scope="row">
        <span class="device-name">{label(d)}</span>
        <span class="muted small block">{kindText(d.kind)} · {d.id}</span>
      </th>
      <td>
        <span class={`state state-${d.state}`}>{t(`devices.state.${d.state}`)}</span>
        {problems.length > 0 && <ul class="problems-inline">{problems.map((p) => <li key={p}>{p}</li>)}</ul>}
      </td>
      <td>
        {d.last_seen ? (
          <>
            <span>{ago((serverNow - Date.parse(d.last_seen)) / 1000)}</span>
            <span class="muted small block">{dateTime(d.last_seen)}</span>
          </>
        ) : <span class="muted">{t('devices.never')}</span>}
      </td>
      <td>
        {d.outbox_depth === null ? <span class="muted">—</span> : (
          <>
            <span>{t('devices.backlog_events', { n: num(d.outbox_depth) })}</span>
            {d.oldest_unsent_s !== null && d.outbox_depth > 0 && <span class="muted small block">{t('devices.backlog_oldest', { d: duration(d.oldest_unsent_s) })}</span>}
          </>
        )}
      </td>
      <td>{d.clock_skew_ms === null ? <span class="muted">—</span> : skewText(d.clock_skew_ms)}</td>
      <td>
        {d.scanner_ok === null
          ? <span class="muted">{t('devices.scanner.none')}</span>
          : <span class={d.scanner_ok ? 'good' : 'bad'}>{t(d.scanner_ok ? 'devices.scanner.ok' : 'devices.scanner.fault')}</span>}
      </td>
      <td>{d.app_version ?? <span class="muted">—</span>}</td>
      <td>{d.upstream_error ? <span class="bad">{d.upstream_error}</span> : <span class="muted">{t('common.none')}</span>}</td>
      {props.owner && (
        <td>
          {d.state !== 'revoked' && (
            <button type="button" class="danger" onClick={props.onRevoke} aria-label={t('devices.revoke_named', { name: label(d) })}>{t('devices.revoke')}</button>
          )}
        </td>
      )}
    </tr>
  );
}

function skewText(ms: number): string {
  if (Math.abs(ms) < 500) return t('devices.clock_right');
  return t(ms > 0 ? 'devices.clock_ahead' : 'devices.clock_behind', { d: duration(Math.abs(ms) / 1000) });
}

function Legend() {
  return (
    <section class="legend" aria-labelledby="devices-legend">
      <h2 id="devices-legend">{t('devices.legend')}</h2>
      <dl>
        {STATES.map((s) => (
          <div key={s}>
            <dt><span class={`state state-${s}`}>{t(`devices.state.${s}`)}</span></dt>
            <dd>{t(`devices.state_help.${s}`)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** "k7wm-3qpa-x9rd" spelled for a screen reader: "k 7 w m, 3 q p a, x 9 r d". */
const spelled = (code: string) => code.split('-').map((g) => g.split('').join(' ')).join(', ');

function PairDialog(props: { venueId: string; onClose: () => void }) {
  const [kind, setKind] = useState<Kind>('kiosk');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState<PairCode | null>(null);
  const now = useNow(1000);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const issued = await api.pairingCode(props.venueId, { kind, ...(name.trim() ? { name: name.trim() } : {}) });
      setCode(issued);
      announce(t('devices.pair_issued', { code: spelled(issued.code) }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (!code) {
    return (
      <Dialog title={t('devices.pair_title')} onClose={props.onClose}>
        <form onSubmit={submit} noValidate>
          <Field id="pair-kind" label={t('devices.pair_kind')}>
            <select {...described('pair-kind')} value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)} data-autofocus>
              {KINDS.map((k) => <option key={k} value={k}>{kindText(k)}</option>)}
            </select>
          </Field>
          <Field id="pair-name" label={t('devices.pair_name')} hint={t('devices.pair_name_hint')}>
            <input {...described('pair-name', null, true)} maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <FormError text={error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>{busy ? t('common.saving') : t('devices.pair_issue')}</button>
            <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
          </div>
        </form>
      </Dialog>
    );
  }

  const left = Math.ceil((Date.parse(code.expires_at) - now) / 1000);
  const command = `seatpilot pair --cloud ${window.location.origin} --code ${code.code}`;
  const mmss = `${Math.floor(Math.max(0, left) / 60)}:${String(Math.max(0, left) % 60).padStart(2, '0')}`;
  return (
    <Dialog title={t('devices.pair_code_title', { kind: kindText(code.kind) })} onClose={props.onClose} class="pair">
      <p class="pair-code-wrap">
        <span class="pair-code" aria-hidden="true" data-code={code.code}>
          {code.code.split('-').map((g, i) => <span key={i} class="pair-group">{g}</span>)}
        </span>
        <span class="sr-only">{spelled(code.code)}</span>
      </p>
      {left > 0 ? (
        <p class="pair-expiry">
          {t('devices.pair_expires', { at: clockTime(code.expires_at), date: dateTime(code.expires_at) })}{' '}
          <strong class="countdown" role="timer" aria-live="off">{t('devices.pair_left', { left: mmss })}</strong>
        </p>
      ) : <p class="form-error" role="alert">{t('devices.pair_expired')}</p>}
      <p>{t('devices.pair_type_this')}</p>
      <div class="command-row">
        <input id="pair-command" class="command" readOnly value={command} aria-label={t('devices.pair_command')} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={command} label={t('devices.pair_copy')} selectId="pair-command" />
      </div>
      <p class="muted small">{t('devices.pair_once')}</p>
      <div class="actions">
        {left <= 0 && <button type="button" onClick={() => setCode(null)}>{t('devices.pair_again')}</button>}
        <button type="button" class="primary" onClick={props.onClose} data-autofocus>{t('common.close')}</button>
      </div>
    </Dialog>
  );
}

function RevokeDialog(props: { device: DeviceRow; onClose: (done: boolean) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = label(props.device);
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.revokeDevice(props.device.id);
      announce(t('devices.revoked', { name, n: r.revoked_keys }));
      props.onClose(true);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('devices.revoke_title', { name })} onClose={() => props.onClose(false)}>
      <p>{t('devices.revoke_explain')}</p>
      <FormError text={error} />
      <div class="actions">
        <button type="button" class="danger confirm" disabled={busy} onClick={() => void revoke()}>{t('devices.revoke_confirm')}</button>
        <button type="button" onClick={() => props.onClose(false)} data-autofocus>{t('common.cancel')}</button>
      </div>
    </Dialog>
  );
}
