// The properties of the single selected element (or of the room when nothing is selected), as labelled fields. Typing
// in a field is one undo step per field (coalesced until the field is left); a value out of range is shown as an error
// beside the field and not applied.
import { useState } from 'preact/hooks';
import { normalizeAngle, type ElementRef } from '../../../../../core/designer/geometry';
import type { Layout, ObstacleKind, TableShape } from '../../../../../core/designer/layout';
import { t, type StringKey } from '../../i18n';
import { described, Field } from '../field';
import { commit, deleteSelection, doc, findEl, patchEl, seal, sel } from './editor';

const SHAPES: readonly TableShape[] = ['round', 'rect', 'banquet'];
const KINDS: readonly ObstacleKind[] = ['stage', 'bar', 'dance_floor', 'pillar', 'other'];

interface NumProps { id: string; label: StringKey; value: number; min: number; max: number; int?: boolean; onValue: (n: number) => void }

function NumField(p: NumProps) {
  const [text, setText] = useState<string | null>(null);
  const valid = (s: string) => {
    const v = Number(s);
    return s.trim() !== '' && Number.isFinite(v) && v >= p.min && v <= p.max && (!p.int || Number.isInteger(v));
  };
  const error = text === null || valid(text) ? null : t('designer.bad_number', { min: p.min, max: p.max });
  return (
    <Field id={p.id} label={t(p.label)} error={error}>
      <input
        {...described(p.id, error)} type="number" step={p.int ? 1 : 'any'} value={text ?? String(p.value)}
        onInput={(e) => {
          const s = e.currentTarget.value;
          setText(s);
          if (valid(s)) p.onValue(Number(s));
        }}
        onBlur={() => { setText(null); seal(); }}
      />
    </Field>
  );
}

function TextField(p: { id: string; label: StringKey; value: string; min?: number; max: number; onValue: (s: string) => void }) {
  const [text, setText] = useState<string | null>(null);
  const s = text ?? p.value;
  const error = s.trim().length < (p.min ?? 0) ? t('designer.required') : null;
  return (
    <Field id={p.id} label={t(p.label)} error={error}>
      <input
        {...described(p.id, error)} value={s} maxLength={p.max}
        onInput={(e) => {
          const v = e.currentTarget.value;
          setText(v);
          if (v.trim().length >= (p.min ?? 0)) p.onValue(v.trim());
        }}
        onBlur={() => { setText(null); seal(); }}
      />
    </Field>
  );
}

const DOOR_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The door's id is the door_id its kiosk is configured with: that is how a kiosk finds its "You are here" and its
 * routes. Applied when the field is left (or Enter), not per keystroke: the selection follows the new id.
 */
function DoorIdField(p: { layout: Layout; id: string }) {
  const [text, setText] = useState(p.id);
  const v = text.trim();
  const error = !DOOR_ID.test(v) ? t('designer.door_id_bad') : v !== p.id && p.layout.doors.some((d) => d.id === v) ? t('designer.door_id_taken') : null;
  const apply = () => {
    if (error || v === p.id) return;
    commit({ ...p.layout, doors: p.layout.doors.map((d) => (d.id === p.id ? { ...d, id: v } : d)) });
    sel.value = [{ kind: 'doors', id: v }];
  };
  return (
    <Field id="p-door-id" label={t('designer.f.door_id')} error={error} hint={t('designer.f.door_id_hint')}>
      <input {...described('p-door-id', error, true)} value={text} maxLength={128} onInput={(e) => setText(e.currentTarget.value)} onChange={apply}
        onKeyDown={(e) => { if (e.key === 'Enter') apply(); }} />
    </Field>
  );
}

function Choice<T extends string>(p: { id: string; label: StringKey; value: T; options: readonly T[]; text: (o: T) => string; onValue: (v: T) => void }) {
  return (
    <Field id={p.id} label={t(p.label)}>
      <select id={p.id} value={p.value} onChange={(e) => p.onValue(e.currentTarget.value as T)}>
        {p.options.map((o) => <option key={o} value={o}>{p.text(o)}</option>)}
      </select>
    </Field>
  );
}

