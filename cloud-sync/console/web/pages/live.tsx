// The chosen occasion on the night, from the server's event stream (a snapshot every few seconds): expected, checked
// in and seated; entries per door per minute; door-to-seat p50/p95; double admissions as the detector finds them; the
// venue's devices with problems; the seat conflicts left to review (components/seat-conflicts.tsx). Every figure says how old it is, and a banner says when the updates stop coming.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeviceRow } from '../../../../core/console/devices';
import type { LiveSnapshot } from '../../../../core/console/live';
import { api } from '../api';
import { ago, clockTime, duration, useNow } from '../components/clock';
import { kindText, problemText } from '../components/device-words';
import { SeatConflicts } from '../components/seat-conflicts';
import { loadSession } from '../data';
import { dateTime, num, t } from '../i18n';
import { href } from '../router';
import type { PageProps } from '../routes';
import { may } from '../../../../core/console/roles';
import { announce, clearSession, occasion, occasionId, session } from '../state';

type Connection = 'connecting' | 'open' | 'reconnecting' | 'closed';
/** Until two snapshots tell the server's pace, assume this gap between them. */
const DEFAULT_INTERVAL_S = 5;
/** Stale: no snapshot for more than this many intervals. */
const STALE_INTERVALS = 3;
const DEVICES_EVERY_MS = 30_000;

interface Received {
  snap: LiveSnapshot;
  /** Date.now() at arrival: "updated N s ago" counts from here, so a browser clock that is off does not matter. */
  at: number;
}

export function LivePage(_props: PageProps) {
  const id = occasionId.value;
  const occ = occasion.value;
  const [got, setGot] = useState<Received | null>(null);
  const [intervalS, setIntervalS] = useState(DEFAULT_INTERVAL_S);
  const [conn, setConn] = useState<Connection>('connecting');
  const [problem, setProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [devices, setDevices] = useState<Map<string, DeviceRow>>(new Map());
  const now = useNow(1000);
  const wasStale = useRef(false);
  const doubles = useRef<number | null>(null);

  useEffect(() => {
    setGot(null);
    setProblem(null);
    doubles.current = null;
    if (!id) return;
    setConn('connecting');
    const source = new EventSource(api.liveUrl(id));
    let last: LiveSnapshot | null = null;
    source.onopen = () => setConn('open');
    source.addEventListener('snapshot', (e) => {
      const snap = JSON.parse((e as MessageEvent<string>).data) as LiveSnapshot;
      if (last) {
        const gap = (Date.parse(snap.as_of) - Date.parse(last.as_of)) / 1000;
        if (gap > 0) setIntervalS(Math.max(1, gap));
      }
      last = snap;
      setGot({ snap, at: Date.now() });
      setProblem(null);
      setConn('open');
      const n = snap.double_admissions.length;
      if (doubles.current !== null && n > doubles.current) announce(t('live.double_found', { n }), 'error');
      doubles.current = n;
    });
    source.addEventListener('problem', () => {
      setProblem(t('live.problem'));
      announce(t('live.problem'), 'error');
    });
    source.addEventListener('signed_out', () => {
      source.close();
      clearSession();
      announce(t('error.no_session'), 'error');
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setConn('closed');
        // Refused (an ended session answers 401): asking for the session clears it, and sign-in shows.
        void loadSession();
      } else setConn('reconnecting');
    };
    return () => source.close();
  }, [id, attempt]);

  const venue = occ?.venue_id;
  // The venue's devices, for their names and the details of their problems (backlog, skew) that snapshots leave out.
  useEffect(() => {
    if (!venue) return;
    const load = () => api.devices(venue).then((l) => setDevices(new Map(l.devices.map((d) => [d.id, d])))).catch(() => undefined);
    void load();
    const timer = setInterval(load, DEVICES_EVERY_MS);
    return () => clearInterval(timer);
  }, [venue]);

  const sinceS = got ? (now - got.at) / 1000 : 0;
  const stale = got !== null && sinceS > STALE_INTERVALS * intervalS;
  useEffect(() => {
    if (stale && !wasStale.current) announce(t('live.stale_announce'), 'error');
    if (!stale && wasStale.current) announce(t('live.fresh_again'));
    wasStale.current = stale;
  }, [stale]);

  if (!id || !occ) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t('live.title_plain')}</h1>
        <p>{t('common.pick_occasion_first')}</p>
      </section>
    );
  }
  const tz = occ.timezone;
  const s = got?.snap;
  const deviceName = (d: string) => devices.get(d)?.name ?? d;

  return (
    <section aria-labelledby="page-title" class="live">
      <h1 id="page-title">{t('live.title', { occasion: occ.name })}</h1>
      <p class="freshness" data-testid="live-updated">
        {s ? (
          <>
            <strong>{t('live.updated', { ago: ago(sinceS) })}</strong>{' '}
            <span class="muted">{t('live.as_of', { at: dateTime(s.as_of, tz), tz })}</span>
          </>
        ) : conn === 'closed' ? null : t('live.waiting')}
      </p>
      {(stale || conn === 'reconnecting' || conn === 'closed') && (
        <div class="banner stale" role="status">
          {conn === 'closed' ? (
            <>
              <strong>{t('live.disconnected')}</strong>{' '}
              <button type="button" onClick={() => setAttempt((n) => n + 1)}>{t('live.reconnect')}</button>
            </>
          ) : (
            <>
              <strong>{s && stale ? t('live.stale', { d: duration(sinceS) }) : t('live.reconnecting_plain')}</strong>{' '}
              <span>{t('live.reconnecting')}</span>
            </>
          )}
        </div>
      )}
      {problem && <div class="banner problem" role="status">{problem}</div>}
      {s && (
        <>
          <div class="kpis">
            <Kpi name="expected" label={t('live.expected')} value={s.expected} />
            <Kpi name="checked_in" label={t('live.checked_in')} value={s.checked_in} of={s.expected} />
            <Kpi name="seated" label={t('live.seated')} value={s.seated} of={s.expected} />
          </div>
          <p class="muted small">
            {s.last_event_received_at ? t('live.last_entry', { ago: ago((Date.parse(s.as_of) - Date.parse(s.last_event_received_at)) / 1000 + sinceS) }) : t('live.no_entry_yet')}
          </p>
          <DoorCharts snap={s} tz={tz} />
          <DoorToSeat snap={s} sinceS={sinceS} />
          <Doubles snap={s} tz={tz} deviceName={deviceName} />
          <Problems snap={s} devices={devices} nowMs={Date.parse(s.as_of) + sinceS * 1000} />
        </>
      )}
      {/* Apart from the stream: the venue's decisions reach the cloud whether or not the snapshots flow. */}
      {venue && <SeatConflicts venueId={venue} tz={tz} canDismiss={may(session.value?.account.role ?? 'viewer', 'edit_guests')} />}
    </section>
  );
}

