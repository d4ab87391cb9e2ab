import type { ValueTransformer } from 'typeorm';

/** bigint columns come back from pg as strings; these hold byte counts well under 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
