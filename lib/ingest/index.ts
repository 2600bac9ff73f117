export { ingestEvents, type IngestSettings, type IngestInput } from "./ingest-events";
export { bearerToken, findAgentByIngestKey, recordKeyUse, generateIngestKey, hashIngestKey } from "./ingest-keys";
export { checkContentEncoding, checkIngestHeaders, decodeBody, inflateBody, parseIngestBody, tooLarge, type BodyLimits, type BodyRecord } from "./parse-body";
export { applyRetention, createWindowPartitions, ensureDayPartitions, listPartitions, maintainPartitions } from "./partitions";
export { agentEventSchema, type AgentEvent, type IngestResult, type RejectedRecord } from "./schemas";
