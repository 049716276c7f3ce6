// What the director's agent receiver reports of a real server (pivsadm -L, /status show it).

/** What the director last heard from a real server's pivs-agent. */
export interface AgentState {
  /** null until the first report arrives. */
  loadIndex: number | null;
  /** ISO 8601 time of the last accepted report (director's clock), null if none yet. */
  lastReport: string | null;
  /** false once the agent has been silent for agent.timeoutMs: the real server is quiescent. */
  alive: boolean;
  /** The weight the agent reported, if it reports one. */
  weight?: number;
}
