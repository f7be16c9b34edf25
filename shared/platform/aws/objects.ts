import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { requiredEnv } from './env.ts';
import { s3 } from './s3.ts';

/** Whole-object text reads and writes in one bucket, named by its topology env var. */
export interface ObjectStore {
  put(key: string, body: string, contentType: string): Promise<void>;
  get(key: string): Promise<string>;
  /** A URL its holder can GET the object with, for `expiresIn` seconds. */
  url(key: string, expiresIn: number): Promise<string>;
}

export function bucketStore(envVar: string): ObjectStore {
  return {
    async put(key, body, contentType) {
      await s3.send(
        new PutObjectCommand({ Bucket: requiredEnv(envVar), Key: key, Body: body, ContentType: contentType }),
      );
    },
    async get(key) {
      const res = await s3.send(new GetObjectCommand({ Bucket: requiredEnv(envVar), Key: key }));
      return res.Body!.transformToString('utf8');
    },
    url(key, expiresIn) {
      return getSignedUrl(s3, new GetObjectCommand({ Bucket: requiredEnv(envVar), Key: key }), { expiresIn });
    },
  };
}
