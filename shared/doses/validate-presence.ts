import { echo, type Finding, finding } from '#platform/findings.ts';
import { type Dose, IDENTIFYING_FIELDS } from './fields.ts';
import { EMPTY_FOR_REFUSAL, REQUIRED_FOR_REFUSAL, REQUIRED_FOR_VACCINATION } from './requirements.ts';

/** Fields CDC does not require but the registries do: people are matched by name. */
const REGISTRY_ONLY_REQUIRED: ReadonlySet<string> = new Set(['recip_first_name', 'recip_last_name']);
const DEIDENTIFIED_EXTRACTS: ReadonlySet<string> = new Set(['D', 'P']);

/** The fields a vaccination or a refusal must have (and a refusal must not), the extract fields and the IDs. */
export function checkPresence(
  dose: Partial<Dose>,
  refusal: boolean,
  out: Finding[],
  filledLater?: ReadonlySet<string>,
): void {
  const required = refusal ? REQUIRED_FOR_REFUSAL : REQUIRED_FOR_VACCINATION;
  const deidentified = dose.ext_type !== undefined && DEIDENTIFIED_EXTRACTS.has(dose.ext_type);
  for (const field of required) {
    if (dose[field] !== undefined || filledLater?.has(field)) continue;
    if (REGISTRY_ONLY_REQUIRED.has(field)) {
      // In a de-identified record CDC's DATA006 already says the name must be "Redacted".
      if (!deidentified)
        out.push(
          finding(
            'DQ027',
            field,
            `${field} is required: the registry matches people by name. Fill it in and send the dose again.`,
          ),
        );
    } else if (refusal)
      out.push(
        finding('REQD002', field, `${field} is required for a refusal. Fill it in and send the dose again.`),
      );
    else
      out.push(
        finding(
          'REQD001',
          field,
          `${field} is required for an administered dose. Fill it in and send the dose again.`,
        ),
      );
  }
  if (refusal) {
    for (const field of EMPTY_FOR_REFUSAL) {
      if (dose[field] !== undefined)
        out.push(
          finding(
            'DNTS002',
            field,
            `${field} must be empty when vax_refusal is YES: a refused vaccine has no product, lot, site, route or dose number.`,
          ),
        );
    }
  }
  checkExtract(dose, deidentified, out);
  checkIdentifiers(dose, out);
}

const WHITESPACE = /\s/;
const VTRCKS_PIN = /^[0-9A-Za-z]{0,6}$/;

/** CDC's formats for the patient ID and the VTrckS PIN (DATA005). */
function checkIdentifiers(dose: Partial<Dose>, out: Finding[]): void {
  // We send CDC a keyed hash of recip_id, never the ID itself, so a space in it only warns.
  if (dose.recip_id !== undefined && WHITESPACE.test(dose.recip_id))
    out.push(
      finding(
        'DATA005',
        'recip_id',
        'recip_id contains a space, which CDC would refuse; we send CDC a coded ID instead, so it is accepted.',
        'warning',
      ),
    );
  if (dose.vtrcks_prov_pin !== undefined && !VTRCKS_PIN.test(dose.vtrcks_prov_pin))
    out.push(
      finding(
        'DATA005',
        'vtrcks_prov_pin',
        'vtrcks_prov_pin must be the VTrckS PIN: up to 6 letters or digits.',
      ),
    );
}

/** The extract fields: ext_type, pprl_id only with P, and the Redacted model's literal "Redacted". */
function checkExtract(dose: Partial<Dose>, deidentified: boolean, out: Finding[]): void {
  const ext = dose.ext_type;
  if (ext !== undefined && !deidentified && ext !== 'I')
    out.push(finding('DATA005', 'ext_type', `ext_type ${echo(ext)} must be D, P or I (or left out).`));
  if (ext === 'P' && dose.pprl_id === undefined)
    out.push(finding('DATA004', 'pprl_id', 'ext_type is P, so CDC expects a pprl_id; we do not send one.'));
  else if (ext !== 'P' && dose.pprl_id !== undefined)
    out.push(
      finding(
        'DATA004',
        'pprl_id',
        'pprl_id is only for ext_type P; CDC would refuse it here. It is stored but never sent to CDC.',
      ),
    );
  if (!deidentified) return;
  for (const field of IDENTIFYING_FIELDS) {
    const v = dose[field];
    if (v === undefined || v.toUpperCase() !== 'REDACTED')
      out.push(
        finding(
          'DATA006',
          field,
          `ext_type is ${ext} (de-identified), so ${field} must be the word "Redacted"${v === undefined ? '; it is empty' : ''}.`,
        ),
      );
  }
}
