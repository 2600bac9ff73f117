export { assembleContainment, type ContainmentRows } from "./assemble-containment";
export { readContainment } from "./read-containment";
