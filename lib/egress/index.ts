export { type Cidr, type EgressPolicy, parseCidr, refusalOf, refusalOfHost } from "./address-policy";
export { assertEgressAllowed } from "./assert-egress-allowed";
export { EgressRefusedError, egressPolicy, egressRefusalOf, OutboundTimeoutError, postOutbound, type OutboundAnswer, type OutboundPost } from "./post-outbound";
