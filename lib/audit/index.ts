export { auditRowHash, canonicalJson, checkChainLink, GENESIS_HASH, type ChainProblem } from "./chain";
export { recordAudit, type AuditEntry } from "./record-audit";
export { verifyAuditChain, type ChainReport } from "./verify-audit-chain";
export { checkDatabaseRole, databaseRoleProblems, databaseRoleWarning } from "./database-role";
