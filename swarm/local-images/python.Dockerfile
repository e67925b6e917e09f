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
COPY templates/python3-ems/requirements.txt /requirements/runtime.txt
COPY connector/requirements.txt /requirements/connector.txt
COPY socket-hub/requirements.txt /requirements/socket-hub.txt
COPY simulator/requirements.txt /requirements/simulator.txt
COPY swarm/migrate/requirements.txt /requirements/migrate.txt
RUN pip install --no-cache-dir --disable-pip-version-check \
        -r /requirements/runtime.txt -r /requirements/connector.txt \
        -r /requirements/socket-hub.txt -r /requirements/simulator.txt \
        -r /requirements/migrate.txt
CMD ["python3"]
