import { afterEach, describe, expect, it, vi } from 'vitest';
import { registryFor } from '#registry/routing.ts';

const SAN_DIEGO = '06073';
const SAN_JOAQUIN = '06077';
const ALAMEDA = '06001';

afterEach(() => vi.unstubAllEnvs());

describe("a dose's registry", () => {
  it('is decided by the day it is reported: San Diego to SDIR up to its merge into CAIR2 on 2022-04-01', () => {
    expect(registryFor(SAN_DIEGO, '2022-03-31')).toBe('SDIR');
    expect(registryFor(SAN_DIEGO, '2022-04-01')).toBe('CAIR2');
    expect(registryFor(SAN_DIEGO, '2021-06-01')).toBe('SDIR');
  });

  it('takes a moment as its calendar day in California, not in UTC', () => {
    // 23:59 on 31 March in California is already 1 April in UTC: still SDIR's day.
    expect(registryFor(SAN_DIEGO, new Date('2022-04-01T06:59:59Z'))).toBe('SDIR');
    expect(registryFor(SAN_DIEGO, new Date('2022-04-01T07:00:00Z'))).toBe('CAIR2');
    // Winter: California is UTC-8.
    expect(registryFor(SAN_DIEGO, new Date('2022-01-01T07:59:59Z'))).toBe('SDIR');
  });

  it('sends San Joaquin to RIDE, and every other county (or none) to CAIR2', () => {
    expect(registryFor(SAN_JOAQUIN, new Date('2026-11-25T12:00:00Z'))).toBe('RIDE');
    expect(registryFor(ALAMEDA, '2021-06-01')).toBe('CAIR2');
    expect(registryFor(undefined, '2021-06-01')).toBe('CAIR2');
    expect(registryFor('', '2021-06-01')).toBe('CAIR2');
  });

  it('reads every date as of REGISTRY_ROUTING_AS_OF when set (the 2021 world), moments and days alike', () => {
    vi.stubEnv('REGISTRY_ROUTING_AS_OF', '2021-06-01');
    expect(registryFor(SAN_DIEGO, new Date('2026-11-25T12:00:00Z'))).toBe('SDIR');
    expect(registryFor(SAN_DIEGO, '2026-11-25')).toBe('SDIR');
    vi.stubEnv('REGISTRY_ROUTING_AS_OF', '2022-04-01');
    expect(registryFor(SAN_DIEGO, '2021-06-01')).toBe('CAIR2');
  });

  it('takes the deployed table from REGISTRY_ROUTING, its from inclusive and until exclusive', () => {
    vi.stubEnv(
      'REGISTRY_ROUTING',
      JSON.stringify({
        default: 'X',
        routes: [{ county: ALAMEDA, registry: 'Y', from: '2020-01-01', until: '2021-01-01' }],
      }),
    );
    expect(registryFor(ALAMEDA, '2019-12-31')).toBe('X');
    expect(registryFor(ALAMEDA, '2020-01-01')).toBe('Y');
    expect(registryFor(ALAMEDA, '2020-12-31')).toBe('Y');
    expect(registryFor(ALAMEDA, '2021-01-01')).toBe('X');
    expect(registryFor(SAN_DIEGO, '2020-06-01')).toBe('X');
  });

  it('lets the first matching route win', () => {
    const table = {
      default: 'X',
      routes: [
        { county: ALAMEDA, registry: 'FIRST' },
        { county: ALAMEDA, registry: 'SECOND' },
      ],
    };
    expect(registryFor(ALAMEDA, '2021-06-01', table)).toBe('FIRST');
  });
});
