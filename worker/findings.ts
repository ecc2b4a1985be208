/**
 * Damage is data: every problem with an input becomes a Finding with a stable code, and the
 * run goes on. Codes are `AREA-WHAT` (e.g. `PST-BLOCK-CRC`, `MIME-BAD-BASE64`); each module
 * keeps a table of its codes with a plain-language message so reports read the same everywhere.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable machine-readable code, e.g. `PST-BLOCK-CRC`. */
  code: string;
  severity: Severity;
  /** Plain-language explanation for a person. */
  message: string;
  /** PST node id the problem affects, if any. */
  nid?: number;
  /** Byte offset in the input where the problem was found, if known. */
  offset?: number;
  /** The spec field that failed the check (e.g. `BLOCKTRAILER.dwCRC`). */
  field?: string;
  /** Which item (file name, mbox index, UID, folder path) the finding belongs to. */
  item?: string;
}

export type FindingSink = (finding: Finding) => void;

/** Collects findings and counts them by severity. */
export class FindingLog {
  readonly findings: Finding[] = [];
  readonly counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  constructor(private readonly limit = 100_000) {}
  readonly add: FindingSink = (f) => {
    this.counts[f.severity]++;
    if (this.findings.length < this.limit) this.findings.push(f);
  };
}
