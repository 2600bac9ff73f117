import { z } from "zod";

export const killReasonSchema = z.string().trim().min(3, "say why (at least 3 characters)").max(500);
export const killInput = z.object({ reason: killReasonSchema });
