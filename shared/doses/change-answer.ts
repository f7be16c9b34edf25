import { HttpError, json, type Result } from '#platform/http/response.ts';
import type { ChangeOutcome } from './change.ts';
import { doseView, etag } from './dose-view.ts';

/** The HTTP answer to a PUT or DELETE of a dose: the new version with its ETag, or why there is none. */
export function changeAnswer(out: ChangeOutcome, id: string): Result {
  switch (out.kind) {
    case 'changed':
      return json(
        200,
        { ...doseView(out.version), status: out.version.action === 'D' ? 'deleted' : 'accepted' },
        {
          etag: etag(out.version.version),
        },
      );
    case 'unchanged':
      return json(
        200,
        { ...doseView(out.version), status: 'duplicate' },
        { etag: etag(out.version.version) },
      );
    case 'rejected':
      throw HttpError.withFindings(
        422,
        `The update of ${id} was rejected: fix the errors listed.`,
        out.issues,
        {
          status: 'rejected',
        },
      );
    case 'not-found':
    case 'forbidden':
      throw new HttpError(404, 'DOSE404', 'vax_event_id', `No dose ${id} is stored for this site.`);
    case 'gone':
      throw new HttpError(
        409,
        'DOSE410',
        'vax_event_id',
        `Dose ${id} was deleted (version ${out.version}); report a new event with a new vax_event_id.`,
      );
    case 'precondition-failed':
      throw new HttpError(
        412,
        'REQ412',
        'if-match',
        `Dose ${id} was changed since you read it${out.current ? ` (now version ${out.current})` : ''}. GET it again and re-apply your change.`,
      );
  }
}
