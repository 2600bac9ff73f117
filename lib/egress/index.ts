export { type Cidr, type EgressPolicy, parseCidr, refusalOf, refusalOfHost } from "./address-policy";
export { assertEgressAllowed } from "./assert-egress-allowed";
export { EgressRefusedError, egressPolicy, egressRefusalOf, type OutboundAnswer, type OutboundPost, OutboundTimeoutError, postOutbound } from "./post-outbound";
