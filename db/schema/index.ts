export * from "./agents";
export * from "./audit";
export * from "./auth";
export * from "./events";
export * from "./killswitch";
