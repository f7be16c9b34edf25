import { bucketStore, type ObjectStore } from '#platform/aws/objects.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';

/**
 * The audit bucket keeps every CDC file as sent, its receipt and the day's held-back list, under
 * `cdc/<day>/` (encrypted with the stack's key, versioned, kept six years).
 */
export const auditKey = (day: string, name: string) => `cdc/${day}/${name}`;

export type AuditStore = ObjectStore;

export const s3Audit: AuditStore = bucketStore(BUCKET_ENV.audit);
