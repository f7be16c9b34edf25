import spec from '#codecs/cvrs/cvrs-spec.json' with { type: 'json' };
import type { CvrsField } from './fields.ts';

/**
 * Which fields an administered or refused dose must carry, read from CDC's CVRS specification and adjusted for
 * intake of the identified model: CDC's "Set to Redacted" fields are real names and addresses here (first and
 * last name required; middle name, street and city not everyone has), and the extract fields `ext_type` and
 * `pprl_id` are optional on intake.
 */
export type Population = 'required' | 'if-known' | 'empty';

const OPTIONAL_ON_INTAKE: ReadonlySet<string> = new Set([
  'ext_type',
  'pprl_id',
  'recip_middle_name',
  'recip_address_street_2',
  // People without a fixed address still get vaccinated and must still be reported.
  'recip_address_street',
  'recip_address_city',
]);

function population(rule: string, field: string): Population {
  if (OPTIONAL_ON_INTAKE.has(field)) return 'if-known';
  if (/^Do not populate/i.test(rule)) return 'empty';
  if (/^Required if known/i.test(rule)) return 'if-known';
  if (/^Required/i.test(rule)) return 'required';
  return 'if-known';
}

export interface FieldRequirement {
  field: CvrsField;
  vaccination: Population;
  refusal: Population;
  label: string;
}

export const REQUIREMENTS: readonly FieldRequirement[] = spec.map((f) => ({
  field: f.name as CvrsField,
  vaccination: population(f.vaccination, f.name),
  refusal: population(f.refusal, f.name),
  label: f.label,
}));

export const REQUIRED_FOR_VACCINATION = REQUIREMENTS.filter((r) => r.vaccination === 'required').map(
  (r) => r.field,
);
export const REQUIRED_FOR_REFUSAL = REQUIREMENTS.filter((r) => r.refusal === 'required').map((r) => r.field);
export const EMPTY_FOR_REFUSAL = REQUIREMENTS.filter((r) => r.refusal === 'empty').map((r) => r.field);
