import { requiredEnv } from '#platform/aws/env.ts';

/** The stock table (its layout: store.ts). */
export const table = () => requiredEnv('STOCK_TABLE');
