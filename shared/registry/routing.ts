import defaults from './routing.json' with { type: 'json' };

export interface RegistryRoute {
  county: string;
  registry: string;
  /** ISO date, inclusive. */
  from?: string;
  /** ISO date, exclusive. */
  until?: string;
}

export interface RoutingTable {
  default: string;
  routes: RegistryRoute[];
}

/** The deployed table: `REGISTRY_ROUTING` (JSON) overrides the shipped configuration. */
export function routingTable(env: Record<string, string | undefined> = process.env): RoutingTable {
  const raw = env.REGISTRY_ROUTING;
  return raw ? (JSON.parse(raw) as RoutingTable) : (defaults as RoutingTable);
}

/** The registry serving a county on a date (ISO). The first matching route wins. */
export function registryFor(
  county: string | undefined,
  date: string,
  table: RoutingTable = routingTable(),
): string {
  if (county) {
    for (const r of table.routes) {
      if (r.county === county && (!r.from || date >= r.from) && (!r.until || date < r.until))
        return r.registry;
    }
  }
  return table.default;
}
