/** Pieces of OpenAPI operations the endpoint declarations share (shared/<capability>/endpoints.ts). */
import { ID_MAX_BYTES } from './identifiers.ts';

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const jsonContent = (name: string) => ({ 'application/json': { schema: ref(name) } });
export const error = (description: string) => ({ description, content: jsonContent('Error') });
export const jsonBody = (name: string) => ({ required: true, content: jsonContent(name) });

/** Identifiers are at most this many bytes (UTF-8; they are ASCII, so characters); longer is 400 REQ009. */
export const idSchema = (field: keyof typeof ID_MAX_BYTES, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  minLength: 1,
  maxLength: ID_MAX_BYTES[field],
  ...extra,
});

export const eventIdParam = {
  name: 'vax_event_id',
  in: 'path',
  required: true,
  description: `At most ${ID_MAX_BYTES.vax_event_id} characters (printable ASCII); a longer one is 400 REQ009.`,
  schema: idSchema('vax_event_id'),
};

export const siteParam = {
  name: 'iis_id',
  in: 'query',
  required: false,
  description: `A client site of the caller (sending facilities only); defaults to the caller's site. A CAIR Org Code: at most ${ID_MAX_BYTES.iis_id} characters; longer is 400 REQ009.`,
  schema: idSchema('iis_id', { pattern: '^[A-Za-z0-9-]{1,20}$' }),
};

export const sitePathParam = { ...siteParam, in: 'path', required: true, description: 'The CAIR Org Code.' };

export const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: true,
  description:
    'ETag of the version being changed (e.g. "3"), a list of ETags (any may match), or * for the current version. Weak or unknown tags never match (412); a value that is not an ETag list is 400.',
  schema: { type: 'string' },
};
