/**
 * CDC's text report (Validator's console reporter), with CRLF line ends as CDC's Windows-made baselines have:
 *
 *   Validating <file>
 *   File                             Vax_Event_Id     Line   Level  Field                    Error  Description
 *   <file, 32, middle ***>           <id, 16, ***>    <line> <level> <field>                 <code> <message>
 *   <file> has <N> errors in <M> of <R> records.
 *   Code    Field                   Count   Description                                         Example
 *   <code>  <field>                  <count>   <description>                                  <line> <message>
 *
 * The detail heading appears with the first detail line; detail lines only once a record has been read (FMT_
 * findings of a file without records are in the summary only); the summary heading only with failed records.
 * Pieces are exported so a large file's report can be written while it is checked (TextReportWriter).
 */
import type { CdcFinding, CdcResult } from './file.ts';
import { abbreviateMiddle, padLeft, padRight, str } from './java.ts';
import { Summary, type SummaryRow } from './summary.ts';

export const EOL = '\r\n';

const DETAIL_HEADING = `${'File'.padEnd(32)} ${'Vax_Event_Id'.padEnd(16)} ${'Line'.padEnd(6)} ${'Level'.padEnd(6)} ${'Field'.padEnd(24)} ${'Error'.padEnd(6)} Description${EOL}`;

export const textIntro = (fileName: string): string => `Validating ${fileName}${EOL}`;

export function textDetail(fileName: string, f: CdcFinding): string {
  return (
    `${padRight(abbreviateMiddle(fileName, '***', 32), 32)} ${padRight(abbreviateMiddle(f.vax_event_id, '***', 16), 16)} ` +
    `${String(f.line).padEnd(6)} ${f.level.padEnd(6)} ${f.field.slice(0, 24).padEnd(24)} ${f.code.padEnd(6)} ${f.message}${EOL}`
  );
}

export function textFooter(
  fileName: string,
  totals: Pick<CdcResult, 'totalErrors' | 'failedRecords' | 'totalRecords'>,
  rows: readonly SummaryRow[],
): string {
  let out = `${fileName} has ${totals.totalErrors} errors in ${totals.failedRecords} of ${totals.totalRecords} records.${EOL}`;
  if (totals.failedRecords > 0)
    out += `${'Code'.padEnd(8)}${'Field'.padEnd(24)}${'Count'.padEnd(8)}${'Description'.padEnd(52)}Example${EOL}`;
  for (const r of rows) {
    const first = r.examples[0]!;
    out += `${r.code.padEnd(8)}${padRight(r.field, 24)}${padLeft(r.count, 5)}   ${r.description.padEnd(52)} ${padLeft(first.line, 5)} ${str(first.message)}${EOL}`;
  }
  return out;
}

/** Writes the report as findings arrive (CdcFileChecker's onFinding), keeping only the summary's first examples. */
export class TextReportWriter {
  private readonly summary = new Summary(false);
  private headed = false;
  private readonly fileName: string;
  private readonly write: (text: string) => void;

  constructor(fileName: string, write: (text: string) => void) {
    this.fileName = fileName;
    this.write = write;
    write(textIntro(fileName));
  }

  readonly onFinding = (f: CdcFinding, detail: boolean): void => {
    this.summary.add(f);
    if (!detail) return;
    if (!this.headed) {
      this.write(DETAIL_HEADING);
      this.headed = true;
    }
    this.write(textDetail(this.fileName, f));
  };

  end(result: CdcResult): void {
    this.write(textFooter(this.fileName, result, this.summary.sorted()));
  }
}

export function formatTextReport(fileName: string, r: CdcResult): string {
  const parts: string[] = [];
  const w = new TextReportWriter(fileName, (t) => parts.push(t));
  // The summary's examples are in the order findings were made: FMT_ first, then by record.
  const detail = r.totalRecords > 0;
  for (const f of r.findings) w.onFinding(f, detail);
  w.end(r);
  return parts.join('');
}
