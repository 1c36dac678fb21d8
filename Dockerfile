# Slim production image: gunicorn (uvicorn ASGI workers, gunicorn.conf.py) behind your proxy, static files by WhiteNoise.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/app/data \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home-dir /app app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs a key to import settings (50+ characters with DEBUG off); the real one arrives
# at run time.
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789-abcdefghijklmnop python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/data && chown -R app:app /app/data

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health/').status != 200)"
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_questions && exec gunicorn -c gunicorn.conf.py"]
