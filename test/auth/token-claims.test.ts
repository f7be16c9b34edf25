/**
 * Issue 16: the dp_* claims Cognito's pre-token-generation trigger adds to access tokens, from a person's groups
 * and custom:dp_sites, or from a machine client's registration (docs/sign-in.md, In AWS).
 */
import type { PreTokenGenerationV2TriggerEvent, PreTokenGenerationV3TriggerEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  machineClaims,
  parseMachineClients,
  parseSites,
  personClaims,
  SIGN_IN_GROUPS,
  tokenClaims,
} from '#auth/token-claims.ts';

const SITES = { 'custom:dp_sites': 'CAIR01 CAIR02', email: 'someone@example.org' };
const CLIENTS = [{ client_id: 'machine-1', sites: ['CAIR07'], access: 'write' as const }];

/** A V2_0 event of a sign-in, as Cognito sends it (@types/aws-lambda PreTokenGenerationV2TriggerEvent). */
function signInEvent(
  groups: string[],
  userAttributes: Record<string, string>,
): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    region: 'us-west-2',
    userPoolId: 'us-west-2_pool',
    triggerSource: 'TokenGeneration_HostedAuth',
    userName: 'a-sub',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'console-client' },
    request: { userAttributes, groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [] } },
    response: { claimsAndScopeOverrideDetails: {} },
  };
}

/** A V3_0 client credentials event: no user, the client's id. */
function clientEvent(clientId: string): PreTokenGenerationV3TriggerEvent {
  return {
    version: '3',
    region: 'us-west-2',
    userPoolId: 'us-west-2_pool',
    triggerSource: 'TokenGeneration_ClientCredentials',
    userName: clientId,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
    request: { userAttributes: {}, groupConfiguration: {}, scopes: ['dose-pipeline-api/access'] },
    response: { claimsAndScopeOverrideDetails: {} },
  };
}

describe('a person, from their group', () => {
  it.each([
    ['site-write', { dp_role: 'site', dp_sites: 'CAIR01 CAIR02', dp_access: 'write' }],
    ['site-read', { dp_role: 'site', dp_sites: 'CAIR01 CAIR02', dp_access: 'read' }],
    ['program', { dp_role: 'program', dp_access: 'read' }],
    ['admin', { dp_role: 'admin', dp_access: 'write' }],
  ])('%s', (group, claims) => {
    expect(personClaims([group], SITES)).toEqual(claims);
  });

  it('in several groups: the highest role (admin, program, site-write, site-read)', () => {
    expect(personClaims(['site-read', 'site-write'], SITES)?.dp_access).toBe('write');
    expect(personClaims(['site-write', 'program'], SITES)).toEqual({ dp_role: 'program', dp_access: 'read' });
    expect(personClaims(['program', 'admin'], SITES)?.dp_role).toBe('admin');
    expect(SIGN_IN_GROUPS.map((g) => g.group)).toEqual(['admin', 'program', 'site-write', 'site-read']);
  });

  it('in no sign-in group (or another group only): no dp_role, so the API refuses the token', () => {
    expect(personClaims([], SITES)).toBeUndefined();
    expect(personClaims(['Admins', 'site_write', 'SITE-WRITE'], SITES)).toBeUndefined();
  });

  it('a site person without a usable site: no claims', () => {
    expect(personClaims(['site-write'], {})).toBeUndefined();
    expect(personClaims(['site-read'], { 'custom:dp_sites': '  ' })).toBeUndefined();
    expect(personClaims(['site-read'], { 'custom:dp_sites': 'not*a*code' })).toBeUndefined();
  });

  it('program staff and administrators carry no sites, whatever their attribute says', () => {
    expect(personClaims(['program'], SITES)).not.toHaveProperty('dp_sites');
    expect(personClaims(['admin'], SITES)).not.toHaveProperty('dp_sites');
  });
});

