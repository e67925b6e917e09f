# Stand-in for node:20-bookworm-slim in the web app's build stage: Debian's Node.js
# and npm, which build it (Vite 6 runs on Node.js 18).
ARG DEBIAN_IMAGE=faas-ems-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
CMD ["node"]
