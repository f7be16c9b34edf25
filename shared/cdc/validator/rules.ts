/**
 * Every code CDC's validator emits when checking a CVRS text file, with the level, the summary description and
 * the Java message template CDC uses (Validator.java Messages, BeanValidator.java rules, the FMT_ texts).
 * REQD003, DNTS003 and BUSR006 arise only in CVRS v1. Defined by CDC but never emitted: DATA002 (only as
 * DATA006), DATA003, DNTS001; HL7_ codes come only from converting to HL7, which this validator does not do.
 */

export type CdcLevel = 'ERROR' | 'WARN';

export interface CdcRule {
  level: CdcLevel;
  description: string;
  template: string;
}

const FMT = 'There is an error in the file format.';
const rule = (description: string, template: string, level: CdcLevel = 'ERROR'): CdcRule => ({
  level,
  description,
  template,
});

export const CDC_RULES: Readonly<Record<string, CdcRule>> = {
  DATA001: rule('Date is not valid', '%1$s (%2$s) contains an invalid date, should match %3$s'),
  DATA004: rule('Should not be present', '%1$s (%2$s) should not be present'),
  DATA005: rule('Does not match expected format', '%1$s (%3$s) does not match the regular expression %2$s'),
  DATA006: rule('Does not contain expected value: REDACTED', '%1$s (%3$s) should contain value %2$s'),
  DATA007: rule(
    'Does not contain values from the expected value set',
    '%1$s (%4$s) is not in value set %2$s%3$s',
  ),
  DATA008: rule('Field exceeds maximum length', '%1$s (%2$s) exceeds maximum length %3$s'),
  DATA009: rule(
    'Date is not correctly formatted',
    '%1$s (%2$s) contains an incorrectly formatted date, should match %3$s',
  ),
  REQD001: rule('A required field is missing for Vaccination', '%1$s is required for Vaccination events'),
  REQD002: rule('A required field is missing for Refusal', '%1$s is required for Refusal events'),
  REQD003: rule(
    'A required field is missing for Missed Appointment',
    '%1$s is required for Missed Appointment events',
  ),
  DNTS002: rule(
    'A field is present that should not be for Refusal',
    '%1$s (%2$s) should not be present for Refusal events',
  ),
  DNTS003: rule(
    'A field is present that should not be for Missed Appointment',
    '%1$s (%2$s) should not be present for Missed Appointment events',
  ),
  BUSR001: rule(
    'recip_address_county in recip_address_state FIPS',
    '%s (%s) does not match %s (%s) for Recipient',
  ),
  BUSR002: rule(
    'admin_address_county in admin_address_state FIPS',
    '%s (%s) does not match %s (%s) for Vaccine Administrator',
  ),
  BUSR003: rule(
    'recip_address_zip in recip_address_state STATE',
    '%s (%s) does not match %s (%s) for Recipient',
  ),
  BUSR004: rule(
    'admin_address_zip in admin_address_state STATE',
    '%s (%s) does not match %s (%s) for Vaccine Administrator',
  ),
  BUSR005: rule('recip_dob < admin_date', '%s (%s) is after %s (%s)'),
  BUSR006: rule('vax_refusal NAND recip_missed_appt', '%s (%s) and %s (%s) should not both be YES'),
  BUSR007: rule(
    'recip_address_zip implies recip_address_state',
    'If %s (%s) is present, %s (%s) should be present for Recipient',
    'WARN',
  ),
  BUSR008: rule(
    'admin_address_zip implies admin_address_state',
    'If %s (%s) is present, %s (%s) should be present for Vaccine Administrator',
    'WARN',
  ),
  BUSR009: rule(
    'recip_address_zip implies recip_address_county',
    'If %s (%s) is present, %s (%s) should be present for Recipient',
    'WARN',
  ),
  BUSR010: rule(
    'admin_address_zip implies admin_address_county',
    'If %s (%s) is present, %s (%s) should be present for Vaccine Administrator',
    'WARN',
  ),
  BUSR011: rule('recip_dob no_time_travel', 'If %s (%s) is present it should be less than %s (%s)'),
  // CDC's own wording, "should less than", kept: reports are compared byte for byte.
  BUSR012: rule('admin_date no_time_travel', 'If %s (%s) is present it should less than %s (%s)'),
  BUSR013: rule('vax_event_id nodups', 'Value of %s (%s) duplicates %s at line %s'),
  FMT_001: rule(FMT, 'File is not tab delimited. First Row: %s'),
  FMT_002: rule(FMT, 'Input contains invalid headers: %s'),
  FMT_003: rule(FMT, 'File is not a CVRS'),
  FMT_004: rule(FMT, 'File is missing headers %s'),
  FMT_005: rule(FMT, 'File starts with a Unicode Byte Order Mark (FEFF)'),
};

/** The summary's Description column; CDC's fallback for a code it does not know. */
export const describe = (code: string): string =>
  CDC_RULES[code]?.description ?? `Unexpected Exception: ${code}`;
