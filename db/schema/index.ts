export * from "./agents";
export * from "./audit";
export * from "./events";
