"""Stand-ins that `make chaos` (deploy/chaos.py) breaks on purpose, so no shared service ever is.

- `TcpProxy`: the site reaches PostgreSQL or Redis through it. `cut()` is a server gone (new
  connections refused, open ones broken), `freeze()` a server that hangs (connections accepted,
  nothing answered), `restore()` brings it back on the same port.
- `MailServer`: the site's SMTP port. `up()` speaks enough SMTP to take mail and keeps the subjects,
  `down()` closes the port, `hang()` accepts connections and never says a word.
"""

import contextlib
import socket
import threading
from email import message_from_bytes


def _listen(port: int) -> socket.socket:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    # accept() wakes up now and then, so closing the port never waits on a blocked thread.
    listener.settimeout(0.2)
    return listener


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class _Port:
    """A port on 127.0.0.1 that can be opened and closed again, each connection handled in a thread."""

    def __init__(self, port: int = 0):
        probe = _listen(port)
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._stop = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def _serve(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def open(self) -> None:
        if self._listener is not None:
            return
        self._listener = _listen(self.port)
        self._stop.clear()
        self._accepting = threading.Thread(target=self._accept, args=(self._listener,), daemon=True)
        self._accepting.start()

    def close(self) -> None:
        """Stop listening (a connection is refused) and break every connection still open."""
        if self._listener is None:
            return
        self._stop.set()
        # The port stays open until the thread in accept() has let go of it.
        if self._accepting is not None:
            self._accepting.join()
        self._listener.close()
        self._listener = None
        with self._lock:
            open_now, self._open = self._open, set()
        for sock in open_now:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            self._keep(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()


class TcpProxy(_Port):
    """127.0.0.1:`port` forwarded to `backend` (host, port) until cut or frozen."""

    def __init__(self, backend: tuple[str, int]):
        super().__init__()
        self.backend = backend
        self._flowing = threading.Event()
        self._flowing.set()

    def start(self) -> "TcpProxy":
        self.open()
        return self

    def cut(self) -> None:
        self._flowing.set()
        self.close()

    def freeze(self) -> None:
        self.open()
        self._flowing.clear()

    def restore(self) -> None:
        self._flowing.set()
        self.open()

    def _serve(self, connection: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.backend, timeout=5)
        except OSError:
            _close(connection)
            return
        upstream.settimeout(None)
        self._keep(upstream)
        threading.Thread(target=self._pump, args=(upstream, connection), daemon=True).start()
        self._pump(connection, upstream)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()  # frozen: bytes are taken in and held, nothing is answered
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


class MailServer(_Port):
    """The site's mail server, up, down or hung; `subjects` holds the subject of each email taken."""

    def __init__(self):
        super().__init__()
        self.hung = False
        self.subjects: list[str] = []

    def up(self) -> None:
        self.close()
        self.hung = False
        self.open()

    def down(self) -> None:
        self.close()

    def hang(self) -> None:
        self.close()
        self.hung = True
        self.open()

    def _serve(self, connection: socket.socket) -> None:
        if self.hung:
            return  # accepted and kept open, never answered: close() breaks it
        with connection, connection.makefile("rb") as lines:
            connection.sendall(b"220 chaos ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == b"DATA":
                    connection.sendall(b"354 go ahead\r\n")
                    data = []
                    for body_line in lines:
                        if body_line in (b".\r\n", b".\n"):
                            break
                        data.append(body_line)
                    self.subjects.append(str(message_from_bytes(b"".join(data))["Subject"]))
                    connection.sendall(b"250 taken\r\n")
                elif verb == b"QUIT":
                    connection.sendall(b"221 bye\r\n")
                    return
                elif verb in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    connection.sendall(b"250 chaos\r\n")
                else:
                    connection.sendall(b"502 not here\r\n")
