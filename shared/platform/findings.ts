/**
 * Every validation finding has a code, a severity, the field it is about and a message a person at a clinic
 * can act on. ERROR rejects the dose; WARNING and INFO accept it and are returned with it.
 *
 * Codes: where CDC's CVRS validator makes the same check, CDC's code with CDC's meaning, field and level
 * (REQD, DNTS, DATA, BUSR; read from the validator's source), so sites see what CDC would tell them. Where our
 * intake is deliberately more lenient than CDC (it reads 03/15/2021 and stores 2021-03-15), the same CDC code
 * comes as a warning. Checks of our own have codes of our own: DQ for registry data quality and the pipeline,
 * STK for vaccine accountability, FILE for whole files; they never reuse a CDC code.
 */
import { CDC_RULES } from './rules/cdc.ts';
import { PERSON_RULES } from './rules/persons.ts';
import { QUALITY_RULES } from './rules/quality.ts';
import { STOCK_RULES } from './rules/stock.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: string;
  severity: Severity;
  field: string;
  message: string;
}

export interface RuleInfo {
  severity: Severity;
  /** What the rule checks, for the generated rule list. */
  summary: string;
  source: 'CDC CVRS validator' | 'Registry data quality' | 'Pipeline';
  /** CDC's code for the same check, where CDC's validator makes it (and its level there if it differs). */
  cdc?: string;
}

/** Every rule's code, severity and summary (docs/rules.md is generated from this). */
export const RULES = {
  ...CDC_RULES,
  ...QUALITY_RULES,
  ...STOCK_RULES,
  ...PERSON_RULES,
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;

// What a finding may repeat of submitted text: kept beside the rules, in echo.ts.
export { echo, isNoncharacter, MAX_ECHO, shown } from './echo.ts';

/** A finding at its rule's severity, or at `severity` where intake is more lenient than CDC on this input. */
export function finding(code: RuleCode, field: string, message: string, severity?: Severity): Finding {
  return { code, severity: severity ?? RULES[code].severity, field, message };
}

export function hasError(findings: readonly Finding[]): boolean {
  for (const f of findings) if (f.severity === 'error') return true;
  return false;
}
