/**
 * (f) CDC's extract validator (shared/cdc/validator): validateCvrsText on the files target's CVRS and CSV files
 * (v1 and v2, hostile as they are there), and validateHl7Text on the hl7 target's messages, with both reports
 * written. Invariant: cdc.no-crash (a result, or CDC's own stop: CdcValidatorStopped, CdcHl7Input).
 */
import fc from 'fast-check';
import { validateHl7Text } from '#cdc/validator/hl7.ts';
import {
  CdcHl7Input,
  CdcValidatorStopped,
  formatJsonReport,
  formatTextReport,
  validateCvrsText,
} from '#cdc/validator/index.ts';
import { fileBytes } from './files-bytes.ts';
import { type FileInput, fileInput } from './files-input.ts';
import { bump, type FuzzContext, type FuzzTarget, noCrash } from './harness.ts';
import { type Hl7Input, hl7Input, hl7Text } from './hl7.ts';

export type CdcInput =
  | { kind: 'cvrs'; file: FileInput; version: '1' | '2' }
  | { kind: 'hl7'; message: Hl7Input; count: number; defaults: boolean };

const cdcInput: fc.Arbitrary<CdcInput> = fc.oneof(
  fc.record({
    kind: fc.constant('cvrs' as const),
    file: fileInput,
    version: fc.constantFrom('1' as const, '2' as const),
  }),
  fc.record({
    kind: fc.constant('hl7' as const),
    message: hl7Input,
    count: fc.integer({ min: 1, max: 3 }),
    defaults: fc.boolean(),
  }),
);

async function check(input: CdcInput, ctx: FuzzContext): Promise<void> {
  await noCrash(ctx, 'cdc.no-crash', () => {
    try {
      const result =
        input.kind === 'cvrs'
          ? validateCvrsText(fileBytes(input.file).bytes, { version: input.version, today: '2021-03-12' })
          : validateHl7Text(
              Array.from({ length: input.count }, (_, i) => hl7Text(input.message, `FZC-${i}`)).join(''),
              {
                today: '2021-03-12',
                defaults: input.defaults,
              },
            );
      formatTextReport('fuzz.txt', result);
      formatJsonReport('fuzz.txt', result);
      bump(ctx, 'reports');
    } catch (err) {
      if (!(err instanceof CdcValidatorStopped) && !(err instanceof CdcHl7Input)) throw err;
      bump(ctx, 'stopped');
    }
  });
}

export const cdcTarget: FuzzTarget<CdcInput> = {
  name: 'cdc',
  covers:
    "validateCvrsText / validateHl7Text (shared/cdc/validator, CDC's extract validator) and its text and JSON reports",
  arbitrary: cdcInput,
  check,
};