describe('custom:dp_sites', () => {
  it('is space-separated Org Codes; extra spaces, commas and repeats are tolerated', () => {
    expect(parseSites('CAIR01')).toEqual(['CAIR01']);
    expect(parseSites('  CAIR01   CAIR-02\tCAIR03 ')).toEqual(['CAIR01', 'CAIR-02', 'CAIR03']);
    expect(parseSites('CAIR01,CAIR02, CAIR01')).toEqual(['CAIR01', 'CAIR02']);
    expect(parseSites(undefined)).toEqual([]);
    expect(parseSites('')).toEqual([]);
  });

  it('leaves out what is not an Org Code (1–20 letters, digits, hyphens), never passes it on', () => {
    expect(parseSites('CAIR01 CAIR"02 ABCDEFGHIJKLMNOPQRSTU *')).toEqual(['CAIR01']);
  });

  it('keeps the order: the first is the default site', () => {
    expect(personClaims(['site-write'], { 'custom:dp_sites': 'B A' })?.dp_sites).toBe('B A');
  });
});

describe('a machine client, from its registration', () => {
  it('its sites and access', () => {
    expect(machineClaims('machine-1', CLIENTS)).toEqual({
      dp_role: 'site',
      dp_sites: 'CAIR07',
      dp_access: 'write',
    });
    expect(machineClaims('m', [{ client_id: 'm', sites: ['A1', 'B2'], access: 'read' }])).toEqual({
      dp_role: 'site',
      dp_sites: 'A1 B2',
      dp_access: 'read',
    });
  });

  it('a client not registered gets no claims', () => {
    expect(machineClaims('someone-else', CLIENTS)).toBeUndefined();
    expect(machineClaims('machine-1', [])).toBeUndefined();
  });

  it('the registrations from the environment: the JSON the stack writes, anything else is an error', () => {
    expect(parseMachineClients(undefined)).toEqual([]);
    expect(parseMachineClients('[]')).toEqual([]);
    expect(parseMachineClients(JSON.stringify(CLIENTS))).toEqual(CLIENTS);
    expect(() => parseMachineClients('{}')).toThrow(/JSON array/);
    expect(() => parseMachineClients('[{"client_id":"x","sites":"A","access":"write"}]')).toThrow(
      /machine client 0/,
    );
    expect(() => parseMachineClients('[{"client_id":"x","sites":["A"],"access":"admin"}]')).toThrow();
  });
});

describe('the trigger event', () => {
  it('a sign-in: from the groups and attributes, whichever client', () => {
    expect(tokenClaims(signInEvent(['site-read'], SITES), CLIENTS)).toEqual({
      dp_role: 'site',
      dp_sites: 'CAIR01 CAIR02',
      dp_access: 'read',
    });
  });

  it("client credentials: from the client's registration, never from groups", () => {
    expect(tokenClaims(clientEvent('machine-1'), CLIENTS)?.dp_sites).toBe('CAIR07');
    expect(tokenClaims(clientEvent('unknown'), CLIENTS)).toBeUndefined();
  });

  it('a sign-in through a machine client id still takes the person’s own claims, not the client’s', () => {
    const event = signInEvent([], SITES);
    event.callerContext.clientId = 'machine-1';
    expect(tokenClaims(event, CLIENTS)).toBeUndefined();
  });
});

describe('the handler (functions/platform/token-claims.ts)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  const load = async (clients: unknown[]) => {
    vi.stubEnv('SIGN_IN_MACHINE_CLIENTS', JSON.stringify(clients));
    vi.resetModules();
    return (await import('../../functions/platform/token-claims.ts')).handler;
  };

  it('puts the claims into the access token only', async () => {
    const handler = await load(CLIENTS);
    const out = await handler(signInEvent(['site-write'], SITES));
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: {
        claimsToAddOrOverride: { dp_role: 'site', dp_sites: 'CAIR01 CAIR02', dp_access: 'write' },
      },
    });
  });

  it('a machine client from the map in its environment', async () => {
    const handler = await load(CLIENTS);
    const out = await handler(clientEvent('machine-1'));
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      dp_role: 'site',
      dp_sites: 'CAIR07',
      dp_access: 'write',
    });
  });

  it('nobody it knows: the event back unchanged (the token has no dp_role)', async () => {
    const handler = await load([]);
    const out = await handler(signInEvent([], SITES));
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({});
    expect((await handler(clientEvent('machine-1'))).response.claimsAndScopeOverrideDetails).toEqual({});
  });
});
