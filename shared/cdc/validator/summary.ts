/**
 * The summary part of CDC's reports: one row per code and field, in the order of CDC's TreeMap key
 * (the code padded to 8, then the field), each with its count and its examples in the order found.
 */
import type { CdcFinding } from './file.ts';
import { describe } from './rules.ts';

export interface SummaryExample {
  line: number;
  /** CDC takes it when the finding is made: FMT_ findings are made before any record, so theirs is "". */
  vax_event_id: string | null;
  message: string;
}

export interface SummaryRow {
  key: string;
  code: string;
  field: string;
  description: string;
  count: number;
  /** All examples, or only the first when the summary was built without them. */
  examples: SummaryExample[];
}

export class Summary {
  private readonly rows = new Map<string, SummaryRow>();
  private readonly allExamples: boolean;

  /** `allExamples`: the JSON report lists them all; the text report needs the first. */
  constructor(allExamples = true) {
    this.allExamples = allExamples;
  }

  add(f: CdcFinding): void {
    const key = f.code.padEnd(8) + f.field;
    let row = this.rows.get(key);
    if (!row) {
      row = { key, code: f.code, field: f.field, description: describe(f.code), count: 0, examples: [] };
      this.rows.set(key, row);
    }
    row.count++;
    if (this.allExamples || row.examples.length === 0)
      row.examples.push({
        line: f.line,
        vax_event_id: f.line === -1 ? '' : f.vax_event_id,
        message: f.message,
      });
  }

  sorted(): SummaryRow[] {
    return [...this.rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

export function summarize(findings: readonly CdcFinding[], allExamples = true): SummaryRow[] {
  const s = new Summary(allExamples);
  for (const f of findings) s.add(f);
  return s.sorted();
}
