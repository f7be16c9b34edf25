/**
 * Charts with Observable Plot, loaded on demand (`import('./charts.ts')`: its own file under chunks/, so pages
 * without charts never download it). The console's CSP has no 'unsafe-inline' for styles: Plot puts a
 * `<style>` element in every chart and legend, which such a CSP refuses (and reports) once it is in the page,
 * so each chart's `<style>` elements are removed before it is shown; their few rules are in charts.css, on
 * the class given to every chart. Plot's other styling goes through presentation attributes and the CSSOM,
 * which the CSP allows. (charts.css is imported by the pages: CSS of a module loaded on demand would not be
 * in app.css.)
 */
import * as Plot from '@observablehq/plot';

const CLASS = 'dp-chart';

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

/** A choropleth of California's counties: `values` by county FIPS; counties without a value stay grey. */
export function countyMap(
  counties: readonly CountyShape[],
  values: ReadonlyMap<string, number>,
  label: string,
): Element {
  const collection = { type: 'FeatureCollection', features: counties };
  return forThePage(
    Plot.plot({
      className: CLASS,
      width: 560,
      height: 620,
      projection: { type: 'conic-equal-area', parallels: [34, 40.5], rotate: [120, 0], domain: collection },
      color: { type: 'quantize', n: 5, scheme: 'blues', legend: true, label, unknown: '#e6e6e6' },
      marks: [
        Plot.geo(counties as never[], {
          fill: (d: CountyShape) => values.get(d.id),
          stroke: '#ffffff',
          strokeWidth: 0.75,
          title: (d: CountyShape) =>
            `${d.properties.name}: ${values.get(d.id)?.toLocaleString('en-US') ?? 'none'}`,
        }),
      ],
    }),
  );
}

/** Horizontal bars, one per row, largest first; `flagged` rows drawn in the warning colour. */
export function bars(
  rows: readonly { label: string; value: number; flagged?: boolean }[],
  label: string,
  percent = false,
): Element {
  return forThePage(
    Plot.plot({
      className: CLASS,
      width: 640,
      height: 40 + rows.length * 26,
      marginLeft: 200,
      x: { label, grid: true, ...(percent ? { percent: true } : {}) },
      y: { label: null },
      marks: [
        Plot.barX(rows as never[], {
          x: 'value',
          y: 'label',
          fill: (d: { flagged?: boolean }) => (d.flagged ? '#b10e1e' : '#046b99'),
          sort: { y: '-x' },
        }),
        Plot.ruleX([0]),
      ],
    }),
  );
}
