import { describe, expect, it } from "vitest";
import { requestOverTcp, serveOverTcp } from "@/scripts/testing/over-tcp";
import { PEER_HEADER, stampedPeer, stampPeerAddresses } from "./peer-address";

const loopback = () => `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

describe("the peer stamp", () => {
  it("trusts no peer header until the server stamps requests, whatever the client wrote", () => {
    expect(stampedPeer(new Headers({ [PEER_HEADER]: "x 203.0.113.9" }))).toBeNull();
  });

  it("records the TCP peer of each request, replacing a header of the same name the client sent", async () => {
    const server = await serveOverTcp(async (req) => Response.json({ peer: stampedPeer(req.headers) }));
    try {
      for (const from of [loopback(), loopback()]) {
        const res = await requestOverTcp(server.port, {
          method: "GET",
          path: "/",
          headers: { [PEER_HEADER]: "guess 203.0.113.9", "x-forwarded-for": "198.51.100.7" },
          from,
        });
        expect(JSON.parse(res.text)).toEqual({ peer: from });
      }
    } finally {
      await server.close();
    }
  });

  it("ignores a peer header that did not come from this process's stamp", () => {
    stampPeerAddresses();
    for (const forged of ["203.0.113.9", "x 203.0.113.9", " 203.0.113.9", ""]) expect(stampedPeer(new Headers({ [PEER_HEADER]: forged })), forged).toBeNull();
  });
});
