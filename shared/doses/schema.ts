import * as z from 'zod/mini';
import spec from '#codecs/cvrs/cvrs-spec.json' with { type: 'json' };
import { DOSE_FIELDS } from './fields.ts';
import { MAX_FIELD_LENGTH } from './normalize.ts';
import { REQUIREMENTS } from './requirements.ts';

/** Most doses one POST /v1/doses may carry. */
export const MAX_DOSES_PER_REQUEST = 1000;

const describe = (name: string): string => {
  if (name === 'iis_id')
    return "CAIR Org Code of the administering site. Defaults to the caller's site; a sending facility names its client site here.";
  const f = spec.find((s) => s.name === name);
  const req = REQUIREMENTS.find((r) => r.field === name);
  return f
    ? `${f.label}. ${f.description} Administered: ${req?.vaccination}; refusal: ${req?.refusal}. HL7: ${f.hl7}.`
    : name;
};

/** A field value: text, or a number for codes (CVX 207, admin_type 1); null or "" means absent. */
const value = (description: string) =>
  z
    .optional(z.nullable(z.union([z.string().check(z.maxLength(MAX_FIELD_LENGTH)), z.number()])))
    .register(z.globalRegistry, { description });

/** One dose as submitted: CVRS variable names, every field optional at this layer (the rules decide). */
export const DoseInput = z.looseObject(Object.fromEntries(DOSE_FIELDS.map((f) => [f, value(describe(f))])));

export const DoseBatch = z.object({
  doses: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1), z.maxLength(MAX_DOSES_PER_REQUEST)),
});

const FindingSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  field: z.string(),
  message: z.string(),
});

export const DoseResultSchema = z.object({
  vax_event_id: z.nullable(z.string()),
  status: z.enum(['accepted', 'rejected', 'duplicate']),
  version: z.optional(z.number()),
  issues: z.array(FindingSchema),
});

export const SubmitResponse = z.object({ results: z.array(DoseResultSchema) });
export const ErrorResponse = z.object({ message: z.string(), issues: z.array(FindingSchema) });
export { FindingSchema };
