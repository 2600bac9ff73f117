export { addIngestKeyCredential, type CreatedCredential, createCredential, retireCredential, storeRotatedSecret, updateCredential } from "./manage-credentials";
