export { addIngestKeyCredential, createCredential, retireCredential, storeRotatedSecret, updateCredential, type CreatedCredential } from "./manage-credentials";
