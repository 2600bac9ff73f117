/** SOC_EGRESS_ALLOW_CIDRS for tests and benchmarks: their webhook receivers and secret managers listen on 127.0.0.1, which the console reaches only when allowed. */
export const EGRESS_ALLOW_FOR_TESTS = "127.0.0.1/32";
