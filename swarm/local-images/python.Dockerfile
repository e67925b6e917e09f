# Stand-in for python:3.11-slim-bookworm, from Debian's python3 (3.11), with every
# Python dependency of the project's images already installed: the images built on it
# share this one layer, and their own `pip install -r` finds everything satisfied.
ARG DEBIAN_IMAGE=faas-ems-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /venv
ENV PATH=/venv/bin:$PATH
# build.sh gathers every requirements.txt of the repository into this context.
COPY . /requirements/
RUN pip install --no-cache-dir --disable-pip-version-check \
        $(for file in /requirements/*.txt; do printf -- '-r %s ' "$file"; done)
CMD ["python3"]
