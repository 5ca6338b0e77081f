import pytest

from tests.conftest import free_port


class Collect:
    """An SMTP server's handler that keeps every message and counts the sessions opened."""

    def __init__(self, refuse: set[str] | None = None):
        self.messages = []
        self.sessions = 0
        self.refuse = refuse or set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free port (aiosmtpd): (port, handler)."""
    controller_module = pytest.importorskip("aiosmtpd.controller")
    handler = Collect()
    port = free_port()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    port, handler = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return handler


@pytest.fixture
def eager():
    """Tasks run in the calling process, as a worker would run them."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
