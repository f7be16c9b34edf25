import * as codes from '#codecs/codesets/index.ts';
import { type Finding, finding } from '#platform/findings.ts';
import { type Dose, NOT_ECHOED } from './fields.ts';

/** CDC's address rules, each with the recipient's code and the administering site's. */
const ADDRESSES = [
  {
    whose: 'the recipient',
    state: 'recip_address_state',
    county: 'recip_address_county',
    zip: 'recip_address_zip',
    countyInState: 'BUSR001',
    zipInState: 'BUSR003',
    zipNeedsState: 'BUSR007',
    zipNeedsCounty: 'BUSR009',
  },
  {
    whose: 'the administering site',
    state: 'admin_address_state',
    county: 'admin_address_county',
    zip: 'admin_address_zip',
    countyInState: 'BUSR002',
    zipInState: 'BUSR004',
    zipNeedsState: 'BUSR008',
    zipNeedsCounty: 'BUSR010',
  },
] as const;

/** Each address's ZIP, county and state must go together, for the recipient and the administering site. */
export function checkAddresses(dose: Partial<Dose>, out: Finding[], filledLater?: ReadonlySet<string>): void {
  for (const a of ADDRESSES) {
    const zip = dose[a.zip];
    const st = dose[a.state];
    const county = dose[a.county];
    if (zip && !st && !filledLater?.has(a.state))
      out.push(
        finding(
          a.zipNeedsState,
          a.zip,
          `${a.zip} is given, so CDC expects ${a.state} (${a.whose}'s state) too.`,
        ),
      );
    if (zip && !county && !filledLater?.has(a.county))
      out.push(
        finding(
          a.zipNeedsCounty,
          a.zip,
          `${a.zip} is given, so CDC expects ${a.county} (${a.whose}'s county FIPS code) too.`,
        ),
      );
    if (!st || !codes.state(st)) continue;
    const c = county ? codes.county(county) : undefined;
    // The recipient's county and ZIP are parts of an address: the message names the fields, not the codes.
    const mine = NOT_ECHOED.has(a.county);
    if (c && c.state !== st)
      out.push(
        finding(
          a.countyInState,
          a.county,
          mine
            ? `${a.county} is not a county of ${st} (${a.state}). Check the county code or the state.`
            : `County ${county} (${c.name}, ${c.state}) is not in ${st}. Check the county code or the state.`,
        ),
      );
    if (zip && !codes.zipInState(zip, st))
      out.push(
        finding(
          a.zipInState,
          a.zip,
          mine
            ? `${a.zip} is not a ZIP code of ${st} (${a.state}). Check the ZIP code or the state.`
            : `ZIP code ${zip} is not in ${st}. Check the ZIP code or the state.`,
        ),
      );
  }
}
