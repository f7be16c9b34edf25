import type { Finding } from '#platform/findings.ts';

/** A request refused with every finding (400), as a rejected enrollment or dose update answers. */
export class Invalid extends Error {
  readonly issues: Finding[];
  override readonly name = 'Invalid';
  constructor(message: string, issues: Finding[]) {
    super(message);
    this.issues = issues;
  }
}
