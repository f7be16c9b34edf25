/** Figure 1: validation + normalization throughput vs plain JSON.parse of the same payloads. */
import { normalizeDose } from '#doses/normalize.ts';
import { fillFromSite } from '#doses/submit.ts';
import { validateDose } from '#doses/validate.ts';
import { localDate } from '#platform/dates.ts';
import type { Site } from '#sites/site.ts';
import { demoSite, modernaDose } from '../../test/fixtures/doses.ts';
import { fmt, quick, table } from '../report.ts';

export function validationBench() {
  const n = quick ? 5_000 : 50_000;
  const lots = ['039K20A', '040A21A', 'EL9261', 'ER8732', '011J20-2A'];
  const payloads = Array.from({ length: n }, (_, i) =>
    JSON.stringify(
      modernaDose({
        vax_event_id: `E${i}`,
        recip_id: `P${i % 9973}`,
        recip_dob: `19${String(30 + (i % 70)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 9}`,
        lot_number: lots[i % lots.length],
        admin_date: `2021-0${3 + (i % 3)}-0${2 + (i % 7)}`,
        recip_sex: i % 2 ? 'f' : 'M',
      }),
    ),
  );
  const site = { ...demoSite, enrolled_at: '' } as Site;
  const today = localDate(new Date());
  const rounds = 5;
  const time = (fn: () => void) => {
    fn(); // warm-up round: let the JIT settle before measuring
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      fn();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  };
  let sink = 0;
  const parseMs = time(() => {
    for (const p of payloads) sink += (JSON.parse(p) as object) ? 1 : 0;
  });
  const fullMs = time(() => {
    for (const p of payloads) {
      const { dose, findings } = normalizeDose(JSON.parse(p) as Record<string, unknown>);
      dose.iis_id = site.iis_id;
      fillFromSite(dose, site);
      sink += findings.length + validateDose(dose, { today }).length;
    }
  });
  const validateOnlyMs = Math.max(fullMs - parseMs, 1e-6);
  if (sink < 0) console.log(sink);
  table(`Validation + normalization (${fmt(n)} doses, median of ${rounds} rounds, one core)`, [
    ['step', 'ms', 'doses/s', 'ratio to JSON.parse'],
    ['JSON.parse (baseline)', fmt(parseMs, 1), fmt((n / parseMs) * 1000), '1.00'],
    ['parse + normalize + validate', fmt(fullMs, 1), fmt((n / fullMs) * 1000), fmt(fullMs / parseMs, 2)],
    [
      'normalize + validate alone',
      fmt(validateOnlyMs, 1),
      fmt((n / validateOnlyMs) * 1000),
      fmt(validateOnlyMs / parseMs, 2),
    ],
  ]);
  return (n / validateOnlyMs) * 1000;
}
