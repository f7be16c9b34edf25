import { describe, expect, it } from 'vitest';
import { isHl7File, splitHl7Messages } from '#cdc/validator/hl7.ts';
import { fixture, MSH } from './hl7-messages.ts';

describe('splitHl7Messages: how CDC cuts an .hl7 file', () => {
  it("numbers testgood.hl7's 33 messages 1..33, as CDC's report does, whatever lines they span", () => {
    const messages = splitHl7Messages(fixture('testgood.hl7'));
    expect(messages).toHaveLength(33);
    expect(messages.map((m) => m.line)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    // The file mixes CR, CRLF and blank lines: the 4th message starts on line 22 of the file.
    expect(messages.slice(0, 4).map((m) => m.firstLine)).toEqual([1, 8, 15, 22]);
    for (const m of messages) expect(m.message.startsWith('MSH|')).toBe(true);
  });

  it('drops batch envelopes and stray lines, and starts a message at any line beginning MSH', () => {
    const text = [
      'FHS|^~\\&',
      'BHS|^~\\&',
      'junk before',
      MSH,
      'PID|||1',
      'BTS|1',
      'MSHX|not a pipe',
      'FTS|1',
    ].join('\n');
    const messages = splitHl7Messages(text);
    expect(messages.map((m) => [m.line, m.firstLine])).toEqual([
      [1, 4],
      [2, 7],
    ]);
    expect(messages[0]!.message).toBe(`${MSH}\rPID|||1\r`);
    expect(messages[1]!.message).toBe('MSHX|not a pipe\r');
  });

  it('keeps blank lines inside a message, which HAPI then skips', () => {
    const [only] = splitHl7Messages(`${MSH}\r\n\r\nPID|||1\r\n`);
    expect(only!.message).toBe(`${MSH}\r\rPID|||1\r`);
  });

  it('tells an HL7 file from a CVRS text file by its first line, after a byte order mark', () => {
    expect(isHl7File(`\uFEFF${MSH}\r`)).toBe(true);
    expect(isHl7File('BHS|^~\\&\r')).toBe(true);
    expect(isHl7File('vax_event_id\text_type\n')).toBe(false);
  });
});
