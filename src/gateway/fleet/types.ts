/** What GET /api/nodes lists for each node: a file without Node imports, so the console can use it too. */
export interface NodeRow {
  id: string;
  version: number;
  checksum: string;
  lastSeenAt: string;
  store: 'connected' | 'unreachable';
  lastError: string | null;
}
