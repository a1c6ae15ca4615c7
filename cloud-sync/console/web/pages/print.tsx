// The print pages of the chosen occasion's seating chart (/print/chart, escort-cards, place-cards, table-signs), bare:
// no header or navigation, only a Back link and a Print button (both hidden on paper), then the A4 sheets. The
// browser's print dialog (or page.pdf) makes the PDF; styles/print.css lays out the pages.
import '../strings/lazy';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ChartPrint, EscortCards, PlaceCards, PRINTS, TableSigns, type PrintWhat } from '../components/print/sheets';
import { chartView, loadChart } from '../components/seating';
import { errorText } from '../data';
import { t, type StringKey } from '../i18n';
import { href } from '../router';
import type { PageProps } from '../routes';
import { occasionId } from '../state';

const TITLES: Record<PrintWhat, StringKey> = {
  chart: 'print.title_chart',
  'escort-cards': 'print.title_escort',
  'place-cards': 'print.title_place',
  'table-signs': 'print.title_signs',
};

export function PrintPage(props: PageProps) {
  const what = props.params.what as PrintWhat;
  const known = (PRINTS as readonly string[]).includes(what);
  const id = occasionId.value;
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);

  useEffect(() => {
    if (!id || !known) return;
    setError(null);
    // The chart as the seating page left it would do, but paper should show what is saved now.
    loadChart(id).catch((e) => setError(errorText(e)));
    api.occasion(id).then((o) => setName(o.name), () => setName(null));
  }, [id, what]);

  const v = id && chartView.value?.chart.occasion_id === id ? chartView.value : null;
  const title = known ? t(TITLES[what]) : t('print.title');
  const fullTitle = name ? t('print.title_of', { title, occasion: name }) : title;
  useEffect(() => {
    const before = document.title;
    document.title = fullTitle;
    return () => void (document.title = before);
  }, [fullTitle]);

  return (
    <div class={`print-doc print-${known ? what : 'unknown'}`}>
      <div class="print-toolbar">
        <a href={href('/seating')}>← {t('print.back')}</a>
        <h1 id="page-title">{fullTitle}</h1>
        {known && v && <button type="button" class="primary" onClick={() => window.print()}>{t('print.print')}</button>}
      </div>
      {!known && <p role="alert">{t('print.unknown')}</p>}
      {known && !id && <p>{t('common.pick_occasion_first')}</p>}
      {error && <p class="form-error" role="alert">{error}</p>}
      {known && id && !v && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {known && v && (
        <div class="sheets" data-testid="sheets">
          {what === 'chart' && <ChartPrint view={v} title={fullTitle} />}
          {what === 'escort-cards' && <EscortCards view={v} />}
          {what === 'place-cards' && <PlaceCards view={v} />}
          {what === 'table-signs' && <TableSigns view={v} />}
        </div>
      )}
    </div>
  );
}
