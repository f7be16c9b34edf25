import { parseQbp } from '#codecs/hl7/qbp.ts';
import { buildRsp, type RspAnswer } from '#codecs/hl7/rsp.ts';
import { loadRecord, searchPerson } from './record.ts';
import { logAccess } from './store.ts';

/**
 * The IIS query over SOAP (issue 14): a site's QBP^Q11 (Z34 or Z44) answered with RSP^K11. One person
 * identified → the record; several possible → TM (never a candidate list); nobody → NF. Every query is logged
 * before it is answered, a malformed one too. Another site's event IDs are not sent (ORC-3 names the site
 * only), as the API leaves them out.
 */
export async function answerQbp(
  hl7: string,
  iisId: string,
  now: Date,
): Promise<{ rsp: string; outcome: string }> {
  const parsed = parseQbp(hl7, { iisId });
  const controlId = `RSP${now.getTime().toString(36).toUpperCase()}`;
  let answer: RspAnswer;
  let what = 'qbp';
  let persons: string[] = [];
  if (!parsed.ok) {
    answer = { kind: 'error', errors: parsed.errors };
  } else {
    what = `qbp-${parsed.query.profile.toLowerCase()}`;
    const found = await searchPerson(parsed.query.query);
    const record = found.kind === 'one' ? await loadRecord(found.person_id) : undefined;
    if (record) {
      persons = [record.person_id];
      const { first, middle, last, dob, sex, street, city, state, zip } = record.latest;
      answer = {
        kind: 'record',
        person: {
          person_id: record.person_id,
          demographics: { first, middle, last, dob, sex, street, city, state, zip },
          doses: record.doses.map((d) => (d.iis_id === iisId ? d : { ...d, vax_event_id: '' })),
          ...(parsed.query.profile === 'Z44' ? { forecast: record.forecast } : {}),
        },
      };
    } else answer = found.kind === 'several' ? { kind: 'too-many' } : { kind: 'none' };
  }
  const outcome = answer.kind === 'record' ? 'one' : answer.kind === 'too-many' ? 'several' : answer.kind;
  await logAccess({ at: now.toISOString(), who: iisId, via: 'soap', what, outcome, persons });
  const query = parsed.ok
    ? parsed.query
    : {
        header: parsed.header ?? { messageControlId: '' },
        ...(parsed.queryTag ? { queryTag: parsed.queryTag } : {}),
        ...(parsed.qpdText ? { qpdText: parsed.qpdText } : {}),
      };
  return { rsp: buildRsp({ query, answer, controlId, sentAt: now }), outcome };
}
