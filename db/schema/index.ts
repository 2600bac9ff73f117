export * from "./agents";
export * from "./audit";
export * from "./detection";
export * from "./auth";
export * from "./events";
export * from "./killswitch";
export * from "./notifications";
export * from "./forensics";
