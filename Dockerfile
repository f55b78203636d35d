# naqsha: the dashboard on the built-in sample articles.
#
#   docker build -t naqsha .
#   docker run -p 8501:8501 naqsha            # then open http://localhost:8501
#
# Offline build: copy the boundary files into the build context and name the folder:
#   cp -r ../shared/geodata .geodata-mirror
#   docker build --build-arg GEODATA_MIRROR=.geodata-mirror -t naqsha .
FROM python:3.11-slim

ARG GEODATA_MIRROR=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NAQSHA_HOME=/home/naqsha/data \
    MPLBACKEND=Agg

RUN useradd --create-home --uid 10001 naqsha
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY naqsha/__init__.py naqsha/__init__.py
RUN pip install --upgrade pip \
 && python - <<'PY'
import subprocess, sys, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
subprocess.check_call([sys.executable, "-m", "pip", "install", *deps])
PY

COPY . .
RUN pip install --no-deps . && chown -R naqsha:naqsha /app

USER naqsha
# Boundaries (downloaded, or copied from the mirror folder in the build context) and the
# sample store are built into the image, so the container starts with no network.
RUN if [ -n "$GEODATA_MIRROR" ]; then export NAQSHA_GEODATA_MIRROR="/app/$GEODATA_MIRROR"; fi \
 && naqsha boundaries \
 && naqsha etl --sample

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

CMD ["naqsha", "dashboard", "--address", "0.0.0.0", "--port", "8501"]
