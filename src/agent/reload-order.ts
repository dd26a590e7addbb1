/** The order a policy reload re-applies present devices in: those whose enforcement changes come first, so an approval never waits behind devices that stay as they were (and whose re-enforcing may wait seconds for interfaces). */
import type { Device } from '../devices/device';
import { planEnforcement, sameInterfaceType, type PlannedDecision } from '../policy/interface-plan';

/** Whether enforcing `after` on `device` would do something other than enforcing `before` did: another target, or other interfaces kept from their drivers. */
export function enforcementChanges(device: Device, before: PlannedDecision, after: PlannedDecision): boolean {
  const was = planEnforcement(device, before);
  const now = planEnforcement(device, after);
  if (was.target !== now.target || was.blockedInterfaces.length !== now.blockedInterfaces.length) return true;
  return !was.blockedInterfaces.every((type) => now.blockedInterfaces.some((other) => sameInterfaceType(type, other)));
}

/** `items` with those `changed` says yes to first, each part in its original order. */
export function changedFirst<T>(items: readonly T[], changed: (item: T) => boolean): T[] {
  const marked = items.map((item) => ({ item, changed: changed(item) }));
  return [...marked.filter((m) => m.changed), ...marked.filter((m) => !m.changed)].map((m) => m.item);
}
