export { issueToolToken, TOOL_TOKEN_SESSION, type ToolTokenSettings } from "./issue-token";
export { forgetSigningKeys, rotateSigningKey, signingKeys } from "./keys";
export { followRevocations, type Revocation, REVOCATION_STREAMS_PER_ADDRESS, takeRevocationStreamSlot } from "./revocation-feed";
export { revokeToolTokens } from "./revoke";
export { publishedJwks, signingKeysView } from "./views";
