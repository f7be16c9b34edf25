/**
 * Sets this process's wall clock `offsetMs` away (Date only; timers and performance.now are untouched) until the
 * returned function puts it back. For bench children that need records stored on a day that has ended.
 */
export function shiftClock(offsetMs: number): () => void {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [number]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}
