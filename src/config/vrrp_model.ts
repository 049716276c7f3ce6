// The `vrrp:` section of the model: keepalived's vrrp_instance / vrrp_sync_group settings with
// their names in camelCase. Times are in seconds, as keepalived.conf writes them.

export interface VrrpGarp {
  /** Gratuitous ARPs per address sent at once on becoming master (keepalived garp_master_repeat). */
  masterRepeat: number;
  /** Seconds after becoming master before the second burst; 0 = no second burst (garp_master_delay). */
  masterDelay: number;
  /** Seconds between refresh bursts while master; 0 = none (garp_master_refresh). */
  masterRefresh: number;
}

/** Commands run on transitions, without a shell (notify_master, notify_backup, ... notify). */
export interface VrrpNotify {
  master?: string[];
  backup?: string[];
  fault?: string[];
  stop?: string[];
  /** keepalived's `notify`: called after the others with "INSTANCE"|"GROUP" NAME STATE PRIORITY. */
  any?: string[];
}

export interface VrrpTrackInterface {
  name: string;
  /** 0: the instance goes FAULT while the interface is down; >0 added while up; <0 added while down. */
  weight: number;
}

export interface VrrpTrackScript {
  name: string;
  script: string[];
  /** Seconds between runs. */
  interval: number;
  /** Seconds a run may take before it counts as a failure. */
  timeout: number;
  /** 0: FAULT while failing; >0 added while succeeding; <0 added while failing. */
  weight: number;
  /** Successes in a row that make a failing script good again. */
  rise: number;
  /** Failures in a row that make a good script failing. */
  fall: number;
}

export interface VrrpInstanceSettings {
  name: string;
  interface: string;
  virtualRouterId: number;
  /** 1..255; 255 = the address owner. */
  priority: number;
  /** Seconds: whole for version 2, 0.01 steps for version 3. */
  advertInt: number;
  version: 2 | 3;
  preempt: boolean;
  /** Seconds after startup during which a lower-priority master is not preempted. */
  preemptDelay: number;
  /** Version 2 simple password (auth type 1); absent = no authentication. */
  authPass?: string;
  /** Adverts go to these addresses instead of 224.0.0.18; only these are listened to. */
  unicastPeers: string[];
  virtualAddresses: string[];
  garp: VrrpGarp;
  notify: VrrpNotify;
  track: { interfaces: VrrpTrackInterface[]; scripts: VrrpTrackScript[] };
}

export interface VrrpSyncGroup {
  name: string;
  instances: string[];
  notify: VrrpNotify;
}

export interface VrrpConfig {
  instances: VrrpInstanceSettings[];
  syncGroups: VrrpSyncGroup[];
}

export const DEFAULT_VRRP_GARP: VrrpGarp = { masterRepeat: 5, masterDelay: 5, masterRefresh: 0 };
export const DEFAULT_VRRP_PRIORITY = 100;
export const DEFAULT_VRRP_ADVERT_INT = 1;
