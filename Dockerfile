# The GovOps image: the API, the worker and the migration job all run from it.
#
# A release is built on the release host, signed there, and copied in as it is, so the server can
# check at start-up that it runs exactly the signed files (GOVOPS_RELEASE_PUBLIC_KEY_FILE):
#
#   bash explorer/build.sh                                  # explorer/dist, from the locked packages
#   govops release sign --key /path/to/release-private.pem  # RELEASE-MANIFEST.json + .sig
#   docker build -t govops:<version> .
#
# .dockerignore leaves out the same things the manifest does (tests, environments, data, secrets).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY . .
# Editable, so that the code, migrations, operations and explorer stay together under /app (ROOT in core/settings.py).
RUN test -f explorer/dist/index.html && test -f RELEASE-MANIFEST.json && test -f RELEASE-MANIFEST.sig \
    && pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 govops \
    && mkdir -p /srv/govops && chown govops /srv/govops  # a new named volume takes this owner (docker-compose.yml)
USER govops
EXPOSE 8000
CMD ["govops", "serve"]
