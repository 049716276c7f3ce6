// The part of net-snmp (3.29.x, plain JavaScript) that snmp/ uses. Only what is called is declared.
declare module 'net-snmp' {
  export const ObjectType: {
    Integer: number; OctetString: number; OID: number; IpAddress: number; Counter: number;
    Gauge: number; TimeTicks: number; Counter64: number; Null: number;
    NoSuchObject: number; NoSuchInstance: number; EndOfMibView: number;
  };
  export const MibProviderType: { Scalar: number; Table: number };
  export const MaxAccess: Record<'not-accessible' | 'accessible-for-notify' | 'read-only' | 'read-write' | 'read-create', number>;
  export const SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
  export const AuthProtocols: { none: number; md5: number; sha: number; sha224: number; sha256: number; sha384: number; sha512: number };
  export const PrivProtocols: { none: number; des: number; aes: number; aes256b: number; aes256r: number };
  export const Version2c: number;
  export const Version3: number;

  export interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }

  export interface MibNode {
    address: number[];
    oid: string;
    children: Record<string, MibNode>;
    value?: unknown;
    valueType?: number;
    provider?: ProviderDefinition;
  }

  export interface ProviderDefinition {
    name: string;
    type: number;
    oid: string;
    maxAccess: number;
    scalarType?: number;
  }

  export interface Mib {
    registerProvider(provider: ProviderDefinition): void;
    /** Puts the provider's node in the tree (registerProvider alone does not). */
    addProviderToNode(provider: ProviderDefinition): MibNode;
    addNodesForOid(oid: string): MibNode;
    lookup(oid: string): MibNode | null;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: User): void;
  }

  export interface Agent {
    getMib(): Mib;
    setMib(mib: Mib): void;
    getAuthorizer(): Authorizer;
    close(callback?: () => void): void;
    // Request entry points, replaced per instance so that each request sees fresh values.
    getRequest(...args: unknown[]): void;
    getNextRequest(...args: unknown[]): void;
    getBulkRequest(...args: unknown[]): void;
    listener: { sockets?: Record<string, { address(): { port: number } }> };
  }

  export interface AgentOptions {
    port: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    disableAuthorization?: boolean;
    engineID?: string;
  }

  export function createAgent(options: AgentOptions, callback: (error: Error | null, data: unknown) => void, mib?: Mib): Agent;
  export function createMib(options?: object): Mib;

  export interface Subagent {
    mib: Mib;
    getMib(): Mib;
    open(callback: (error: Error | null, pdu: unknown) => void): void;
    close(callback?: (error: Error | null) => void): void;
    registerProvider(provider: ProviderDefinition, callback: (error: Error | null, pdu: { error?: number }) => void): void;
    notify(oid: string, varbinds: Varbind[], callback?: (error: Error | null) => void): void;
    on(event: 'close', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    getRequest(...args: unknown[]): void;
    getNextRequest(...args: unknown[]): void;
    getBulkRequest(...args: unknown[]): void;
    socket?: import('node:net').Socket;
    /** Handles exactly one AgentX PDU. */
    onMsg(pdu: Buffer): void;
  }

  export interface SubagentOptions {
    master: string;
    /** A number for TCP, or a Unix socket path (net.Socket.connect takes either). */
    masterPort: number | string;
    timeout?: number;
    description?: string;
  }

  export function createSubagent(options: SubagentOptions): Subagent;

  export interface SessionOptions {
    port?: number;
    trapPort?: number;
    version?: number;
    timeout?: number;
    retries?: number;
    transport?: 'udp4' | 'udp6';
  }

  export interface Session {
    trap(oid: string, varbinds: Varbind[], callback: (error: Error | null) => void): void;
    inform(oid: string, varbinds: Varbind[], callback: (error: Error | null) => void): void;
    close(): void;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
}
