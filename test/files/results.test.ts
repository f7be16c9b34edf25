import { describe, expect, it } from 'vitest';
import { neutralize, resultRows } from '#files/results.ts';

describe('results', () => {
  it('neutralizes spreadsheet formulas in cells taken from the file', () => {
    expect(neutralize('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutralize('+1')).toBe("'+1");
    expect(neutralize('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralize('E-1')).toBe('E-1');
    expect(neutralize(' =1+1')).toBe("' =1+1");
    expect(neutralize('\n@x')).toBe("'\n@x");
    expect(neutralize('＝cmd')).toBe("'＝cmd");
    const line = resultRows(2, [{ vax_event_id: '=cmd', status: 'rejected', issues: [] }]);
    expect(line).toBe("2,'=cmd,rejected,,\n");
  });
});
