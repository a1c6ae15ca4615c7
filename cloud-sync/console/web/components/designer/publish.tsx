// Publishing the draft to the doors (what it will change, asked before it is done) and the published versions (restore
// one as the draft). Both save the draft first, so what is previewed is what the planner sees.
import { useEffect, useState } from 'preact/hooks';
import type { LayoutVersionRow, PublishPreview } from '../../../../../core/console/layout';
import { api, ApiError } from '../../api';
import { errorText } from '../../data';
import { dateTime, num, t } from '../../i18n';
import { announce } from '../../state';
import { Dialog } from '../dialog';
import { FormError } from '../field';
import { draft, flush, save, takeDraft } from './editor';

export function PublishDialog(props: { venueId: string; onClose: () => void }) {
  const [preview, setPreview] = useState<PublishPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unseat, setUnseat] = useState(false);
  const [live, setLive] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void (async () => {
      try {
        await flush();
        if (save.value.s !== 'saved') throw new Error(t('designer.publish_unsaved'));
        setPreview(await api.previewPublish(props.venueId, draft.value!.revision));
      } catch (e) {
        setError(e instanceof ApiError ? errorText(e) : (e as Error).message);
      }
    })();
  }, []);
  const guests = preview?.tables_removed.reduce((a, x) => a + x.guests, 0) ?? 0;
  const needsLive = (preview?.live_occasions.length ?? 0) > 0;
  const publish = async () => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.publishLayout(props.venueId, {
        revision: preview.revision, ...(needsLive ? { confirm_live: live } : {}), ...(guests > 0 ? { unseat_removed: unseat } : {}),
      });
      const d = draft.value;
      if (d) draft.value = { ...d, published: { version: r.version, published_at: r.published_at, published_by: null }, unpublished_changes: false };
      announce(t('designer.published', { version: r.version }));
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('designer.publish_title')} onClose={props.onClose}>
      <FormError text={error} />
      {!preview && !error && <p>{t('common.loading')}</p>}
      {preview && (
        <div data-testid="publish-summary">
          <ul>
            <li>{t('designer.pub.added', { n: preview.tables_added })}</li>
            <li>{t('designer.pub.changed', { n: preview.tables_changed })}</li>
            <li>{t('designer.pub.removed', { n: preview.tables_removed.length })}</li>
            {preview.doors_changed.length > 0 && <li>{t('designer.pub.doors', { n: preview.doors_changed.length })}</li>}
          </ul>
          {preview.unreachable_tables.length > 0 && (
            <p class="warning" role="alert">{t(preview.unreachable_tables.length === 1 ? 'designer.pub.unreachable_one' : 'designer.pub.unreachable', { n: preview.unreachable_tables.length, tables: preview.unreachable_tables.join(', ') })}</p>
          )}
          {guests > 0 && (
            <label class="check">
              <input type="checkbox" checked={unseat} onChange={(e) => setUnseat(e.currentTarget.checked)} />
              {t(guests === 1 ? 'designer.pub.unseat_one' : 'designer.pub.unseat', { n: num(guests), tables: preview.tables_removed.filter((x) => x.guests > 0).map((x) => x.label).join(', ') })}
            </label>
          )}
          {needsLive && (
            <div class="warning">
              <p><strong>{t(preview.doors_changed.length === 1 ? 'designer.pub.live_one' : 'designer.pub.live', { n: preview.doors_changed.length })}</strong></p>
              <p>{preview.live_occasions.map((o) => o.name).join(', ')}</p>
              <label class="check">
                <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
                {t('designer.pub.live_confirm')}
              </label>
            </div>
          )}
        </div>
      )}
      <div class="actions">
        <button type="button" class="primary" data-autofocus disabled={!preview || busy || (guests > 0 && !unseat) || (needsLive && !live)} onClick={() => void publish()}>
          {t('designer.publish_now')}
        </button>
        <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
      </div>
    </Dialog>
  );
}

export function VersionsDialog(props: { venueId: string; onClose: () => void }) {
  const [rows, setRows] = useState<LayoutVersionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.layoutVersions(props.venueId).then((r) => setRows(r.versions), (e) => setError(errorText(e)));
  }, []);
  const restore = async (version: number) => {
    setError(null);
    try {
      await flush();
      const d = await api.restoreLayout(props.venueId, version, draft.value!.revision);
      takeDraft(d);
      announce(t('designer.restored', { version }));
      props.onClose();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Dialog title={t('designer.versions')} onClose={props.onClose}>
      <FormError text={error} />
      {rows === null && !error && <p>{t('common.loading')}</p>}
      {rows?.length === 0 && <p>{t('designer.no_versions')}</p>}
      {rows && rows.length > 0 && (
        <ul class="versions" data-testid="versions">
          {rows.map((r) => (
            <li key={r.version}>
              <span>{t('designer.version_row', { version: r.version, when: dateTime(r.published_at), tables: r.tables, doors: r.doors })}{r.note ? ` — ${r.note}` : ''}</span>
              <button type="button" onClick={() => void restore(r.version)} aria-label={t('designer.restore_n', { version: r.version })}>{t('designer.restore')}</button>
            </li>
          ))}
        </ul>
      )}
      <div class="actions"><button type="button" onClick={props.onClose}>{t('common.close')}</button></div>
    </Dialog>
  );
}
