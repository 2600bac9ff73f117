import { describe, expect, it } from "vitest";
import { launcherEnv } from "@/lib/env";
import { launcherServer } from "./next-server";

const hostArg = (args: string[]) => args[args.indexOf("-H") + 1];

describe("launcherServer", () => {
  it("binds next start to 127.0.0.1 when SOC_LISTEN_HOST is unset or empty, and warns of nothing", () => {
    for (const source of [{}, { SOC_LISTEN_HOST: "" }, { SOC_LISTEN_HOST: "  " }]) {
      const server = launcherServer(launcherEnv(source));
      expect(server.args).toContain("-H");
      expect(hostArg(server.args)).toBe("127.0.0.1");
      expect(server.url).toBe("http://127.0.0.1:3000");
      expect(server.warning).toBeNull();
    }
  });

  it("listens wider only when asked, and then warns that the console speaks plain HTTP", () => {
    const every = launcherServer(launcherEnv({ SOC_LISTEN_HOST: "0.0.0.0", PORT: "8080" }));
    expect(hostArg(every.args)).toBe("0.0.0.0");
    expect(every.args.slice(-4)).toEqual(["-p", "8080", "-H", "0.0.0.0"]);
    expect(every.url).toBe("http://127.0.0.1:8080");
    expect(every.warning).toMatch(/every interface over plain HTTP: put a TLS-terminating proxy in front/);
    const one = launcherServer(launcherEnv({ SOC_LISTEN_HOST: "fd00::5" }));
    expect(hostArg(one.args)).toBe("fd00::5");
    expect(one.url).toBe("http://[fd00::5]:3000");
    expect(one.warning).toContain("fd00::5");
    expect(launcherServer(launcherEnv({ SOC_LISTEN_HOST: "::1" })).warning).toBeNull();
  });

  it("refuses a listen address that is neither an IP address nor a host name", () => {
    expect(() => launcherEnv({ SOC_LISTEN_HOST: "0.0.0.0; rm -rf /" })).toThrow(/SOC_LISTEN_HOST: expected an IP address or a host name/);
  });
});
