"""What the harness's patches share: how long AWS's in-progress states last, and which
Regions the harness treats as unreachable.

AWS answers a change at once and finishes it later: a promoted replica is `modifying`, a global
cluster `switching-over`, a restore job `PENDING` then `RUNNING`, a replicated object
`PENDING`. moto finishes everything inside the call. The patches (server.py,
global_cluster.py, backup.py, s3_replication.py) keep each such state for `describes()`
reads of it before they finish it, so that the code under test sees, and has to wait through,
the states AWS shows. Tests change the count with `POST /_drconsole/in-progress?describes=N`
(0: moto's own instant behaviour). The count says how long a state lasts, never how it ends:
the end state follows from the request, as it does in AWS.

A dark Region (`POST /_drconsole/dark?region=R&dark=1`) is one AWS itself cannot reach:
requests signed for it are held without an answer (as the silent endpoint tests point a dark
region at), and the patches that need it (a switchover needs its primary) refuse what AWS
would refuse while it is out.
"""

import re
import threading

LOCK = threading.RLock()
_SETTINGS = {"describes": 2}
_DARK = set()
SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/")


def describes():
    """How many reads an in-progress state lasts."""
    with LOCK:
        return _SETTINGS["describes"]


def set_describes(n):
    with LOCK:
        _SETTINGS["describes"] = max(0, int(n))


def set_dark(region, dark):
    with LOCK:
        if dark:
            _DARK.add(region)
        else:
            _DARK.discard(region)


def is_dark(region):
    with LOCK:
        return region in _DARK


def region_of(environ):
    """The Region a request is signed for (its credential scope)."""
    match = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None
