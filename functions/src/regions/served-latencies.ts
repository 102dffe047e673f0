/**
 * A player's reported latencies to the regions the deployment serves: the
 * others are ignored (never chosen), wherever they come from (a join, a
 * party member's record, a ticket stored before a region stopped being served).
 */
export function servedLatencies(
  latencies: Readonly<Record<string, number>>,
  served: ReadonlySet<string>,
): Record<string, number> {
  return Object.fromEntries(Object.entries(latencies).filter(([region]) => served.has(region)));
}
