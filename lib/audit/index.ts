export { auditRowHash, type ChainProblem, canonicalJson, checkChainLink, GENESIS_HASH } from "./chain";
export { checkDatabaseRole, databaseRoleProblems, databaseRoleWarning } from "./database-role";
export { type AuditEntry, recordAudit } from "./record-audit";
export { type ChainReport, verifyAuditChain } from "./verify-audit-chain";
