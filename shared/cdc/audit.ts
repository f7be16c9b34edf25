import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../clients/s3.ts';
import { requiredEnv } from '../clients/env.ts';

/**
 * The audit bucket keeps every CDC file as sent, its receipt and the day's held-back list, under
 * `cdc/<day>/` (encrypted with the stack's key, versioned, kept six years).
 */
const bucket = () => requiredEnv('AUDIT_BUCKET');

export const auditKey = (day: string, name: string) => `cdc/${day}/${name}`;

export interface AuditStore {
  put(key: string, body: string, contentType: string): Promise<void>;
  get(key: string): Promise<string>;
}

export const s3Audit: AuditStore = {
  async put(key, body, contentType) {
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body, ContentType: contentType }));
  },
  async get(key) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
    return res.Body!.transformToString('utf8');
  },
};
