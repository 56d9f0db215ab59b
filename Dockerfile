# The tracker as a production image: gunicorn behind WhiteNoise for static files.
# Build and run it with docker compose (see README, "Deployment"); configuration comes from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The app never needs to write to its own code, so it runs as an unprivileged user.
RUN groupadd --system tracker && useradd --system --gid tracker --create-home tracker

WORKDIR /app

# Requirements first, so code changes do not reinstall every dependency.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into the image; WhiteNoise serves them, compressed and with hashed names.
# The secret is a build-time placeholder: settings refuse DJANGO_DEBUG=false without one, and the
# real secret is only given to the running container.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
    python manage.py collectstatic --noinput

USER tracker

EXPOSE 8000

# Bind, workers, threads and timeout come from tracker/gunicorn.conf.py (GUNICORN_* variables, README "Deployment"):
# threaded workers, so that a long CSV export is not killed by the worker timeout half-way through.
CMD ["gunicorn", "-c", "tracker/gunicorn.conf.py", "tracker.wsgi:application"]
