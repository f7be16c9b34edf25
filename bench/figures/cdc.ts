/** Figure 8: CDC's validator (validate --cdc) on a CVRS file vs bare parsing (lines and TABs) of it. */
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextReportWriter, validateCvrsStream, validateCvrsText } from '#cdc/validator/index.ts';
import { readRecords } from '#files/reader.ts';
import { localDate } from '#platform/dates.ts';
import { demoSite } from '../../test/fixtures/doses.ts';
import { doseFile, mixedKinds } from '../../test/fixtures/files.ts';
import { fmt, out, quick, table } from '../report.ts';

export async function cdcBench() {
  const n = quick ? 20_000 : 200_000;
  // The file-path figures' rows with what a CDC file has and intake leaves to the site's enrollment (extract
  // type, organization, site name and type): what the pipeline would send CDC. 10% of its rows are refused
  // (BUSR005) and 4% repeat the row before (BUSR013).
  const site: Record<string, string> = {
    responsible_org: demoSite.responsible_org,
    admin_name: demoSite.admin_name,
    admin_type: demoSite.admin_type,
  };
  const [head, ...rows] = doseFile(mixedKinds(n), 'cvrs', 'C').split('\n');
  const columns = head!.split('\t');
  const text = [
    `ext_type\tpprl_id\t${head}`,
    ...rows.map((r) =>
      r === ''
        ? r
        : `I\t\t${r
            .split('\t')
            .map((v, i) => site[columns[i]!] ?? v)
            .join('\t')}`,
    ),
  ].join('\n');
  const path = join(out, `cdc-${n}.tsv`);
  writeFileSync(path, text);
  const bytes = Buffer.from(text);
  const rounds = 5;
  const median = async (fn: () => unknown) => {
    await fn(); // warm-up round
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  };
  let cells = 0;
  const bareMs = await median(() => {
    for (const line of new TextDecoder().decode(bytes).split('\n')) cells += line.split('\t').length;
  });
  // The command streams its file, so its baselines do too: the project's CVRS reader (csv-parse, what "bare
  // parsing" means in the file-path figure), and the floor: the same reads cut at line ends and TABs.
  const bareParseMs = await median(async () => {
    for await (const _ of readRecords(createReadStream(path), 'cvrs')) cells++;
  });
  const bareSplitMs = await median(async () => {
    const decoder = new TextDecoder();
    let carry = '';
    for await (const chunk of createReadStream(path)) {
      const lines = (carry + decoder.decode(chunk as Buffer, { stream: true })).split('\n');
      carry = lines.pop()!;
      for (const line of lines) cells += line.split('\t').length;
    }
    cells += (carry + decoder.decode()).split('\t').length;
  });
  let findings = 0;
  const today = localDate(new Date());
  const textMs = await median(() => {
    findings = validateCvrsText(bytes, { today }).totalErrors;
  });
  // What `npm run validate -- --cdc FILE` does: stream the file, check it, write CDC's text report.
  const streamMs = await median(async () => {
    let chars = 0;
    const report = new TextReportWriter(path, (t) => {
      chars += t.length;
    });
    report.end(
      await validateCvrsStream(createReadStream(path), {
        today,
        keepFindings: false,
        onFinding: report.onFinding,
      }),
    );
    return chars;
  });
  if (cells < 0) console.log(cells);
  const row = (step: string, ms: number, base: number) => [
    step,
    fmt(ms),
    fmt((n / ms) * 1000),
    fmt(ms / base, 2),
  ];
  table(
    `CDC's validator, ${fmt(n)}-row CVRS file (${fmt(bytes.length / 1e6, 1)} MB, ${fmt(findings)} findings), median of ${rounds}`,
    [
      ['step', 'ms', 'rows/s', 'ratio to bare parsing'],
      row('stream: parse with the CVRS reader (csv-parse, baseline)', bareParseMs, bareParseMs),
      row('stream: cut at line ends and TABs only', bareSplitMs, bareParseMs),
      row('validate --cdc: read, check, text report', streamMs, bareParseMs),
      row('in memory: split lines and TABs (baseline)', bareMs, bareMs),
      row('in memory: validateCvrsText', textMs, bareMs),
    ],
  );
  return {
    memory: { rate: (n / textMs) * 1000, ratio: textMs / bareMs },
    command: { rate: (n / streamMs) * 1000, ratio: streamMs / bareParseMs },
  };
}
