/**
 * California's 58 counties for the console's map, cut at build time from the Census Bureau's cartographic
 * boundaries as `us-atlas` ships them (counties-10m.json, TopoJSON): the state's counties (FIPS 06xxx) as a
 * GeoJSON FeatureCollection with the county's FIPS as `id` and its name, coordinates rounded to 4 decimals
 * (~10 m, finer than the 1:10,000,000 source). The whole nation's file (~800 KB) never reaches a browser.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';

const round = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(round) : typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v;

export function californiaCounties(): { type: 'FeatureCollection'; features: unknown[] } {
  const require = createRequire(import.meta.url);
  const topo = JSON.parse(readFileSync(require.resolve('us-atlas/counties-10m.json'), 'utf8')) as {
    objects: { counties: { type: string; geometries: { id: string }[] } };
  };
  const counties = topo.objects.counties;
  const ca = { ...counties, geometries: counties.geometries.filter((g) => String(g.id).startsWith('06')) };
  const fc = feature(topo, ca);
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({
      type: 'Feature',
      id: String(f.id),
      properties: { name: f.properties?.name ?? String(f.id) },
      geometry: {
        ...(f.geometry as object),
        coordinates: round((f.geometry as { coordinates: unknown }).coordinates),
      },
    })),
  };
}
