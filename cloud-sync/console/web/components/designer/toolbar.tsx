// The designer's toolbar: the drawing tools (one pressed at a time), undo and redo, zoom, align and distribute, renumber,
// the grid step. Every button is labelled; what the keyboard does on the canvas the buttons do too.
import { alignElements, distributeElements, renumberTables, type AlignEdge, type DistributeAxis } from '../../../../../core/designer/geometry';
import { t } from '../../i18n';
import { canRedo, canUndo, commit, doc, fit, redo, sel, tool, TOOLS, undo, zoom } from './editor';

const EDGES: readonly AlignEdge[] = ['left', 'center', 'right', 'top', 'middle', 'bottom'];
const AXES: readonly DistributeAxis[] = ['horizontal', 'vertical'];
export const GRID_STEPS = [0, 0.25, 0.5, 1] as const;

export function Toolbar(props: { readOnly: boolean }) {
  const n = sel.value.length;
  return (
    <div class="designer-toolbar">
      {!props.readOnly && (
        <div role="toolbar" aria-label={t('designer.tools')} class="tool-group">
          {TOOLS.map((x) => (
            <button key={x} type="button" aria-pressed={tool.value === x} onClick={() => { tool.value = x; }}>{t(`designer.tool.${x}`)}</button>
          ))}
        </div>
      )}
      <div role="toolbar" aria-label={t('designer.view')} class="tool-group">
        {!props.readOnly && <button type="button" onClick={undo} disabled={!canUndo()}>{t('designer.undo')}</button>}
        {!props.readOnly && <button type="button" onClick={redo} disabled={!canRedo()}>{t('designer.redo')}</button>}
        <button type="button" onClick={() => zoom(1.25)}>{t('designer.zoom_in')}</button>
        <button type="button" onClick={() => zoom(0.8)}>{t('designer.zoom_out')}</button>
        <button type="button" onClick={fit}>{t('designer.fit')}</button>
      </div>
      {!props.readOnly && (
        <div role="toolbar" aria-label={t('designer.arrange')} class="tool-group">
          {EDGES.map((edge) => (
            <button key={edge} type="button" disabled={n < 2} onClick={() => commit(alignElements(doc.value, sel.value, edge))}>{t(`designer.align.${edge}`)}</button>
          ))}
          {AXES.map((axis) => (
            <button key={axis} type="button" disabled={n < 3} onClick={() => commit(distributeElements(doc.value, sel.value, axis))}>{t(`designer.distribute.${axis}`)}</button>
          ))}
          <button type="button" disabled={doc.value.tables.length === 0} onClick={() => commit(renumberTables(doc.value))}>{t('designer.renumber')}</button>
          <label class="inline">
            {t('designer.grid')}
            <select value={String(doc.value.grid)} onChange={(e) => commit({ ...doc.value, grid: Number((e.currentTarget as HTMLSelectElement).value) })}>
              {[...new Set([...GRID_STEPS, doc.value.grid])].map((s) => <option key={s} value={String(s)}>{s === 0 ? t('designer.grid_off') : t('designer.metres', { n: s })}</option>)}
            </select>
          </label>
        </div>
      )}
    </div>
  );
}
