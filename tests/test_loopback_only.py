"""The tests' own guard: no process they start sends a DNS query (tests/conftest.py)."""

import socket
import subprocess
import sys

import pytest


def test_this_process_resolves_loopback_and_addresses_but_no_other_name():
    assert socket.getaddrinfo("127.0.0.1", 80)[0][4][0] == "127.0.0.1"
    assert socket.getaddrinfo("127.1", 80)[0][4][0] == "127.0.0.1"
    with pytest.raises(socket.gaierror, match="not 'example.com'"):
        socket.getaddrinfo("example.com", 80)


def test_a_process_the_tests_start_is_guarded_too():
    probe = subprocess.run([sys.executable, "-c", "import socket\n"
                            "try:\n    socket.getaddrinfo('example.com', 443)\n"
                            "except socket.gaierror as error:\n    print(error)"],
                           capture_output=True, text=True, timeout=60)
    assert "tests resolve" in probe.stdout, probe
