/** The Clearinghouse stand-in's options, what it keeps of each file, its faults and its handle (./clearinghouse.ts). */
import type { Logger } from '../log.ts';

export interface ClearinghouseStandinOptions {
  /** Port on 127.0.0.1; 0 or omitted: a free one. */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** Lifetime of an issued token; default 900 s. */
  tokenTtlSeconds?: number;
  /** How long after its first issue a token can be refreshed; default 24 h. */
  refreshWindowSeconds?: number;
  /** Milliseconds since the epoch for issuing, expiring and refreshing tokens; default Date.now (tests move it). */
  clock?: () => number;
  /** Serve HTTPS and require a client certificate signed by `ca` (PEM strings). */
  tls?: { key: string; cert: string; ca: string; requireClientCert: true };
  /** Receives one line per request (no content). Silent by default. */
  logger?: Logger;
  /** The moment whose California date is "today" for the checks; default the clock. Tokens follow `clock`. */
  now?: () => Date;
}

export interface ReceivedFile {
  /** The receipt id answered. */
  id: string;
  fileName?: string;
  recordType?: string;
  /** `gzip`, or `identity` for a body sent as is. */
  contentEncoding: string;
  records: number;
  validationErrors: number;
  processingErrors: number;
  /** vax_event_id of every record line, in file order. */
  eventIds: string[];
  /** ISO 8601 time it was answered. */
  at: string;
}

export interface ClearinghouseFaults {
  /** The next `n` upload requests are answered with `status` and not processed. */
  failNext?: number;
  /** Status for `failNext`; default 500. */
  status?: number;
  /** Every token issued so far stops working (new tokens work). */
  expireTokens?: boolean;
}

export interface ClearinghouseStandin {
  /** `http://127.0.0.1:PORT`, or `https://` with `tls` (the API base: `/v0/...` follows). */
  url: string;
  /** Copies of the files answered with a receipt, oldest first. */
  received(): ReceivedFile[];
  /** Whether the stand-in holds a record with this vax_event_id (received and not deleted). */
  holds(vaxEventId: string): boolean;
  /** Token requests (`/v0/token/gen`) seen, granted or not. */
  tokenRequests(): number;
  /** Refresh requests (`/v0/token/refresh`) seen, granted or not. */
  refreshRequests(): number;
  setFaults(f: ClearinghouseFaults): void;
  clearFaults(): void;
  stop(): Promise<void>;
}
