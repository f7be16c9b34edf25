/**
 * Why doses were lost. The category follows domain.md: expired/spoiled (the vaccine became non-viable) apart
 * from wasted (viable vaccine not given). VTrckS's exact reason strings are unconfirmed, so these are our own
 * stable codes; "other" needs a text.
 */
export type LossCategory = 'expired-spoiled' | 'wasted';

export const WASTAGE_REASONS = {
  expired: { category: 'expired-spoiled', label: 'Expired (past the manufacturer expiration)' },
  'past-beyond-use-date': {
    category: 'expired-spoiled',
    label: 'Past its beyond-use date (after thaw or puncture)',
  },
  'temperature-too-warm': { category: 'expired-spoiled', label: 'Temperature excursion: too warm' },
  'temperature-too-cold': { category: 'expired-spoiled', label: 'Temperature excursion: too cold' },
  'power-outage-or-disaster': { category: 'expired-spoiled', label: 'Power outage or natural disaster' },
  'failure-to-store-on-receipt': { category: 'expired-spoiled', label: 'Not stored properly on receipt' },
  'spoiled-in-transit': { category: 'expired-spoiled', label: 'Spoiled in transit' },
  'mechanical-failure': {
    category: 'expired-spoiled',
    label: 'Mechanical failure (refrigerator or freezer)',
  },
  recall: { category: 'expired-spoiled', label: 'Recalled by the manufacturer' },
  'drawn-not-administered': { category: 'wasted', label: 'Drawn into a syringe but not administered' },
  'open-vial-not-all-used': { category: 'wasted', label: 'Open multi-dose vial: not all doses used' },
  'extra-dose-not-obtainable': { category: 'wasted', label: 'Labelled extra dose could not be drawn' },
  'broken-or-dropped': { category: 'wasted', label: 'Vial or syringe broken or dropped' },
  'lost-or-unaccounted': { category: 'wasted', label: 'Lost or unaccounted for' },
  other: { category: 'wasted', label: 'Other (explain in reason_text)' },
} as const satisfies Record<string, { category: LossCategory; label: string }>;

export type WastageReason = keyof typeof WASTAGE_REASONS;
export const REASON_CODES = Object.keys(WASTAGE_REASONS) as WastageReason[];

export function isReason(code: string): code is WastageReason {
  return Object.hasOwn(WASTAGE_REASONS, code);
}
