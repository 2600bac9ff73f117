export { type IngestInput, type IngestSettings, ingestEvents } from "./ingest-events";
export { bearerToken, findAgentByIngestKey, generateIngestKey, hashIngestKey, recordKeyUse } from "./ingest-keys";
export { type BodyLimits, type BodyRecord, checkContentEncoding, checkIngestHeaders, decodeBody, inflateBody, parseIngestBody, tooLarge } from "./parse-body";
export { applyRetention, createWindowPartitions, ensureDayPartitions, listPartitions, maintainPartitions } from "./partitions";
export { recordAgentEvent } from "./record-agent-event";
export { type AgentEvent, agentEventSchema, type IngestResult, type RejectedRecord } from "./schemas";