function Kpi(props: { name: string; label: string; value: number; of?: number }) {
  const pct = props.of ? Math.round((props.value / props.of) * 100) : null;
  return (
    <div class="kpi" data-kpi={props.name}>
      <span class="kpi-label">{props.label}</span>
      <span class="kpi-value">{num(props.value)}</span>
      {props.of !== undefined && <span class="kpi-pct">{pct === null ? '—' : t('live.pct_of_expected', { pct })}</span>}
    </div>
  );
}

function DoorCharts(props: { snap: LiveSnapshot; tz: string }) {
  const doors = props.snap.per_door;
  const max = Math.max(1, ...doors.flatMap((d) => d.minutes.map((m) => m.checkins)));
  return (
    <section aria-labelledby="live-doors">
      <h2 id="live-doors">{t('live.doors')}</h2>
      {doors.length === 0 ? <p class="muted">{t('live.doors_none')}</p> : (
        <div class="door-charts">
          {doors.map((d) => {
            const total = d.minutes.reduce((n, m) => n + m.checkins, 0);
            const lastMin = d.minutes[d.minutes.length - 1]?.checkins ?? 0;
            const door = d.door_id || t('live.door_unknown');
            const first = d.minutes[0];
            const last = d.minutes[d.minutes.length - 1];
            return (
              <figure class="door" key={d.door_id} data-door={d.door_id}>
                <figcaption>
                  <strong>{door}</strong>{' '}
                  <span>{t('live.door_summary', { total: num(total), now: num(lastMin) })}</span>
                </figcaption>
                <svg class="door-chart" viewBox="0 0 300 60" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                  {d.minutes.map((m, i) => {
                    const h = (m.checkins / max) * 56;
                    return <rect key={m.minute} x={i * 10 + 1} y={60 - h} width={8} height={h} class={i === d.minutes.length - 1 ? 'bar now' : 'bar'} />;
                  })}
                </svg>
                {first && last && (
                  <div class="chart-axis muted small" aria-hidden="true"><span>{clockTime(first.minute, props.tz)}</span><span>{clockTime(last.minute, props.tz)}</span></div>
                )}
                <details>
                  <summary>{t('live.door_table', { door })}</summary>
                  <table class="plain compact">
                    <thead><tr><th scope="col">{t('live.minute')}</th><th scope="col">{t('live.entries')}</th></tr></thead>
                    <tbody>
                      {d.minutes.filter((m) => m.checkins > 0).map((m) => (
                        <tr key={m.minute}><td>{clockTime(m.minute, props.tz)}</td><td>{num(m.checkins)}</td></tr>
                      ))}
                    </tbody>
                  </table>
                  <p class="muted small">{t('live.door_table_note')}</p>
                </details>
              </figure>
            );
          })}
        </div>
      )}
    </section>
  );
}

