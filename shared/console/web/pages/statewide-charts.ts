/**
 * The statewide view's charts with Observable Plot, loaded on demand (a dynamic import of this module: its
 * own file under chunks/, so pages without charts never download Plot's ~300 KB).
 *
 * The console's CSP has `style-src 'self'` without 'unsafe-inline'. Plot puts a `<style>` element in every
 * chart and legend, which such a CSP refuses (and reports) once it is in the page, so each one is removed
 * before the chart is shown; their few rules are in statewide.css, on the class given to every chart. Plot's
 * other styling is presentation attributes or the CSSOM (`el.style.x = …`), which the CSP allows. The
 * statewide pages import statewide.css statically: CSS of a module loaded on demand would not be in app.css.
 */
import * as Plot from '@observablehq/plot';

const CLASS = 'sw-plot';
const BLUE = '#046b99';
const RED = '#b10e1e';
/** A county without a figure (no population loaded for coverage). */
export const NO_FIGURE = '#bdbdc2';

/** A fraction as a percentage with the decimals it needs (0.5524 → 55.24%, 0.0005 → 0.05%), no trailing zeros. */
const percentTick = (d: number) => `${Number((d * 100).toFixed(4))}%`;
const wholeTick = (d: number) => d.toLocaleString('en-US');

/**
 * A chart ready for the page: without Plot's <style> elements (the CSP), and without the aria-labels Plot puts
 * on its <g> groups (ARIA forbids a label on an element without a role; axe: aria-prohibited-attr). The page
 * gives the chart one text alternative (role=img and a label naming the table that carries its figures).
 */
function forThePage<T extends Element>(node: T): T {
  for (const s of node.querySelectorAll('style')) s.remove();
  for (const el of node.querySelectorAll('[aria-label], [aria-description]')) {
    el.removeAttribute('aria-label');
    el.removeAttribute('aria-description');
  }
  return node;
}

export interface CountyShape {
  type: 'Feature';
  id: string;
  properties: { name: string };
  geometry: unknown;
}

/**
 * A choropleth of California's counties with its colour legend: `values` by county FIPS on a continuous scale
 * from 0 (a county with none is the lightest shade, not missing); a county without a value is grey.
 */
export function countyMap(
  counties: readonly CountyShape[],
  values: ReadonlyMap<string, number>,
  label: string,
  percent: boolean,
): { legend: Element; map: Element } {
  const collection = { type: 'FeatureCollection', features: counties };
  const max = Math.max(0, ...values.values());
  const chart = Plot.plot({
    className: CLASS,
    figure: false,
    width: 520,
    height: 580,
    margin: 4,
    // California Albers (EPSG:3310's parallels and meridian): the state's own equal-area projection.
    projection: { type: 'conic-equal-area', parallels: [34, 40.5], rotate: [120, 0], domain: collection },
    color: {
      type: 'linear',
      scheme: 'blues',
      domain: [0, max > 0 ? max : 1],
      unknown: NO_FIGURE,
      label,
    },
    marks: [
      Plot.geo(counties as never[], {
        fill: (d: CountyShape) => values.get(d.id),
        stroke: '#6c6c70',
        strokeWidth: 0.5,
      }),
    ],
  });
  const legend = chart.legend('color', {
    className: CLASS,
    width: 360,
    // Room for the first and last tick's labels, which are centred on the ramp's ends.
    marginLeft: 16,
    marginRight: 24,
    label,
    // Whole doses: no fractional ticks when the largest county has only a few.
    ...(percent
      ? { tickFormat: percentTick }
      : { tickFormat: wholeTick, ticks: Math.max(1, Math.min(max, 5)) }),
  });
  return { legend: forThePage(legend ?? document.createElement('span')), map: forThePage(chart) };
}

/**
 * Horizontal bars, one per row in the order given (the table's order); `flagged` rows in the warning colour and
 * marked "Flagged" at the bar's end, so a flagged group with no one vaccinated (no bar) still shows (the page
 * draws the colours' key). `percent`: values are fractions shown as percentages; `whole`: counts.
 */
export function bars(
  rows: readonly { label: string; value: number; flagged?: boolean }[],
  label: string,
  scale: 'percent' | 'whole',
): Element {
  const max = Math.max(0, ...rows.map((r) => r.value));
  const longest = Math.max(0, ...rows.map((r) => r.label.length));
  return forThePage(
    Plot.plot({
      className: CLASS,
      figure: false,
      width: 720,
      height: 56 + rows.length * 28,
      // The labels' room at the charts' 12px (statewide.css): about 7px a character.
      marginLeft: Math.min(320, Math.max(60, longest * 7 + 16)),
      marginRight: 64,
      x: {
        label,
        grid: true,
        domain: [0, max > 0 ? max : 1],
        nice: true,
        ...(scale === 'percent'
          ? { tickFormat: percentTick }
          : { tickFormat: wholeTick, ticks: Math.max(1, Math.min(max, 6)) }),
      },
      y: { label: null, domain: rows.map((r) => r.label) },
      marks: [
        Plot.barX(rows as never[], {
          x: 'value',
          y: 'label',
          fill: (d: { flagged?: boolean }) => (d.flagged ? RED : BLUE),
        }),
        Plot.text(
          rows.filter((r) => r.flagged),
          { x: 'value', y: 'label', text: () => 'Flagged', textAnchor: 'start', dx: 4, fill: RED },
        ),
        Plot.ruleX([0]),
      ],
    }),
  );
}
