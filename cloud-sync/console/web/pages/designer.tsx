// The Seat Designer: the chosen venue's room drawn (walls, doors, zones, obstacles, tables, labels, a background plan),
// checked against the kiosks' route engine as it changes, saved as a draft while the planner works, published to the
// doors on request. Viewers see the plan read-only. State and commands: components/designer/editor.ts.
import '../strings/lazy';
import { useEffect, useState } from 'preact/hooks';
import { may } from '../../../../core/console/roles';
import { Canvas } from '../components/designer/canvas';
import { draft, flush, load, loadError, loadTheirs, save, unsaved } from '../components/designer/editor';
import { PublishDialog, VersionsDialog } from '../components/designer/publish';
import { Properties } from '../components/designer/properties';
import { BackgroundPanel, Problems, RoutePanel } from '../components/designer/side';
import { Toolbar } from '../components/designer/toolbar';
import { dateTime, t } from '../i18n';
import type { PageProps } from '../routes';
import { session, venueId, venues } from '../state';

export function DesignerPage(_props: PageProps) {
  const id = venueId.value;
  const venue = venues.value.find((v) => v.id === id);
  const canEdit = may(session.value!.account.role, 'edit_layout');
  const [dialog, setDialog] = useState<'publish' | 'versions' | null>(null);

  useEffect(() => {
    if (id) void load(id);
  }, [id]);

  useEffect(() => {
    const leave = (e: BeforeUnloadEvent) => {
      if (!unsaved()) return;
      e.preventDefault();
      e.returnValue = '';
    };
    addEventListener('beforeunload', leave);
    return () => {
      removeEventListener('beforeunload', leave);
      if (unsaved()) void flush();
    };
  }, []);

  if (!venue) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t('designer.title')}</h1>
        <p>{t('designer.pick_venue')}</p>
      </section>
    );
  }
  const d = draft.value;
  return (
    <section aria-labelledby="page-title" class="designer">
      <div class="designer-head">
        <h1 id="page-title">{t('designer.title_venue', { venue: venue.name })}</h1>
        {d && canEdit && <SaveStatus />}
        {d && (
          <p class="muted small" data-testid="published">
            {d.published ? t('designer.published_v', { version: d.published.version, when: dateTime(d.published.published_at) }) : t('designer.never_published')}
            {d.published && d.unpublished_changes ? ` ${t('designer.unpublished')}` : ''}
          </p>
        )}
        {d && canEdit && (
          <div class="actions">
            <button type="button" class="primary" onClick={() => setDialog('publish')}>{t('designer.publish')}</button>
            <button type="button" onClick={() => setDialog('versions')}>{t('designer.versions')}</button>
          </div>
        )}
      </div>
      {loadError.value && <p class="form-error" role="alert">{loadError.value}</p>}
      {!d && !loadError.value && <p class="loading">{t('common.loading')}</p>}
      {d && (
        <>
          <Toolbar readOnly={!canEdit} />
          <div class="designer-body">
            <Canvas readOnly={!canEdit} venueId={venue.id} />
            <aside class="designer-side" aria-label={t('designer.side')}>
              <Properties readOnly={!canEdit} />
              <Problems />
              <RoutePanel />
              {canEdit && <BackgroundPanel venueId={venue.id} />}
            </aside>
          </div>
        </>
      )}
      {dialog === 'publish' && <PublishDialog venueId={venue.id} onClose={() => setDialog(null)} />}
      {dialog === 'versions' && <VersionsDialog venueId={venue.id} onClose={() => setDialog(null)} />}
    </section>
  );
}

function SaveStatus() {
  const s = save.value;
  const text = s.s === 'saved' ? t('designer.save.saved')
    : s.s === 'saving' ? t('designer.save.saving')
    : s.s === 'dirty' ? t('designer.save.dirty')
    : s.s === 'conflict' ? t('designer.save.conflict')
    : t('designer.save.error', { reason: s.reason });
  return (
    <div class={`save-status save-${s.s}`}>
      <span role="status" data-testid="save-status">{text}</span>
      {s.s === 'conflict' && <button type="button" onClick={() => void loadTheirs()}>{t('designer.load_theirs')}</button>}
      {s.s === 'error' && <button type="button" onClick={() => void flush()}>{t('common.retry')}</button>}
    </div>
  );
}
