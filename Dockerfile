# dutybot: the Telegram bot. Build: docker build -t dutybot .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A real CJK font, so charts show Chinese and not boxes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk=1:20220127+repack1-1 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --gid 10001 dutybot && useradd --create-home --uid 10001 --gid 10001 dutybot
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY db ./db
RUN pip install --no-cache-dir . \
    && dutybot knowledge train \
    && mkdir -p /app/data \
    && chown dutybot:dutybot /app/data

USER 10001:10001
VOLUME ["/app/data"]
# Without TELEGRAM_BOT_TOKEN the playground listens here; bind it to all interfaces in a container.
ENV DUTYBOT_PLAYGROUND_HOST=0.0.0.0
# 8080: the playground (no token); 8443: the webhook, when DUTYBOT_WEBHOOK_URL is set.
EXPOSE 8080 8443
CMD ["dutybot", "run"]
