"""gunicorn settings for Karte (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Every value can be changed through the environment of the service (deploy/systemd/karte-web.service
reads /etc/karte/karte.env): KARTE_BIND, KARTE_WEB_WORKERS, KARTE_WEB_TIMEOUT.
"""

import multiprocessing
import os

bind = os.environ.get("KARTE_BIND", "127.0.0.1:8000")
# Sync workers: a request holds one worker. Photos leave through nginx (X-Accel-Redirect) and are
# processed by the task worker, so requests are short; two per core plus one is the usual rule.
workers = int(os.environ.get("KARTE_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("KARTE_WEB_TIMEOUT", "60"))
graceful_timeout = 20
# A worker is replaced now and then, so a slow leak can never grow for long.
max_requests = 2000
max_requests_jitter = 200
# The app is imported once and the workers forked from it: quicker restarts of a killed worker.
preload_app = True
# nginx sets X-Forwarded-Proto; the app decides which proxies to believe (TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("KARTE_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
