"""The stand-ins `make chaos` breaks (deploy/fault_servers.py) fail the way the real servers do.

If "down" let a connection in, or "hung" answered, the chaos run's figures would describe a
fault that never happened.
"""

import contextlib
import smtplib
import socket
import time
from threading import Thread

import pytest

from deploy.fault_servers import MailServer, TcpProxy


@pytest.fixture
def mail():
    server = MailServer()
    yield server
    server.down()


@pytest.fixture
def echo_backend():
    """A server that sends back whatever it gets, on one connection at a time."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            with connection:
                while data := connection.recv(1024):
                    connection.sendall(data)

    Thread(target=serve, daemon=True).start()
    yield listener.getsockname()
    listener.close()


def echo(port: int, timeout: float = 2) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(b"ping")
        return connection.recv(1024)


def test_mail_server_takes_mail_when_up_refuses_when_down_and_says_nothing_when_hung(mail):
    mail.up()
    with smtplib.SMTP("127.0.0.1", mail.port, timeout=5) as client:
        client.sendmail("site@clinic.test", ["counselors@clinic.test"], "Subject: New message #7\r\n\r\nSee the admin.")
    assert mail.subjects == ["New message #7"]

    mail.down()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", mail.port, timeout=5)

    mail.hang()
    started = time.monotonic()
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        smtplib.SMTP("127.0.0.1", mail.port, timeout=1)
    assert time.monotonic() - started >= 1

    mail.up()
    with smtplib.SMTP("127.0.0.1", mail.port, timeout=5) as client:
        client.sendmail("site@clinic.test", ["counselors@clinic.test"], "Subject: New message #8\r\n\r\nSee the admin.")
    assert mail.subjects == ["New message #7", "New message #8"]


def test_proxy_forwards_until_cut_refuses_while_cut_and_holds_everything_while_frozen(echo_backend):
    proxy = TcpProxy(echo_backend).start()
    try:
        assert echo(proxy.port) == b"ping"

        proxy.cut()
        with pytest.raises(ConnectionRefusedError):
            echo(proxy.port)

        proxy.freeze()
        with pytest.raises(TimeoutError):
            echo(proxy.port, timeout=0.5)

        proxy.restore()
        assert echo(proxy.port) == b"ping"
    finally:
        proxy.cut()


def test_cutting_the_proxy_breaks_a_connection_already_open(echo_backend):
    proxy = TcpProxy(echo_backend).start()
    connection = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
    try:
        connection.sendall(b"ping")
        assert connection.recv(1024) == b"ping"

        proxy.cut()

        # As a database server that went away: the next read ends (or fails), it never hangs.
        with contextlib.suppress(ConnectionResetError):
            assert connection.recv(1024) == b""
    finally:
        connection.close()
        proxy.cut()
