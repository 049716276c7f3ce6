// keepalived's quorum with hysteresis, pure: a service has its quorum while the total weight of
// its serving real servers stays at or above quorum - hysteresis, and regains it at quorum +
// hysteresis. It starts with it, as keepalived does.
import type { Quorum } from '../config/health_model';

export function hasQuorum(had: boolean, totalWeight: number, q: Quorum): boolean {
  return had ? totalWeight >= q.weight - q.hysteresis : totalWeight >= q.weight + q.hysteresis;
}
