import { Readable } from 'node:stream';

/** The bytes as a stream of `pieces` about equal pieces, as S3 may hand them over. */
export const stream = (text: string | Buffer, pieces = 3) => {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const size = Math.ceil(buf.length / pieces) || 1;
  return Readable.from(
    Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size)),
  );
};
