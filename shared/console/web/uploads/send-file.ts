/**
 * Sending a file as the API's integrations do (docs/files.md): `POST /v1/uploads` for a presigned URL, then a
 * PUT of the file straight to S3 (never through the API: files reach 500 MB), with progress from the browser's
 * upload events. fetch() reports no upload progress, hence XMLHttpRequest.
 */
import { apiSend } from '../api.ts';
import { holdFile } from './held-files.ts';

interface UploadUrl {
  upload_id: string;
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
}

export class UploadRefused extends Error {}

/** The Content-Type the API accepts for a file name (it checks again). */
export function contentTypeOf(name: string): string {
  if (/\.(tsv|tab)$/i.test(name)) return 'text/tab-separated-values';
  if (/\.(txt|hl7)$/i.test(name)) return 'text/plain';
  return 'text/csv';
}

/** Sends `file` for `iisId`; `progress(sent, total)` as it goes; answers the upload's id once S3 has it. */
export async function sendFile(
  file: File,
  iisId: string,
  progress: (sent: number, total: number) => void,
): Promise<string> {
  const res = await apiSend<UploadUrl>('POST', '/v1/uploads', {
    name: file.name,
    iis_id: iisId,
    content_type: contentTypeOf(file.name),
  });
  if (!res.ok) throw new UploadRefused(res.issues[0]?.message ?? res.message);
  const { upload_id, url, headers } = res.body;
  await new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => progress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new UploadRefused(`The file store refused the file (HTTP ${xhr.status}). Try again.`));
    xhr.onerror = () =>
      reject(new UploadRefused('The file could not be sent: check the connection and try again.'));
    xhr.send(file);
  });
  progress(file.size, file.size);
  holdFile(upload_id, file);
  return upload_id;
}