function DoorToSeat(props: { snap: LiveSnapshot; sinceS: number }) {
  const k = props.snap.door_to_seat;
  const secs = (v: number | null) => (v === null ? '—' : t('live.seconds', { n: num(Math.round(v)) }));
  return (
    <section aria-labelledby="live-d2s" class="d2s" data-testid="door-to-seat">
      <h2 id="live-d2s">{t('live.d2s')}</h2>
      {k.samples === 0 && k.p50_s === null ? <p class="muted">{t('live.d2s_none')}</p> : (
        <dl class="pairs">
          <div><dt>{t('live.p50')}</dt><dd>{secs(k.p50_s)}</dd></div>
          <div><dt>{t('live.p95')}</dt><dd>{secs(k.p95_s)}</dd></div>
          <div><dt>{t('live.samples')}</dt><dd>{num(k.samples)}</dd></div>
        </dl>
      )}
      {k.basis === 'slowest_bucket' && <p class="muted small">{t('live.d2s_slowest')}</p>}
      <p class="muted small">
        {k.age_s === null ? t('live.d2s_never') : t('live.d2s_age', { ago: ago(k.age_s + props.sinceS) })}
      </p>
    </section>
  );
}

function Doubles(props: { snap: LiveSnapshot; tz: string; deviceName: (id: string) => string }) {
  const list = props.snap.double_admissions;
  return (
    <section aria-labelledby="live-doubles">
      <h2 id="live-doubles">{t('live.doubles', { n: list.length })}</h2>
      {list.length === 0 ? <p class="muted">{t('live.doubles_none')}</p> : (
        <table class="plain">
          <thead>
            <tr>
              <th scope="col">{t('live.guest')}</th>
              <th scope="col">{t('live.first')}</th>
              <th scope="col">{t('live.second')}</th>
              <th scope="col">{t('live.detected')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={`${d.guest_id}-${d.second_at}`}>
                <th scope="row">{d.guest_name ?? d.guest_id}</th>
                <td>{t('live.at_device', { device: props.deviceName(d.first_device_id), at: clockTime(d.first_at, props.tz) })}</td>
                <td>{t('live.at_device', { device: props.deviceName(d.second_device_id), at: clockTime(d.second_at, props.tz) })}</td>
                <td>{dateTime(d.detected_at, props.tz)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Problems(props: { snap: LiveSnapshot; devices: Map<string, DeviceRow>; nowMs: number }) {
  const list = props.snap.devices_with_problems;
  return (
    <section aria-labelledby="live-problems">
      <h2 id="live-problems">{t('live.device_problems', { n: list.length })}</h2>
      {list.length === 0 ? <p class="muted">{t('live.device_problems_none')}</p> : (
        <ul class="device-problems">
          {list.map((d) => (
            <li key={d.id} data-device={d.id}>
              <strong>{d.name ?? d.id}</strong> <span class="muted">({kindText(d.kind)})</span>: {d.problems.map((p) => problemText(p, { ...props.devices.get(d.id), last_seen: d.last_seen }, props.nowMs)).join('; ')}
            </li>
          ))}
        </ul>
      )}
      <p><a href={href('/devices')}>{t('live.to_devices')}</a></p>
    </section>
  );
}
