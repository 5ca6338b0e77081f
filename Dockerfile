# The production image: one image for web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings VAR_DIR=/app/var STATIC_ROOT=/app/static-root \
    MEDIA_ROOT=/app/media PRIVATE_MEDIA_ROOT=/app/media/private

RUN apt-get update && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 naikkelas

WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir . \
    && SECRET_KEY=collectstatic-only-build-time-key-0123456789 ALLOWED_HOSTS=build SITE_URL=http://build \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/var /app/media && chown -R naikkelas /app/var /app/media

USER naikkelas
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--forwarded-allow-ips", "*", "--access-logfile", "-"]
