# The GovOps image: the API, the worker and the migration job all run from it.
FROM node:20-bookworm-slim AS explorer
WORKDIR /src/explorer
COPY explorer/package.json explorer/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY explorer/ ./
RUN node build.mjs

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core/ core/
COPY domain/ domain/
COPY schema/ schema/
COPY resolvers/ resolvers/
COPY jobs/ jobs/
COPY integrations/ integrations/
COPY migrations/ migrations/
COPY server.py cli.py models.py alembic.ini ./
# Editable, so that the code, migrations and explorer stay together under /app (ROOT in core/settings.py).
RUN pip install --no-cache-dir -e .
COPY --from=explorer /src/explorer/dist explorer/dist
RUN useradd --system --uid 10001 govops
USER govops
EXPOSE 8000
CMD ["govops", "serve"]
