/** The registry stand-in's options, fault modes and what it keeps (./registry.ts starts one). */
import type { AckCode, Hl7Error } from '#codecs/hl7/index.ts';
import type { Logger } from '../log.ts';
import type { ReceivedDose } from './registry-ack.ts';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** When set, a request must name this facilityID too (another facility's credentials are refused). */
  facilityID?: string;
}

export interface RegistryStandinOptions {
  /** `CAIR2`, `RIDE`, `SDIR`, or any name; it appears in log lines and as the ACK's MSH-3 when MSH-5 is empty. */
  name: string;
  /** Port on 127.0.0.1; 0 or omitted: a free one. */
  port?: number;
  credentials: RegistryCredentials;
  /** MSH-6 this registry answers to (e.g. `CAIRBA`); a message naming another is rejected (AR). */
  expectedReceivingFacility?: string;
  /** Largest HL7 message accepted (UTF-8 bytes) before a MessageTooLargeFault; default 1 MiB. */
  maxMessageBytes?: number;
  /** Messages kept for `received()`, oldest dropped first; default 10,000. */
  keep?: number;
  /** Zone of the ACK's MSH-7; California by default. */
  timeZone?: string;
  /** Receives one line per request (no content). Silent by default. */
  logger?: Logger;
}

/**
 * Faults the stand-in plays, applied to every SOAP POST in this order: `latencyMs`, then `timeout`, then a
 * pending `failNext`, then `http500`, then `securityFault`; `wrongMsa2` changes only the ACK of a message it
 * answers. The WSDL and `/_standin/*` are never faulted.
 */
export interface FaultMode {
  /** Waits this long before handling the request; a client that gives up first leaves nothing received. */
  latencyMs?: number;
  /** HTTP 500: `true` or `'soap'` with a SOAP generic Receiver fault, `'plain'` with a text body. */
  http500?: boolean | 'soap' | 'plain';
  /** Never answers, until the faults are cleared (the request then goes on) or the client closes the socket. */
  timeout?: boolean;
  /** A SecurityFault for every request, whatever the credentials. */
  securityFault?: boolean;
  /**
   * Judges each message as usual but names another message in the ACK's MSA-2 (the latest one received with
   * another ID, or an unknown ID), as a registry that mixes up its answers would: the client must not take it
   * for its own.
   */
  wrongMsa2?: boolean;
}

export interface RegistryFaults {
  /** Replaces the whole fault mode (a pending `failNext` count is kept). */
  set(mode: FaultMode): void;
  /** No faults, no pending `failNext`; requests held by `timeout` go on and are answered. */
  clear(): void;
  /** The next `n` SOAP requests answer HTTP 500 (a Receiver fault, or a plain body), then it recovers. */
  failNext(n: number, body?: 'soap' | 'plain'): void;
  /** The mode in force and the `failNext` requests still to fail. */
  current(): FaultMode & { failNext: number };
}

export interface ReceivedMessage {
  /** ISO 8601 time it was answered. */
  at: string;
  facilityID: string;
  /** The HL7 message as received (patient data: do not log). */
  hl7: string;
  parsed: { messageControlId: string; doses: ReceivedDose[] };
  /** The ERR segments of the ACK, as the stand-in meant them. */
  errors: Hl7Error[];
  ack: string;
  ackCode: AckCode;
}

/** One SOAP request and how it ended, without content: enough to count attempts and retries. */
export interface RegistryRequest {
  at: string;
  operation: 'submitSingleMessage' | 'connectivityTest' | 'unknown' | 'unreadable';
  /** HTTP status answered; 0 when the client went away first. */
  status: number;
  /** `AA`/`AE`/`AR`, `echo`, a CDC fault name, `http500`, `unsupported-media-type`, or `client-closed`. */
  outcome: string;
}

export interface RegistryStandin {
  name: string;
  /** `http://127.0.0.1:PORT/iis` */
  endpoint: string;
  port: number;
  /** Copies of every message answered with an ACK (AA, AE and AR alike), oldest first. */
  received(): ReceivedMessage[];
  /** Copies of the log of SOAP requests, oldest first (kept as long as `received`). */
  requests(): RegistryRequest[];
  /** Forgets what was received and the request log. */
  clearReceived(): void;
  faults: RegistryFaults;
  stop(): Promise<void>;
}
