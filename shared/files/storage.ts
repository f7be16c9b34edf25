import type { Readable } from 'node:stream';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { requiredEnv } from '#platform/aws/env.ts';
import { s3 } from '#platform/aws/s3.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';

/**
 * The drop bucket's layout: sites write only under incoming/ (the only prefix that notifies); the pipeline
 * writes plans and parts under work/ and answers under results/, so nothing it writes re-triggers it.
 */
export const bucket = () => requiredEnv(BUCKET_ENV.drop);
export const INCOMING = 'incoming/';
export const incomingKey = (iisId: string, uploadId: string, name: string) =>
  `${INCOMING}${iisId}/${uploadId}/${name}`;
export const planKey = (uploadId: string) => `work/${uploadId}/plan.json`;
export const partKey = (uploadId: string, n: number) =>
  `work/${uploadId}/parts/${String(n).padStart(5, '0')}.csv`;
export const resultsKey = (iisId: string, name: string) => `results/${iisId}/${name}.results.csv`;
export const summaryKey = (iisId: string, name: string) => `results/${iisId}/${name}.summary.json`;

/**
 * The object's bytes as a stream, or a byte range [start, end) of them; of one version when given (the
 * bucket is versioned in AWS, so a file overwritten after it was planned is never read in pieces of two).
 */
export async function readObject(
  key: string,
  range?: { start: number; end: number },
  versionId?: string,
): Promise<Readable> {
  const res = await s3.send(
    new GetObjectCommand({
      Bucket: bucket(),
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
      ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
    }),
  );
  return res.Body as Readable;
}

export async function readText(key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  return res.Body!.transformToString('utf8');
}

export async function headObject(
  key: string,
  versionId?: string,
): Promise<{ size: number; etag: string; versionId?: string } | undefined> {
  try {
    const res = await s3.send(
      new HeadObjectCommand({ Bucket: bucket(), Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    return {
      size: res.ContentLength ?? 0,
      etag: (res.ETag ?? '').replaceAll('"', ''),
      versionId: res.VersionId,
    };
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFound' || (err as { name?: string }).name === 'NoSuchKey')
      return undefined;
    throw err;
  }
}

/** Writes an object; answers its version id (undefined where the bucket is not versioned, as locally). */
export async function writeObject(
  key: string,
  body: string,
  contentType: string,
): Promise<string | undefined> {
  const res = await s3.send(
    new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body, ContentType: contentType }),
  );
  return res.VersionId;
}

/** Streams a large object in (multipart above 5 MB), so a 200,000-row results file is never held whole. */
export async function writeStream(
  key: string,
  body: Readable,
  contentType: string,
): Promise<string | undefined> {
  const res = await new Upload({
    client: s3,
    params: { Bucket: bucket(), Key: key, Body: body, ContentType: contentType },
  }).done();
  return res.VersionId;
}

export async function copyObject(
  from: string,
  to: string,
  fromVersion?: string,
): Promise<string | undefined> {
  const source = `${bucket()}/${encodeURIComponent(from).replaceAll('%2F', '/')}`;
  const res = await s3.send(
    new CopyObjectCommand({
      Bucket: bucket(),
      Key: to,
      CopySource: fromVersion ? `${source}?versionId=${encodeURIComponent(fromVersion)}` : source,
    }),
  );
  return res.VersionId;
}

/** A URL that lets its holder PUT exactly this key, for `expiresIn` seconds, with this content type. */
export async function presignPut(key: string, contentType: string, expiresIn: number): Promise<string> {
  return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket(), Key: key, ContentType: contentType }), {
    expiresIn,
  });
}

/**
 * A URL for one version of an object: results keep one path per file name, so a later file of the same name
 * must not replace what an earlier upload links to.
 */
export async function presignGet(key: string, expiresIn: number, versionId?: string): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: bucket(),
    Key: key,
    ...(versionId ? { VersionId: versionId } : {}),
  });
  return getSignedUrl(s3, command, { expiresIn });
}
