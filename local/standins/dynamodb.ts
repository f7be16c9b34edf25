/**
 * DynamoDB stand-in: dynalite on 127.0.0.1, persisted in LevelDB under `dir`, or in memory without one.
 * Not supported by dynalite: transactions, PartiQL, UpdateTimeToLive, Streams (see local-stack.md).
 */
import { mkdirSync } from 'node:fs';
import dynalite from 'dynalite';
import { listenLoopback } from '../listen.ts';

export interface DynamoStandin {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startDynamo(options: { dir?: string; port?: number } = {}): Promise<DynamoStandin> {
  if (options.dir) mkdirSync(options.dir, { recursive: true });
  const server = dynalite({
    ...(options.dir ? { path: options.dir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await listenLoopback(server, options.port ?? 0);
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        // dynalite's close waits for open connections and then closes LevelDB; idle keep-alive sockets of SDK
        // clients would hold it open, so drop them first.
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      });
      return stopped;
    },
  };
}
