export { issueToolToken, TOOL_TOKEN_SESSION, type ToolTokenSettings } from "./issue-token";
export { forgetSigningKeys, rotateSigningKey, signingKeys } from "./keys";
export { followRevocations, REVOCATION_STREAMS_PER_ADDRESS, type Revocation, takeRevocationStreamSlot } from "./revocation-feed";
export { revokeToolTokens } from "./revoke";
export { publishedJwks, signingKeysView } from "./views";
