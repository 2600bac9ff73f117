export interface IngestKeyView {
  id: string;
  prefix: string;
  /** Further agents this key may speak for. */
  speaks_for: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}
