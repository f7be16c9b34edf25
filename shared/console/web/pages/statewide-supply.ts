import { WASTAGE_REASONS } from '../../../stock/reasons.ts';
import { apiGet } from '../api.ts';
import { h, notice, table } from '../dom.ts';
import type { Page } from './page.ts';
import { askedDay, countyLabel, countyShapes, dayPicker, notMade, reportFor } from './statewide-day.ts';

interface Supply {
  counties: {
    county: string;
    sites: number;
    on_hand: number;
    pace: number;
    days_of_supply: number | null;
    at_risk: number;
  }[];
  lots: {
    iis_id: string;
    ndc: string;
    lot_number: string;
    expiration: string;
    on_hand: number;
    usable_days: number;
    at_risk: number;
  }[];
}
interface Expiring {
  rows?: {
    iis_id: string;
    ndc: string;
    lot_number: string;
    expiration: string;
    days_left: number;
    status: string;
    on_hand: number;
  }[];
}
interface Accountability {
  rows?: { losses: Record<string, number> }[];
  extra?: { rows_in_files_only?: boolean; files?: { csv?: string } };
}

const num = (v: number | null) => (v === null ? '—' : v.toLocaleString('en-US'));
const LOTS_SHOWN = 25;
/** The two kinds of loss docs/domain.md tells apart. */
const CATEGORY: Record<string, string> = {
  'expired-spoiled': 'Expired or spoiled',
  wasted: 'Wasted (viable, not given)',
};

/** Program staff: doses on hand and days of supply by county, lots at risk and expiring, wastage by reason. */
export const statewideSupply: Page = {
  title: 'Supply and wastage',
  roles: ['program', 'admin'],
  nav: 'Supply and wastage',
  blurb: 'doses on hand and days of supply by county, lots expiring, doses lost by reason.',
  async render(main, { query, navigate }) {
    main.append(h('h1', { tabindex: -1 }, 'Supply and wastage'));
    // Plot's module starts loading with the figures, not after them.
    const charts = import('./statewide-charts.ts');
    const [supply, names] = await Promise.all([
      reportFor<Supply>(askedDay(query), (d) => `/v1/reports/supply?date=${d}`),
      countyShapes().then(
        (c) => new Map(c.map((f) => [f.id, f.properties.name])),
        () => new Map<string, string>(),
      ),
    ]);
    // The stock roll-up's reports of the same day as the supply figures (made from its balances).
    const day = supply.day;
    const [expiringRes, wastageRes] = await Promise.all([
      apiGet<Expiring>(`/v1/reports/expiring?date=${day}`),
      apiGet<Accountability>(`/v1/reports/wastage?date=${day}`),
    ]);
    const expiring = { day, res: expiringRes };
    const wastage = { day, res: wastageRes };
    main.append(dayPicker('/statewide/supply', day, navigate));
    if (notMade(supply.res) && notMade(expiring.res) && notMade(wastage.res))
      main.append(
        notice(
          'info',
          `The figures for ${day} have not been made yet: they are made nightly, after the day ends.`,
        ),
      );
    main.append(h('h2', {}, 'Supply by county'));
    if (!supply.res.ok)
      main.append(
        notice(
          supply.res.status === 404 ? 'info' : 'danger',
          supply.res.status === 404 ? 'Not made yet.' : (supply.res.issues[0]?.message ?? supply.res.message),
        ),
      );
    else {
      const s = supply.res.body;
      main.append(
        s.counties.length
          ? table(
              `Doses on hand and days of supply at the pace of the last week, by county, as of ${supply.day}`,
              ['County', 'Sites', 'On hand', 'Doses a day', 'Days of supply', 'At risk of expiring'],
              [...s.counties]
                .sort((a, b) => (a.days_of_supply ?? Infinity) - (b.days_of_supply ?? Infinity))
                .map((c) => [
                  countyLabel(names, c.county),
                  c.sites,
                  num(c.on_hand),
                  c.pace.toFixed(1),
                  num(c.days_of_supply),
                  num(c.at_risk),
                ]),
            )
          : h('p', {}, 'No stock on hand anywhere yet.'),
        h('h2', {}, 'Lots at risk'),
        s.lots.some((l) => l.at_risk > 0)
          ? table(
              `Lots whose doses will not all be given before they expire, most at risk first (the first ${LOTS_SHOWN})`,
              ['Lot', 'Site', 'NDC', 'Expires', 'On hand', 'Days left to use', 'At risk'],
              [...s.lots]
                .filter((l) => l.at_risk > 0)
                .sort((a, b) => b.at_risk - a.at_risk)
                .slice(0, LOTS_SHOWN)
                .map((l) => [
                  l.lot_number,
                  l.iis_id,
                  l.ndc,
                  l.expiration,
                  num(l.on_hand),
                  l.usable_days,
                  num(l.at_risk),
                ]),
            )
          : h('p', {}, 'No lot is at risk at the current pace.'),
      );
    }
    main.append(h('h2', {}, 'Lots expiring within 30 days'));
    const exp = expiring.res.ok ? (expiring.res.body.rows ?? []) : [];
    main.append(
      exp.length
        ? table(
            `Lots with doses on hand that expired or expire within 30 days, as of ${expiring.day}`,
            ['Lot', 'Site', 'NDC', 'Expires', 'Days left', 'On hand'],
            [...exp]
              .sort((a, b) => a.days_left - b.days_left)
              .map((r) => [r.lot_number, r.iis_id, r.ndc, r.expiration, r.days_left, num(r.on_hand)]),
          )
        : h('p', {}, expiring.res.ok ? 'No lot on hand expires within 30 days.' : 'Not made yet.'),
    );
    main.append(h('h2', {}, 'Doses lost, by reason'));
    if (!wastage.res.ok || !wastage.res.body.rows) {
      const res = wastage.res;
      const csv = res.ok ? res.body.extra?.files?.csv : undefined;
      main.append(
        res.ok
          ? h(
              'p',
              {},
              'The statewide rows are too many to total here',
              csv ? ': ' : '.',
              csv ? h('a', { href: csv, download: '' }, 'download the report (CSV)') : null,
              csv ? '.' : null,
            )
          : notMade(res)
            ? h('p', {}, 'Not made yet.')
            : notice('danger', res.issues[0]?.message ?? res.message),
      );
      return;
    }
    const totals = new Map<string, number>();
    for (const r of wastage.res.body.rows)
      for (const [reason, n] of Object.entries(r.losses ?? {}))
        if (n) totals.set(reason, (totals.get(reason) ?? 0) + n);
    if (!totals.size) {
      main.append(h('p', {}, `No dose was reported lost on ${wastage.day}.`));
      return;
    }
    const label = (code: string) => WASTAGE_REASONS[code as keyof typeof WASTAGE_REASONS]?.label ?? code;
    const rows = [...totals].sort((a, b) => b[1] - a[1]);
    const { bars } = await charts;
    main.append(
      h(
        'figure',
        {
          class: 'sw-figure',
          role: 'img',
          'aria-label': `Doses lost on ${wastage.day} by reason; the table “Doses lost on ${wastage.day}, by reason” below gives the figures.`,
        },
        bars(
          rows.map(([code, n]) => ({ label: label(code), value: n })),
          'Doses lost',
          'whole',
        ),
      ),
      table(
        `Doses lost on ${wastage.day}, by reason`,
        ['Reason', 'Category', 'Doses'],
        rows.map(([code, n]) => [
          label(code),
          CATEGORY[WASTAGE_REASONS[code as keyof typeof WASTAGE_REASONS]?.category ?? ''] ?? '—',
          num(n),
        ]),
      ),
    );
  },
};
