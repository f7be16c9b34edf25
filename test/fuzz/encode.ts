/**
 * Issue 18's encode invariant: every dose intake accepts goes out in every outbound format. For one stored
 * dose: the VXU for each registry (shared/hl7 encoder), its SOAP envelope (shared/soap), the CDC CVRS line
 * (shared/cdc) and a results CSV row (shared/files) are built, and each reads back as written.
 */
import { parse } from 'csv-parse/sync';
import { OpenCsvParser } from '#cdc/validator/opencsv.ts';
import { cvrsLine, cvrsRecord } from '#codecs/cvrs/file.ts';
import { buildVxu, parseVxu } from '#codecs/hl7/index.ts';
import { buildSubmitSingleMessageRequest, parseSoapRequest } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { resultRows } from '#files/results.ts';
import type { Finding } from '#platform/findings.ts';
import { REGISTRIES } from '#registry/config.ts';
import { vxuFor } from '#registry/vxu-input.ts';

const NOW = new Date('2021-03-12T18:00:00Z');

/** What failed to encode or read back, in words (empty: every format carries the dose). */
export function encodeProblems(dose: Dose, issues: readonly Finding[] = []): string[] {
  const problems: string[] = [];
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      problems.push(`${what}: ${(err as Error).name}: ${String((err as Error).message).slice(0, 200)}`);
    }
  };
  for (const [name, config] of Object.entries(REGISTRIES)) {
    let hl7 = '';
    attempt(`VXU for ${name}`, () => {
      hl7 = buildVxu(
        vxuFor({ dose, action: 'A', config, facilityID: 'FAC', messageControlId: 'M1', sentAt: NOW }),
      );
      const back = parseVxu(hl7);
      if (back.doses.length !== 1) throw new Error(`read back as ${back.doses.length} doses`);
      for (const f of ['recip_first_name', 'recip_last_name', 'recip_address_street'] as const)
        if ((back.doses[0]!.dose[f] ?? undefined) !== (dose[f] ?? undefined))
          throw new Error(`${f} read back differently`);
    });
    if (!hl7) continue;
    attempt(`SOAP envelope for ${name}`, () => {
      const envelope = buildSubmitSingleMessageRequest({
        username: 'u',
        password: 'p',
        facilityID: 'FAC',
        hl7Message: hl7,
      });
      const req = parseSoapRequest(envelope);
      if (req.operation !== 'submitSingleMessage' || req.hl7Message !== hl7)
        throw new Error('the envelope does not read back as the VXU');
    });
  }
  attempt('CVRS line', () => {
    const record = cvrsRecord(dose, 'fuzz-secret');
    const cells = OpenCsvParser.tab().parseLine(cvrsLine(record));
    if (JSON.stringify(cells) !== JSON.stringify(record))
      throw new Error('the line does not split into its cells');
  });
  attempt('results CSV row', () => {
    const rows: string[][] = parse(
      resultRows(2, [{ vax_event_id: dose.vax_event_id, status: 'accepted', issues }]),
    );
    if (rows.length !== 1 || rows[0]!.length !== 5) throw new Error(`read back as ${rows.length} rows`);
  });
  return problems;
}
