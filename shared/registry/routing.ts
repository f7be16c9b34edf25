import { localDate } from '#platform/dates.ts';
import defaults from './routing.json' with { type: 'json' };

interface RegistryRoute {
  county: string;
  registry: string;
  /** ISO date, inclusive. */
  from?: string;
  /** ISO date, exclusive. */
  until?: string;
}

interface RoutingTable {
  default: string;
  routes: RegistryRoute[];
}

/**
 * The one place that decides a dose's registry: the one serving its site's county (FIPS) on the day the dose is
 * reported, in California. Not the day it was administered: a registry that has merged away (SDIR into CAIR2,
 * April 2022) takes no more doses, however old, so an old dose reported today goes where doses go today. Storing,
 * showing and sending a dose all ask this, so they agree; the roll-up of a past day passes that day (its doses
 * were reported then, and a re-run must write the same files).
 *
 * `reportedOn` is a moment (taken as its calendar day in California) or that day itself (ISO). When
 * REGISTRY_ROUTING_AS_OF is set, that ISO day replaces it everywhere: a deployment or a test can run the
 * three-registry world of 2021. The table is `REGISTRY_ROUTING` (JSON) when set, else the shipped
 * routing.json; its first matching route wins, and a county it does not list goes to its default.
 */
export function registryFor(
  county: string | undefined,
  reportedOn: Date | string,
  table: RoutingTable = deployedTable(),
): string {
  const day =
    process.env.REGISTRY_ROUTING_AS_OF ||
    (typeof reportedOn === 'string' ? reportedOn : localDate(reportedOn));
  for (const r of table.routes)
    if (r.county === county && (!r.from || day >= r.from) && (!r.until || day < r.until)) return r.registry;
  return table.default;
}

function deployedTable(): RoutingTable {
  const raw = process.env.REGISTRY_ROUTING;
  return raw ? (JSON.parse(raw) as RoutingTable) : (defaults as RoutingTable);
}
