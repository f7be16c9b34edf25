/**
 * Every VXU the registry reporter sends passes NIST's Z22 profile (shared/codecs/hl7/profile) with no error: administered
 * doses, refusals, updates and deletes, to each registry, for each CAIR2 site role.
 */
import { describe, expect, it } from 'vitest';
import { checkProfile } from '#codecs/hl7/profile/check.ts';
import type { Action } from '#codecs/hl7/vxu.ts';
import { buildVxu } from '#codecs/hl7/vxu.ts';
import type { Dose } from '#doses/fields.ts';
import { REGISTRIES, type RegistryConfig } from '#registry/config.ts';
import { vxuFor } from '#registry/vxu-input.ts';
import { demoSite, modernaDose, refusalDose } from '../fixtures/doses.ts';

const administered = { ...modernaDose(), ...demoSite } as Dose;
const refusal = { ...refusalDose(), ...demoSite } as Dose;
const ACTIONS: readonly Action[] = ['A', 'U', 'D'];

/** CAIR2's site roles (cair2/notes.md), as the config and the site's own sending facility produce them. */
function roles(config: RegistryConfig) {
  const perSite: RegistryConfig = {
    ...config,
    hl7: { ...config.hl7, sendingFacility: { value: 'site-sending-facility', source: 'test' } },
  };
  return [
    { role: 1, config: perSite, siteSendingFacility: undefined },
    { role: 2, config: perSite, siteSendingFacility: 'HIE-0042' },
    { role: 3, config, siteSendingFacility: undefined },
  ];
}

const errorsOf = (text: string) => checkProfile(text, 'VXU_Z22').filter((v) => v.severity === 'error');

describe('the VXU the reporter sends, against the Z22 profile', () => {
  for (const [registry, config] of Object.entries(REGISTRIES))
    for (const { role, config: c, siteSendingFacility } of roles(config))
      for (const [kind, dose] of [
        ['administered', administered],
        ['refusal', refusal],
        ['administered, no route or site, unknown race and ethnicity, sex O', administered],
      ] as const)
        it(`${registry}, role ${role}: ${kind}, as A, U and D`, () => {
          const d: Dose = kind.startsWith('administered, no route')
            ? {
                ...dose,
                vax_route: undefined,
                vax_admin_site: undefined,
                recip_race_1: 'UNK',
                recip_ethnicity: 'POL',
                recip_sex: 'O',
                dose_num: 'UNK',
              }
            : dose;
          for (const action of ACTIONS) {
            const text = buildVxu(
              vxuFor({
                dose: d,
                action,
                config: c,
                siteSendingFacility,
                facilityID: 'CADOSEPIPE',
                messageControlId: `3-20210310200000-${action}`,
                sentAt: new Date('2021-03-10T20:00:00Z'),
              }),
            );
            expect(errorsOf(text), `${action}\n${text}`).toEqual([]);
          }
        });

  it('would catch forms we used to send: PID-8 O, race POL in HL70005, an RXR with no route', () => {
    const text = buildVxu(
      vxuFor({
        dose: administered,
        action: 'A',
        config: REGISTRIES.CAIR2!,
        facilityID: 'CADOSEPIPE',
        messageControlId: 'M-1',
        sentAt: new Date('2021-03-10T20:00:00Z'),
      }),
    )
      .replace(/\rPID\|([^|]*\|){7}F\|\|2106-3\^White\^CDCREC/, (m) =>
        m.replace('|F||2106-3^White^CDCREC', '|O||POL^Unable to report^HL70005'),
      )
      .replace(/\rRXR\|[^|]*\|/, '\rRXR||');
    expect(errorsOf(text).map((v) => v.location)).toEqual(
      expect.arrayContaining(['PID-8', 'PID-10', 'RXR-1']),
    );
  });
});
