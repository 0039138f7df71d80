# The app's one image: docker-compose.yml's web service builds it as pod-reflect, and
# worker and beat run it too. Where no registry is reachable,
# scripts/build-base-images.sh builds a local python:3.11-slim (make compose-test).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml requirements.lock README.md ./
RUN pip install -c requirements.lock .

COPY . .
RUN useradd --create-home pod && mkdir -p /app/var && chown pod /app/var
USER pod
EXPOSE 8000
