import { z } from "zod";

/** A time as the API writes it: ISO 8601 text (what Date.toISOString gives). */
export const isoTime = z.iso.datetime({ offset: true });
export const nullableTime = isoTime.nullable();

/** Any JSON object whose keys the API does not fix (metadata, configs, audit snapshots). */
export const jsonObject = z.record(z.string(), z.unknown());
