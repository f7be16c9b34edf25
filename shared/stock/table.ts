import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';

/** The stock table (its layout: store.ts). */
export const table = () => requiredEnv(TABLE_ENV.stock);
