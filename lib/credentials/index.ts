export { addIngestKeyCredential, createCredential, retireCredential, storeRotatedSecret, updateCredential } from "./manage-credentials";
export type { CreatedCredential } from "./views";
