export { addIngestKeyCredential, createCredential, retireCredential, updateCredential, type CreatedCredential } from "./manage-credentials";
