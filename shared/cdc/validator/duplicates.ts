/**
 * BUSR013's state, CDC's way: records keyed by upper-cased vax_event_id (a missing id counts as ""), and a
 * repeat flagged unless the earlier record's hash XOR its line equals this record's hash (commons-lang's
 * Pair.hashCode against CVRSExtract.hashCode), so an exact repeat of an earlier row is flagged too. The earlier
 * line named is the latest one with the id.
 *
 * Kept for speed over 200,000 ids: an open-addressing table of the latest record per key (several times faster
 * than a string-keyed Map); with the whole text in memory, a record's place in it instead of its hash and id,
 * both taken again only when its id repeats; streamed, hashes and ids kept as records arrive, so no text is.
 */
import { FIELDS, fieldIndex } from './fields.ts';
import type { CvrsValues } from './record.ts';

const VAX_EVENT_ID = fieldIndex('vax_event_id');

export class DuplicateIds {
  private readonly lazy: boolean;
  private readonly texts: string[] = [];
  private columns: Int16Array = new Int16Array(0);
  private weights: Int32Array = new Int32Array(0);
  /** No field is named twice in the header, so a line's hash can be taken from its text directly. */
  private lineHash = false;
  private idColumn = -1;
  private rec = {
    hash: new Int32Array(1024),
    hashed: new Uint8Array(1024),
    text: new Int32Array(1024),
    from: new Int32Array(1024),
    to: new Int32Array(1024),
  };
  private readonly unplaced = new Map<number, string | null>();
  private slots = new Int32Array(2048);
  private slotHash = new Int32Array(2048);
  /** Streamed: the ids by slot. With the text kept, ids are read again from their lines (see idOf). */
  private slotId: (string | null)[] = [];
  private used = 0;

  /** `lazy`: the caller keeps every text it passes to addText for as long as this lives. */
  constructor(lazy: boolean) {
    this.lazy = lazy;
    if (!lazy) this.slotId = new Array<string | null>(this.slots.length).fill(null);
  }

  /** The file's column → field map (-1 unbound). */
  setColumns(columns: Int16Array): void {
    this.columns = columns;
    const bound = columns.filter((f) => f >= 0);
    this.lineHash = new Set(bound).size === bound.length;
    this.weights = Int32Array.from(columns, (f) => (f >= 0 ? HASH_WEIGHTS[f]! : 0));
    this.idColumn = columns.lastIndexOf(VAX_EVENT_ID);
  }

  /** A piece of text whose lines will be placed next. */
  addText(text: string): void {
    if (this.lazy) this.texts.push(text);
  }

  /**
   * Record n, read from `buf`[from, to) (`plain`: split on TAB as it is) into `vals`. Returns the earlier
   * record BUSR013 names, or 0.
   */
  add(n: number, vals: CvrsValues, plain: boolean, buf: string, from: number, to: number): number {
    this.place(n, vals, plain, buf, from, to);
    const id = vals[VAX_EVENT_ID] ?? null;
    const h = upperHash(id);
    const i = this.slot(h, id);
    const before = this.slots[i]!;
    this.slots[i] = n;
    if (before === 0) {
      this.slotHash[i] = h;
      // A streamed text is not kept: a long id would keep its whole chunk alive, so it is copied out.
      if (!this.lazy) this.slotId[i] = id === null ? id : `${id} `.slice(0, -1);
      if (++this.used * 2 > this.slots.length) this.grow();
      return 0;
    }
    return (this.hashOf(before) ^ before) !== this.hashOf(n) ? before : 0;
  }

  /** CDC's record hash straight from a TAB-split line: each cell's String.hashCode times its field's weight. */
  private hashLine(buf: string, from: number, to: number): number {
    const w = this.weights;
    let acc = 0;
    let h = 0;
    let col = 0;
    for (let i = from; i < to; i++) {
      const c = buf.charCodeAt(i);
      if (c === 9) {
        acc = (acc + Math.imul(h, w[col]!)) | 0;
        h = 0;
        col++;
      } else h = (Math.imul(h, 31) + c) | 0;
    }
    acc = (acc + Math.imul(h, w[col]!)) | 0;
    return acc === 0 ? 31 : acc;
  }