export function Properties(props: { readOnly: boolean }) {
  const layout = doc.value;
  const refs = sel.value;
  return (
    <section class="designer-props" aria-labelledby="props-title">
      <h2 id="props-title">{t('designer.props')}</h2>
      {props.readOnly ? <p class="muted">{t('designer.read_only')}</p>
        : refs.length === 0 ? <RoomFields layout={layout} />
        : refs.length > 1 ? <p>{t('designer.sel.many', { n: refs.length })}</p>
        : <ElementFields key={`${refs[0]!.kind}:${refs[0]!.id}`} layout={layout} r={refs[0]!} />}
      {!props.readOnly && refs.length > 0 && <button type="button" class="danger" onClick={deleteSelection}>{t('designer.delete')}</button>}
    </section>
  );
}

function RoomFields({ layout }: { layout: Layout }) {
  const set = (k: 'width' | 'height') => (n: number) => commit({ ...layout, [k]: n }, `room:${k}`);
  return (
    <>
      <NumField id="room-width" label="designer.room_width" value={layout.width} min={1} max={2000} onValue={set('width')} />
      <NumField id="room-height" label="designer.room_height" value={layout.height} min={1} max={2000} onValue={set('height')} />
    </>
  );
}

function ElementFields({ layout, r }: { layout: Layout; r: ElementRef }) {
  const e = findEl(layout, r) as unknown as Record<string, unknown> | undefined;
  if (!e) return null;
  const set = (name: string) => (v: unknown) => commit(patchEl(doc.value, r, { [name]: v }), `field:${r.id}:${name}`);
  const num = (name: string, label: StringKey, min: number, max: number, int = false) => (
    <NumField id={`p-${name}`} label={label} value={e[name] as number} min={min} max={max} int={int} onValue={set(name)} />
  );
  const rotation = (
    <NumField id="p-rotation" label="designer.f.rotation" value={e.rotation as number} min={-360} max={360} onValue={(n) => set('rotation')(normalizeAngle(n))} />
  );
  // An obstacle and a zone are both a labelled box: its label, its size and its turn.
  const box = (label: StringKey) => (
    <>
      <TextField id="p-label" label={label} value={e.label as string} max={64} onValue={set('label')} />
      {num('w', 'designer.f.width', 0.1, 10_000)}
      {num('h', 'designer.f.depth', 0.1, 10_000)}
      {rotation}
    </>
  );
  switch (r.kind) {
    case 'tables':
      return (
        <>
          <TextField id="p-label" label="designer.f.table_label" value={e.label as string} min={1} max={64} onValue={set('label')} />
          <Choice id="p-shape" label="designer.f.shape" value={e.shape as TableShape} options={SHAPES} text={(s) => t(`designer.shape.${s}`)} onValue={set('shape')} />
          {num('capacity', 'designer.f.capacity', 0, 1000, true)}
          {num('w', e.shape === 'round' ? 'designer.f.diameter' : 'designer.f.width', 0.3, 100)}
          {e.shape !== 'round' && num('h', 'designer.f.depth', 0.3, 100)}
          {rotation}
          <TextField id="p-tags" label="designer.f.tags" value={(e.tags as string[]).join(', ')} max={2000}
            onValue={(s) => set('tags')([...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])} />
        </>
      );
    case 'obstacles':
      return (
        <>
          <Choice id="p-kind" label="designer.f.kind" value={e.kind as ObstacleKind} options={KINDS} text={(k) => t(`designer.tool.${k}`)} onValue={set('kind')} />
          {box('designer.f.label')}
        </>
      );
    case 'doors':
      return (
        <>
          <TextField id="p-label" label="designer.f.door_label" value={e.label as string} max={64} onValue={set('label')} />
          <DoorIdField layout={layout} id={r.id} />
        </>
      );
    case 'zones':
      return box('designer.f.zone_label');
    case 'labels':
      return (
        <>
          <TextField id="p-text" label="designer.f.text" value={e.text as string} min={1} max={200} onValue={set('text')} />
          {num('size', 'designer.f.size', 0.1, 20)}
          {rotation}
        </>
      );
    case 'walls':
      return <p>{t('designer.wall_points', { n: (e.points as unknown[]).length })}</p>;
    default: {
      const never: never = r.kind;
      return never;
    }
  }
}
