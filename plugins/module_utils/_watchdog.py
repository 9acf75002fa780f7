# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The watchdog that ends a request whose time budget is spent.

Private to this collection: this interface may change without notice.

A socket timeout bounds one read, not an exchange: a server that sends a byte every half second
never trips it. So each request arms an ``Alarm``; the connections the request uses attach
themselves to it (through the thread's current alarm); when the alarm fires, their sockets are
shut down, which ends any read blocked on them at once. One daemon thread serves every alarm of
the process, so arming costs a heap push, not a thread.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import heapq
import itertools
import socket
import threading
import time

_local = threading.local()


def current_alarm():
    """The alarm of the request this thread is sending, or None."""
    return getattr(_local, "alarm", None)


def _shut(sock):
    try:
        if isinstance(sock, socket.socket):
            # The plain socket's shutdown, also for an SSLSocket: it wakes a read blocked in another thread.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        else:  # pragma: no cover - TLS inside TLS (an https proxy) wraps the socket in another object
            sock.close()
    except (OSError, ValueError):
        pass


class Alarm:
    """One request's budget. ``expired`` tells, after a failure, whether the budget ended it.

    The alarm keeps the sockets it saw its request use (not the connection objects, whose socket a
    pool may hand to a later request), so that firing can only ever end this request's exchange.
    A connection detaches its socket when an answer ends with the connection (``Connection: close``,
    HTTP/1.0): the socket kept here still lets the alarm end such a body.
    """

    def __init__(self, at):
        self.at = at
        self.expired = False
        self.cancelled = False
        self._connections = []
        self._sockets = []
        self._lock = threading.Lock()

    def attach(self, connection):
        """Remember the connection, and its socket when it has one."""
        sock = getattr(connection, "sock", None)
        with self._lock:
            if not any(connection is known for known in self._connections):
                self._connections.append(connection)
            if sock is not None and not any(sock is known for known in self._sockets):
                self._sockets.append(sock)
            expired = self.expired and not self.cancelled
        if expired and sock is not None:
            _shut(sock)

    def close_connections(self):
        """Close the connections of a request the watchdog ended, so that no pool hands them out again."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.close()
            except Exception:  # pylint: disable=broad-except
                pass  # closing a connection that is already broken may fail in many ways; it is closed either way

    def fire(self):
        with self._lock:
            if self.cancelled:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


class Watchdog:
    """Fires alarms at their time, from one daemon thread started on first use."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._cond = threading.Condition()
        self._heap = []
        self._order = itertools.count()
        self._thread = None

    def arm(self, seconds):
        """Start a budget of ``seconds`` for the request this thread is about to send."""
        alarm = Alarm(self._clock() + seconds)
        with self._cond:
            heapq.heappush(self._heap, (alarm.at, next(self._order), alarm))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hwc.dcs-watchdog")
                self._thread.daemon = True
                self._thread.start()
            self._cond.notify()
        _local.alarm = alarm
        return alarm

    def disarm(self, alarm):
        """The request is over, however it ended."""
        with alarm._lock:  # pylint: disable=protected-access
            alarm.cancelled = True
        _local.alarm = None

    def _run(self):
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _order, alarm = self._heap[0]
                if alarm.cancelled:
                    heapq.heappop(self._heap)
                    continue
                wait = at - self._clock()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            alarm.fire()


WATCHDOG = Watchdog()