  /** Where record n's hash comes from: its line in a kept text, or taken now. */
  private place(n: number, vals: CvrsValues, plain: boolean, buf: string, from: number, to: number): void {
    let r = this.rec;
    if (n >= r.hash.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      r = this.rec = {
        hash: grow(r.hash),
        hashed: grow(r.hashed),
        text: grow(r.text),
        from: grow(r.from),
        to: grow(r.to),
      };
    }
    if (plain && this.lazy && buf === this.texts.at(-1)) {
      r.text[n] = this.texts.length - 1;
      r.from[n] = from;
      r.to[n] = to;
      r.hashed[n] = 0;
    } else {
      r.text[n] = -1;
      r.hash[n] = plain && this.lineHash ? this.hashLine(buf, from, to) : hashValues(vals);
      r.hashed[n] = 1;
      if (this.lazy) this.unplaced.set(n, vals[VAX_EVENT_ID] ?? null);
    }
  }

  /** A plain line's values again, a field named twice taking its later cell as when it was read. */
  private valuesOf(cells: string[]): CvrsValues {
    const vals: CvrsValues = new Array<string | null>(FIELDS.length).fill(null);
    const columns = this.columns;
    for (let c = 0; c < columns.length; c++) if (columns[c]! >= 0) vals[columns[c]!] = cells[c]!;
    return vals;
  }

  /** Record n's vax_event_id, read again from its line when the text is kept (cheaper than keeping every id). */
  private idOf(n: number): string | null {
    const t = this.rec.text[n]!;
    if (t < 0) return this.unplaced.get(n) ?? null;
    if (this.idColumn < 0) return null;
    return this.texts[t]!.slice(this.rec.from[n], this.rec.to[n]).split('\t')[this.idColumn] ?? null;
  }

  private hashOf(n: number): number {
    const r = this.rec;
    if (!r.hashed[n]) {
      const text = this.texts[r.text[n]!]!;
      r.hash[n] = this.lineHash
        ? this.hashLine(text, r.from[n]!, r.to[n]!)
        : hashValues(this.valuesOf(text.slice(r.from[n], r.to[n]).split('\t')));
      r.hashed[n] = 1;
    }
    return r.hash[n]!;
  }

  /** The slot holding this id's key, or the empty slot where it goes. */
  private slot(h: number, id: string | null): number {
    const mask = this.slots.length - 1;
    let i = spread(h) & mask;
    for (;;) {
      const r = this.slots[i]!;
      if (r === 0) return i;
      if (this.slotHash[i] === h && sameKey(this.lazy ? this.idOf(r) : (this.slotId[i] ?? null), id))
        return i;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldHash = this.slotHash;
    const oldId = this.slotId;
    this.slots = new Int32Array(old.length * 2);
    this.slotHash = new Int32Array(old.length * 2);
    this.slotId = this.lazy ? [] : new Array<string | null>(old.length * 2).fill(null);
    const mask = this.slots.length - 1;
    for (let j = 0; j < old.length; j++) {
      if (old[j] === 0) continue;
      let i = spread(oldHash[j]!) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = old[j]!;
      this.slotHash[i] = oldHash[j]!;
      if (!this.lazy) this.slotId[i] = oldId[j] ?? null;
    }
  }
}

/** Scatters a String.hashCode over the table: ids that differ in their last digit have neighbouring hashes. */
const spread = (h: number): number => Math.imul(h ^ (h >>> 16), 0x45d9f3b) ^ (h >>> 13);

/** CDC's key for an id: upper-cased, a missing id being "". */
const sameKey = (a: string | null, b: string | null): boolean =>
  a === b || (a ?? '').toUpperCase() === (b ?? '').toUpperCase();

/** A hash of the upper-cased id, folding ASCII case inline (anything else goes through toUpperCase). */
function upperHash(id: string | null): number {
  if (id === null) return 0;
  let h = 0;
  for (let i = 0; i < id.length; i++) {
    let c = id.charCodeAt(i);
    if (c >= 0x80) return javaHash(id.toUpperCase());
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h;
}

/**
 * CVRSExtract.hashCode: for each of the 47 fields in order, add the value's String.hashCode and multiply by 31,
 * in int arithmetic (0 becomes 31). Unrolled, field i is weighted by 31^(47 - i), which lets a line be hashed
 * cell by cell in any column order.
 */
const HASH_WEIGHTS: Int32Array = (() => {
  const w = new Int32Array(FIELDS.length);
  let p = 1;
  for (let i = FIELDS.length - 1; i >= 0; i--) {
    p = Math.imul(p, 31);
    w[i] = p;
  }
  return w;
})();

function javaHash(s: string | null): number {
  let h = 0;
  if (s !== null) for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function hashValues(vals: CvrsValues): number {
  let acc = 0;
  for (let i = 0; i < FIELDS.length; i++)
    acc = (acc + Math.imul(javaHash(vals[i] ?? null), HASH_WEIGHTS[i]!)) | 0;
  return acc === 0 ? 31 : acc;
}
