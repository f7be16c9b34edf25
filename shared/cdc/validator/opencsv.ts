/**
 * How CDC's validator splits lines into cells: OpenCSV 5's CSVParser and CSVReader, with the two settings CDC
 * uses. A file whose first line has a TAB: TAB-separated, no quote or escape character (OpenCSV's NUL
 * "none" still acts as an escape: a NUL is dropped, and NUL before a TAB or NUL keeps that char in the cell).
 * Otherwise: comma-separated with OpenCSV's defaults (quotes, backslash escapes, quoted cells spanning up to
 * ten lines).
 */

/** Thrown where CDC's tool stops with an exception instead of writing a report. */
export class CdcValidatorStopped extends Error {
  override name = 'CdcValidatorStopped';
}

const NUL = '\0';

/** Java's Character.isWhitespace (space separators except no-break ones, and the ASCII controls it names). */
function isJavaWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a && c !== 0x2007) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x205f ||
    c === 0x3000
  );
}

const allJavaWhitespace = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (!isJavaWhitespace(s.charCodeAt(i))) return false;
  return true;
};

export class OpenCsvParser {
  private pending: string | null = null;
  private inField = false;
  /** The last line was split on TAB as it is (no NUL), so its text is its cells joined by TAB. */
  plain = false;

  private readonly separator: string;
  private readonly quote: string;
  private readonly escape: string;
  private readonly ignoreLeadingWhiteSpace: boolean;
  private readonly ignoreQuotations: boolean;

  constructor(
    separator: string,
    quote: string,
    esc: string,
    ignoreLeadingWhiteSpace: boolean,
    ignoreQuotations: boolean,
  ) {
    this.separator = separator;
    this.quote = quote;
    this.escape = esc;
    this.ignoreLeadingWhiteSpace = ignoreLeadingWhiteSpace;
    this.ignoreQuotations = ignoreQuotations;
  }

  static tab(): OpenCsvParser {
    return new OpenCsvParser('\t', NUL, NUL, false, true);
  }

  static comma(): OpenCsvParser {
    return new OpenCsvParser(',', '"', '\\', true, false);
  }

  get isPending(): boolean {
    return this.pending !== null;
  }

  get pendingText(): string {
    return this.pending ?? '';
  }

  /**
   * The cells of one line; with a quoted cell left open, the cells before it (the rest waits for more lines).
   * `noNul`: the caller knows the line has no NUL (one search per chunk instead of one per line).
   */
  parseLine(line: string, noNul = false): string[] {
    this.plain = this.separator === '\t' && (noNul || !line.includes(NUL));
    if (this.plain) {
      this.inField = false;
      return line.split('\t');
    }
    const cells: string[] = [];
    let out = '';
    let inQuotes = false;
    if (this.pending !== null) {
      out = this.pending;
      this.pending = null;
      inQuotes = !this.ignoreQuotations;
    }
    const quoted = () => (inQuotes && !this.ignoreQuotations) || this.inField;
    let i = 0;
    while (i < line.length) {
      const c = line[i++]!;
      if (c === this.escape) {
        this.inField = true;
        const next = line[i];
        if (
          quoted() &&
          next !== undefined &&
          (next === this.quote || next === this.escape || next === this.separator)
        ) {
          out += next;
          i++;
        }
      } else if (c === this.quote) {
        if (quoted() && line[i] === this.quote) {
          out += line[i];
          i++;
        } else {
          inQuotes = !inQuotes;
          // A quote in the middle of a cell (a,bc"d"ef,g) is kept; one that opens or closes a cell is not.
          if (i > 3 && line[i - 2] !== this.separator && line.length > i && line[i] !== this.separator) {
            if (this.ignoreLeadingWhiteSpace && out !== '' && allJavaWhitespace(out)) out = '';
            else out += c;
          }
        }
        this.inField = !this.inField;
      } else if (c === this.separator && !(inQuotes && !this.ignoreQuotations)) {
        cells.push(out);
        out = '';
        this.inField = false;
      } else {
        out += c;
        this.inField = true;
      }
    }
    if (inQuotes && !this.ignoreQuotations) {
      this.pending = `${out}\n`;
      return cells;
    }
    this.inField = false;
    cells.push(out);
    return cells;
  }
}

/** OpenCSV's CSVReader.readNext over lines: joins a record's lines while a quoted cell is open. */
export class OpenCsvRecords {
  private cells: string[] | null = null;
  private lines = 0;

  private readonly parser: OpenCsvParser;
  private readonly multilineLimit: number;

  constructor(parser: OpenCsvParser, multilineLimit: number) {
    this.parser = parser;
    this.multilineLimit = multilineLimit;
  }

  /** The record last returned is one plain TAB-split line. */
  get plain(): boolean {
    return this.parser.plain;
  }

  /** The record this line completes, if it does. */
  push(line: string, noNul = false): string[] | undefined {
    this.lines++;
    if (this.multilineLimit > 0 && this.lines > this.multilineLimit)
      throw new CdcValidatorStopped(
        `Multiline limit of ${this.multilineLimit} exceeded: OpenCSV stops reading (text: ${this.parser.pendingText.slice(0, 100)})`,
      );
    const r = this.parser.parseLine(line, noNul);
    if (r.length > 0) this.cells = this.cells ? this.cells.concat(r) : r;
    if (this.parser.isPending) return undefined;
    const done = this.cells ?? [];
    this.cells = null;
    this.lines = 0;
    return done;
  }

  end(): void {
    if (this.parser.isPending)
      throw new CdcValidatorStopped(
        `Unterminated quoted field at end of CSV line. Beginning of lost text: [${this.parser.pendingText.slice(0, 100)}]`,
      );
  }
}
