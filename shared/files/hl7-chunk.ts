import type { Rejection } from '#analytics/rejections.ts';
import { hl7ErrorsToFindings } from '#codecs/hl7/findings.ts';
import type { DoseResult, IntakeDeps } from '#doses/submit.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import type { Caller } from '#sites/access.ts';

/**
 * The messages of one chunk of an HL7 batch file, each through the same VXU intake as the SOAP endpoint.
 * One results row per message: its doses' IDs, and what its ACK would have said (AA/AE-with-only-warnings:
 * accepted; every dose already stored: duplicate; otherwise rejected), with the ERRs as findings; and the
 * chunk's rejected doses for the rejections log (`upload:<id>:<row>:<RXA index>`).
 */
export async function hl7ChunkResults(
  messages: AsyncIterable<{ cells: string[] }>,
  firstRow: number,
  uploadId: string,
  caller: Caller & { role: 'site'; iis_id: string },
  now: Date,
  deps: IntakeDeps,
): Promise<{ results: DoseResult[]; rejections: Rejection[] }> {
  const results: DoseResult[] = [];
  const rejections: Rejection[] = [];
  let row = firstRow;
  for await (const m of messages) {
    const out = await receiveVxu(m.cells[0] ?? '', caller, now, deps, {
      source: `upload:${uploadId}:${row}`,
    });
    const hasError = out.errors.some((e) => e.severity === 'E');
    const allDuplicates = out.counts.doses > 0 && out.counts.duplicate === out.counts.doses;
    results.push({
      vax_event_id: out.eventIds.join(' ') || null,
      status: allDuplicates ? 'duplicate' : out.ackCode !== 'AR' && !hasError ? 'accepted' : 'rejected',
      issues: hl7ErrorsToFindings(out.errors),
    });
    rejections.push(...out.rejections);
    row++;
  }
  return { results, rejections };
}
